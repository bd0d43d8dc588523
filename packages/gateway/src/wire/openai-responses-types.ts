/**
 * Wire types of the OpenAI Responses API (`POST /v1/responses`) and its
 * streaming events, for the subset the gateway serves over a chat-completions
 * or Anthropic upstream: messages, function tools and function calls. Field
 * names follow the official `openai` SDK (checked against openai 6.30.1, see `sdk-types.test-d.ts` and `sdk-compatibility.test.ts`).
 *
 * @module
 */

import type { OpenAIReasoningEffort } from './openai-types.js';

/** Text input content. */
export interface ResponsesInputText {
  type: 'input_text';
  text: string;
}

/** Image input content: an URL, a `data:` URL or a stored file. */
export interface ResponsesInputImage {
  type: 'input_image';
  detail?: 'low' | 'high' | 'auto' | 'original' | null;
  image_url?: string | null;
  file_id?: string | null;
}

/** File input content. */
export interface ResponsesInputFile {
  type: 'input_file';
  file_data?: string | null;
  file_id?: string | null;
  file_url?: string | null;
  filename?: string | null;
}

/** Any input content part. */
export type ResponsesInputContent = ResponsesInputText | ResponsesInputImage | ResponsesInputFile;

/** An input message; `type` may be omitted ("easy input message"). */
export interface ResponsesInputMessage {
  type?: 'message';
  role: 'user' | 'assistant' | 'system' | 'developer';
  content: string | Array<ResponsesInputContent | ResponsesOutputContent>;
  status?: 'in_progress' | 'completed' | 'incomplete';
  id?: string;
}

/** Text produced by the model. */
export interface ResponsesOutputText {
  type: 'output_text';
  text: string;
  annotations: Array<object>;
  logprobs?: Array<object>;
}

/** A refusal produced by the model. */
export interface ResponsesOutputRefusal {
  type: 'refusal';
  refusal: string;
}

/** Any content part of an output message. */
export type ResponsesOutputContent = ResponsesOutputText | ResponsesOutputRefusal;

/** An assistant message in the output (and replayed as input). */
export interface ResponsesOutputMessage {
  type: 'message';
  id: string;
  role: 'assistant';
  status: 'in_progress' | 'completed' | 'incomplete';
  content: ResponsesOutputContent[];
}

/** A function call made by the model; `arguments` is a JSON string. */
export interface ResponsesFunctionCall {
  type: 'function_call';
  id?: string;
  call_id: string;
  name: string;
  arguments: string;
  /** The namespace tool the function belongs to (`name` is then its name inside the namespace). */
  namespace?: string;
  status?: 'in_progress' | 'completed' | 'incomplete';
}

/** The caller's result for a function call. */
export interface ResponsesFunctionCallOutput {
  type: 'function_call_output';
  call_id: string;
  output: string | ResponsesInputContent[];
  id?: string | null;
  status?: 'in_progress' | 'completed' | 'incomplete' | null;
}

/** A reasoning item (replayed by clients; the gateway drops it on translation). */
export interface ResponsesReasoningItem {
  type: 'reasoning';
  id: string;
  summary: Array<{ type: 'summary_text'; text: string }>;
  encrypted_content?: string | null;
  status?: 'in_progress' | 'completed' | 'incomplete';
}

/** A reference to a stored item (needs server-side state the gateway does not keep). */
export interface ResponsesItemReference {
  type?: 'item_reference' | null;
  id: string;
}

/** Any other input item type (built-in tool calls and their outputs). */
export interface ResponsesOtherInputItem {
  type: string;
}

/** Any item of the `input` array. */
export type ResponsesInputItem =
  | ResponsesInputMessage
  | ResponsesOutputMessage
  | ResponsesFunctionCall
  | ResponsesFunctionCallOutput
  | ResponsesReasoningItem
  | ResponsesItemReference
  | ResponsesOtherInputItem;

/** A function tool definition (flat, unlike chat completions). */
export interface ResponsesFunctionTool {
  type: 'function';
  name: string;
  parameters: Record<string, unknown> | null;
  strict: boolean | null;
  description?: string | null;
}

/** A function inside a namespace tool. */
export interface ResponsesNamespaceFunction {
  type: 'function';
  name: string;
  description?: string | null;
  parameters?: unknown;
  strict?: boolean | null;
  /** Whether the function is discovered through tool search instead of being listed. */
  defer_loading?: boolean;
}

/**
 * A group of function (or custom) tools under one name (Codex sends its
 * tools this way); calls name the function and carry the `namespace`.
 */
export interface ResponsesNamespaceTool {
  type: 'namespace';
  name: string;
  description: string;
  tools: Array<ResponsesNamespaceFunction | { type: string; name: string }>;
}

/** A built-in tool (web search, file search, …) the gateway cannot run elsewhere. */
export interface ResponsesBuiltInTool {
  type: string;
}

/** Any tool definition. */
export type ResponsesTool = ResponsesFunctionTool | ResponsesNamespaceTool | ResponsesBuiltInTool;

/** The `tool_choice` option. */
export type ResponsesToolChoice =
  | 'none'
  | 'auto'
  | 'required'
  | { type: 'function'; name: string }
  | { type: 'allowed_tools'; mode: 'auto' | 'required'; tools: Array<Record<string, unknown>> }
  | { type: string };

/** The `text` option: output format and verbosity. */
export interface ResponsesTextConfig {
  format?:
    | { type: 'text' }
    | { type: 'json_object' }
    | {
        type: 'json_schema';
        name: string;
        schema: Record<string, unknown>;
        description?: string;
        strict?: boolean | null;
      };
  verbosity?: 'low' | 'medium' | 'high' | null;
}

/** A `POST /v1/responses` request body. */
export interface ResponsesRequest {
  model?: string;
  input?: string | ResponsesInputItem[];
  instructions?: string | null;
  stream?: boolean | null;
  max_output_tokens?: number | null;
  temperature?: number | null;
  top_p?: number | null;
  tools?: ResponsesTool[];
  tool_choice?: ResponsesToolChoice;
  parallel_tool_calls?: boolean | null;
  text?: ResponsesTextConfig;
  reasoning?: {
    effort?: OpenAIReasoningEffort | null;
    summary?: 'auto' | 'concise' | 'detailed' | null;
  } | null;
  metadata?: Record<string, string> | null;
  previous_response_id?: string | null;
  conversation?: string | { id: string } | null;
  store?: boolean | null;
  background?: boolean | null;
  include?: string[] | null;
  truncation?: 'auto' | 'disabled' | null;
  user?: string;
  safety_identifier?: string;
  prompt_cache_key?: string;
  service_tier?: 'auto' | 'default' | 'flex' | 'scale' | 'priority' | null;
}

/** Token usage of a response. `input_tokens` includes `cached_tokens`. */
export interface ResponsesUsage {
  input_tokens: number;
  input_tokens_details: { cached_tokens: number };
  output_tokens: number;
  output_tokens_details: { reasoning_tokens: number };
  total_tokens: number;
}

/** Any item of a response's `output`. */
export type ResponsesOutputItem = ResponsesOutputMessage | ResponsesFunctionCall | ResponsesReasoningItem;

/** Lifecycle status of a response. */
export type ResponsesStatus = 'completed' | 'failed' | 'in_progress' | 'cancelled' | 'queued' | 'incomplete';

/**
 * A response object. (The SDK's `output_text` convenience field is computed by
 * the SDK and is not part of the wire format.)
 */
export interface ResponsesResponse {
  id: string;
  object: 'response';
  created_at: number;
  status: ResponsesStatus;
  completed_at?: number | null;
  model: string;
  output: ResponsesOutputItem[];
  error: { code: string; message: string } | null;
  incomplete_details: { reason?: 'max_output_tokens' | 'content_filter' } | null;
  instructions: string | null;
  metadata: Record<string, string> | null;
  parallel_tool_calls: boolean;
  temperature: number | null;
  top_p: number | null;
  tool_choice: ResponsesToolChoice;
  tools: ResponsesTool[];
  max_output_tokens?: number | null;
  previous_response_id?: string | null;
  reasoning?: ResponsesRequest['reasoning'];
  text?: ResponsesTextConfig;
  truncation?: 'auto' | 'disabled' | null;
  user?: string;
  usage?: ResponsesUsage;
}

/** Events that carry the whole response snapshot. */
export interface ResponsesLifecycleEvent {
  type: 'response.created' | 'response.in_progress' | 'response.completed' | 'response.incomplete' | 'response.failed';
  sequence_number: number;
  response: ResponsesResponse;
}

/** An output item started or finished. */
export interface ResponsesOutputItemEvent {
  type: 'response.output_item.added' | 'response.output_item.done';
  sequence_number: number;
  output_index: number;
  item: ResponsesOutputItem;
}

/** A content part of a message item started or finished. */
export interface ResponsesContentPartEvent {
  type: 'response.content_part.added' | 'response.content_part.done';
  sequence_number: number;
  item_id: string;
  output_index: number;
  content_index: number;
  part: ResponsesOutputContent;
}

/** A fragment of output text. */
export interface ResponsesOutputTextDeltaEvent {
  type: 'response.output_text.delta';
  sequence_number: number;
  item_id: string;
  output_index: number;
  content_index: number;
  delta: string;
  logprobs: Array<object>;
}

/** The full text of a finished output text part. */
export interface ResponsesOutputTextDoneEvent {
  type: 'response.output_text.done';
  sequence_number: number;
  item_id: string;
  output_index: number;
  content_index: number;
  text: string;
  logprobs: Array<object>;
}

/** A fragment of a refusal. */
export interface ResponsesRefusalDeltaEvent {
  type: 'response.refusal.delta';
  sequence_number: number;
  item_id: string;
  output_index: number;
  content_index: number;
  delta: string;
}

/** The full text of a finished refusal part. */
export interface ResponsesRefusalDoneEvent {
  type: 'response.refusal.done';
  sequence_number: number;
  item_id: string;
  output_index: number;
  content_index: number;
  refusal: string;
}

/** A fragment of a function call's JSON arguments. */
export interface ResponsesFunctionCallArgumentsDeltaEvent {
  type: 'response.function_call_arguments.delta';
  sequence_number: number;
  item_id: string;
  output_index: number;
  delta: string;
}

/** The complete JSON arguments of a function call. */
export interface ResponsesFunctionCallArgumentsDoneEvent {
  type: 'response.function_call_arguments.done';
  sequence_number: number;
  item_id: string;
  output_index: number;
  name: string;
  arguments: string;
}

/** A stream-level error. */
export interface ResponsesErrorEvent {
  type: 'error';
  sequence_number: number;
  code: string | null;
  message: string;
  param: string | null;
}

/** Any streaming event the gateway emits on `/v1/responses`. */
export type ResponsesStreamEvent =
  | ResponsesLifecycleEvent
  | ResponsesOutputItemEvent
  | ResponsesContentPartEvent
  | ResponsesOutputTextDeltaEvent
  | ResponsesOutputTextDoneEvent
  | ResponsesRefusalDeltaEvent
  | ResponsesRefusalDoneEvent
  | ResponsesFunctionCallArgumentsDeltaEvent
  | ResponsesFunctionCallArgumentsDoneEvent
  | ResponsesErrorEvent;
