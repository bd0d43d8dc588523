/**
 * Wire types of the OpenAI chat completions, embeddings and models APIs, as the
 * gateway reads and writes them. Field names follow the official `openai` SDK
 * (checked against openai 6.30.1, see `sdk-types.test-d.ts` and `sdk-compatibility.test.ts`). Only the
 * fields the gateway handles are typed; requests may carry more, and those are
 * either forwarded untouched (same-format routes) or dropped by a translator.
 *
 * @module
 */

/** Reasoning effort accepted by reasoning models (`reasoning_effort`). */
export type OpenAIReasoningEffort = 'none' | 'minimal' | 'low' | 'medium' | 'high' | 'xhigh';

/** A text part of a message's content. */
export interface OpenAIChatTextPart {
  type: 'text';
  text: string;
}

/** An image part of a user message: an `https:` URL or a `data:` URL. */
export interface OpenAIChatImagePart {
  type: 'image_url';
  image_url: { url: string; detail?: 'auto' | 'low' | 'high' };
}

/** An audio part of a user message (base64 data). */
export interface OpenAIChatAudioPart {
  type: 'input_audio';
  input_audio: { data: string; format: 'wav' | 'mp3' };
}

/** A file part of a user message, for example a PDF as a `data:` URL in `file_data`. */
export interface OpenAIChatFilePart {
  type: 'file';
  file: { file_data?: string; file_id?: string; filename?: string };
}

/** A refusal part of an assistant message. */
export interface OpenAIChatRefusalPart {
  type: 'refusal';
  refusal: string;
}

/** Any content part of a user message. */
export type OpenAIChatUserContentPart = OpenAIChatTextPart | OpenAIChatImagePart | OpenAIChatAudioPart | OpenAIChatFilePart;

/** A system message. */
export interface OpenAIChatSystemMessage {
  role: 'system';
  content: string | OpenAIChatTextPart[];
  name?: string;
}

/** A developer message (the reasoning-model successor of `system`). */
export interface OpenAIChatDeveloperMessage {
  role: 'developer';
  content: string | OpenAIChatTextPart[];
  name?: string;
}

/** A user message. */
export interface OpenAIChatUserMessage {
  role: 'user';
  content: string | OpenAIChatUserContentPart[];
  name?: string;
}

/** A function tool call made by the assistant; `arguments` is a JSON string. */
export interface OpenAIChatFunctionToolCall {
  id: string;
  type: 'function';
  function: { name: string; arguments: string };
}

/** A custom (free-form input) tool call made by the assistant. */
export interface OpenAIChatCustomToolCall {
  id: string;
  type: 'custom';
  custom: { name: string; input: string };
}

/** Any tool call made by the assistant. */
export type OpenAIChatToolCall = OpenAIChatFunctionToolCall | OpenAIChatCustomToolCall;

/** An assistant message in a request (conversation history). */
export interface OpenAIChatAssistantMessage {
  role: 'assistant';
  content?: string | Array<OpenAIChatTextPart | OpenAIChatRefusalPart> | null;
  refusal?: string | null;
  name?: string;
  tool_calls?: OpenAIChatToolCall[];
  /** Legacy single function call. */
  function_call?: { name: string; arguments: string } | null;
}

/** The result of a tool call, answering the assistant's `tool_call_id`. */
export interface OpenAIChatToolMessage {
  role: 'tool';
  content: string | OpenAIChatTextPart[];
  tool_call_id: string;
}

/** Legacy function result message. */
export interface OpenAIChatFunctionMessage {
  role: 'function';
  content: string | null;
  name: string;
}

/** Any message of a chat completions request. */
export type OpenAIChatMessage =
  | OpenAIChatSystemMessage
  | OpenAIChatDeveloperMessage
  | OpenAIChatUserMessage
  | OpenAIChatAssistantMessage
  | OpenAIChatToolMessage
  | OpenAIChatFunctionMessage;

/** A function the model may call; `parameters` is a JSON Schema object. */
export interface OpenAIChatFunctionTool {
  type: 'function';
  function: {
    name: string;
    description?: string;
    parameters?: Record<string, unknown>;
    strict?: boolean | null;
  };
}

/** A custom tool with free-form (text or grammar) input. */
export interface OpenAIChatCustomTool {
  type: 'custom';
  custom: { name: string; description?: string; format?: object };
}

/** Any tool definition of a chat completions request. */
export type OpenAIChatTool = OpenAIChatFunctionTool | OpenAIChatCustomTool;

/** Forces one named function. */
export interface OpenAIChatNamedToolChoice {
  type: 'function';
  function: { name: string };
}

/** Restricts the model to a subset of the tools. */
export interface OpenAIChatAllowedToolsChoice {
  type: 'allowed_tools';
  allowed_tools: { mode: 'auto' | 'required'; tools: Array<Record<string, unknown>> };
}

/** Forces one named custom tool. */
export interface OpenAIChatNamedCustomToolChoice {
  type: 'custom';
  custom: { name: string };
}

/** The `tool_choice` option. */
export type OpenAIChatToolChoice =
  | 'none'
  | 'auto'
  | 'required'
  | OpenAIChatNamedToolChoice
  | OpenAIChatAllowedToolsChoice
  | OpenAIChatNamedCustomToolChoice;

/** The `response_format` option. */
export type OpenAIChatResponseFormat =
  | { type: 'text' }
  | { type: 'json_object' }
  | {
      type: 'json_schema';
      json_schema: {
        name: string;
        description?: string;
        schema?: Record<string, unknown>;
        strict?: boolean | null;
      };
    };

/** The `stream_options` option. */
export interface OpenAIChatStreamOptions {
  /** When true, the last chunk (with empty `choices`) carries `usage`. */
  include_usage?: boolean;
  include_obfuscation?: boolean;
}

/** A `POST /v1/chat/completions` request body. */
export interface OpenAIChatCompletionRequest {
  model: string;
  messages: OpenAIChatMessage[];
  stream?: boolean | null;
  stream_options?: OpenAIChatStreamOptions | null;
  max_tokens?: number | null;
  max_completion_tokens?: number | null;
  temperature?: number | null;
  top_p?: number | null;
  n?: number | null;
  stop?: string | string[] | null;
  tools?: OpenAIChatTool[];
  tool_choice?: OpenAIChatToolChoice;
  parallel_tool_calls?: boolean;
  response_format?: OpenAIChatResponseFormat;
  reasoning_effort?: OpenAIReasoningEffort | null;
  verbosity?: 'low' | 'medium' | 'high' | null;
  user?: string;
  safety_identifier?: string;
  prompt_cache_key?: string;
  metadata?: Record<string, string> | null;
  store?: boolean | null;
  seed?: number | null;
  presence_penalty?: number | null;
  frequency_penalty?: number | null;
  logprobs?: boolean | null;
  top_logprobs?: number | null;
  logit_bias?: Record<string, number> | null;
  service_tier?: 'auto' | 'default' | 'flex' | 'scale' | 'priority' | null;
  /** Legacy function definitions (superseded by `tools`). */
  functions?: Array<{ name: string; description?: string; parameters?: Record<string, unknown> }>;
  /** Legacy function choice (superseded by `tool_choice`). */
  function_call?: 'none' | 'auto' | { name: string };
}

/** Token usage of a chat completion. `prompt_tokens` includes `cached_tokens`. */
export interface OpenAIChatUsage {
  prompt_tokens: number;
  completion_tokens: number;
  total_tokens: number;
  prompt_tokens_details?: { cached_tokens?: number; audio_tokens?: number };
  completion_tokens_details?: {
    reasoning_tokens?: number;
    audio_tokens?: number;
    accepted_prediction_tokens?: number;
    rejected_prediction_tokens?: number;
  };
}

/** Why the model stopped. */
export type OpenAIChatFinishReason = 'stop' | 'length' | 'tool_calls' | 'content_filter' | 'function_call';

/** The assistant message of a chat completion response. */
export interface OpenAIChatResponseMessage {
  role: 'assistant';
  content: string | null;
  refusal: string | null;
  tool_calls?: OpenAIChatToolCall[];
  function_call?: { name: string; arguments: string } | null;
  annotations?: Array<object>;
}

/** One choice of a chat completion response. */
export interface OpenAIChatChoice {
  index: number;
  message: OpenAIChatResponseMessage;
  finish_reason: OpenAIChatFinishReason;
  logprobs: object | null;
}

/** A `POST /v1/chat/completions` response body (non-streaming). */
export interface OpenAIChatCompletion {
  id: string;
  object: 'chat.completion';
  created: number;
  model: string;
  choices: OpenAIChatChoice[];
  usage?: OpenAIChatUsage;
  system_fingerprint?: string;
  service_tier?: 'auto' | 'default' | 'flex' | 'scale' | 'priority' | null;
}

/** A streamed tool call fragment; `index` says which call it continues. */
export interface OpenAIChatChunkToolCall {
  index: number;
  id?: string;
  type?: 'function';
  function?: { name?: string; arguments?: string };
}

/** The delta of one streamed choice. */
export interface OpenAIChatChunkDelta {
  role?: 'developer' | 'system' | 'user' | 'assistant' | 'tool';
  content?: string | null;
  refusal?: string | null;
  tool_calls?: OpenAIChatChunkToolCall[];
  function_call?: { name?: string; arguments?: string };
}

/** One choice of a streamed chunk. */
export interface OpenAIChatChunkChoice {
  index: number;
  delta: OpenAIChatChunkDelta;
  finish_reason: OpenAIChatFinishReason | null;
  logprobs?: object | null;
}

/**
 * One `data:` event of a streamed chat completion. With
 * `stream_options.include_usage`, every chunk has `usage: null` except the
 * last, which has empty `choices` and the usage.
 */
export interface OpenAIChatCompletionChunk {
  id: string;
  object: 'chat.completion.chunk';
  created: number;
  model: string;
  choices: OpenAIChatChunkChoice[];
  usage?: OpenAIChatUsage | null;
  system_fingerprint?: string;
  service_tier?: 'auto' | 'default' | 'flex' | 'scale' | 'priority' | null;
}

/** A `POST /v1/embeddings` request body. */
export interface OpenAIEmbeddingsRequest {
  model: string;
  input: string | string[] | number[] | number[][];
  dimensions?: number;
  /**
   * The official SDK asks for `base64` when the caller did not choose, and
   * decodes it itself.
   */
  encoding_format?: 'float' | 'base64';
  user?: string;
}

/** One embedding vector (or its base64 encoding). */
export interface OpenAIEmbedding {
  object: 'embedding';
  index: number;
  embedding: number[] | string;
}

/** A `POST /v1/embeddings` response body. */
export interface OpenAIEmbeddingsResponse {
  object: 'list';
  data: OpenAIEmbedding[];
  model: string;
  usage: { prompt_tokens: number; total_tokens: number };
}

/** One model of `GET /v1/models`. */
export interface OpenAIModel {
  id: string;
  object: 'model';
  created: number;
  owned_by: string;
}

/** A `GET /v1/models` response body. */
export interface OpenAIModelList {
  object: 'list';
  data: OpenAIModel[];
}

/** The error body of the OpenAI API (also sent as a `data:` event mid-stream). */
export interface OpenAIErrorBody {
  error: {
    message: string;
    type: string;
    param: string | null;
    code: string | null;
  };
}
