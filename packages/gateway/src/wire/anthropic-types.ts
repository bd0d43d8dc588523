/**
 * Wire types of the Anthropic Messages API (`POST /v1/messages`), its streaming
 * events, token counting and model listing, as the gateway reads and writes
 * them. Field names follow the official `@anthropic-ai/sdk` (checked against
 * 1.10.0, API version 2026-10-21; see `sdk-types.test-d.ts` and `sdk-compatibility.test.ts`).
 *
 * @module
 */

/** Prompt-cache breakpoint marker. */
export interface AnthropicCacheControl {
  type: 'ephemeral';
  ttl?: '5m' | '1h';
}

/** A text block in a request. */
export interface AnthropicTextBlockParam {
  type: 'text';
  text: string;
  cache_control?: AnthropicCacheControl | null;
  citations?: Array<object> | null;
}

/** Image data inline, base64-encoded. */
export interface AnthropicBase64ImageSource {
  type: 'base64';
  media_type: 'image/jpeg' | 'image/png' | 'image/gif' | 'image/webp';
  data: string;
}

/** An image (or PDF) by URL. */
export interface AnthropicUrlSource {
  type: 'url';
  url: string;
}

/** A file uploaded through the Files API. */
export interface AnthropicFileSource {
  type: 'file';
  file_id: string;
}

/** An image block. */
export interface AnthropicImageBlockParam {
  type: 'image';
  source: AnthropicBase64ImageSource | AnthropicUrlSource | AnthropicFileSource;
  cache_control?: AnthropicCacheControl | null;
}

/** A PDF inline, base64-encoded. */
export interface AnthropicBase64PdfSource {
  type: 'base64';
  media_type: 'application/pdf';
  data: string;
}

/** Plain text used as a document. */
export interface AnthropicPlainTextSource {
  type: 'text';
  media_type: 'text/plain';
  data: string;
}

/** A document block (PDF or plain text). */
export interface AnthropicDocumentBlockParam {
  type: 'document';
  source: AnthropicBase64PdfSource | AnthropicPlainTextSource | AnthropicUrlSource | AnthropicFileSource;
  title?: string | null;
  context?: string | null;
  cache_control?: AnthropicCacheControl | null;
}

/** A tool call replayed in the conversation history. */
export interface AnthropicToolUseBlockParam {
  type: 'tool_use';
  id: string;
  name: string;
  input: unknown;
  cache_control?: AnthropicCacheControl | null;
}

/** The result of a tool call, in a user message. */
export interface AnthropicToolResultBlockParam {
  type: 'tool_result';
  tool_use_id: string;
  content?: string | Array<AnthropicTextBlockParam | AnthropicImageBlockParam | AnthropicDocumentBlockParam>;
  is_error?: boolean;
  cache_control?: AnthropicCacheControl | null;
}

/** A thinking block replayed in the conversation history. */
export interface AnthropicThinkingBlockParam {
  type: 'thinking';
  thinking: string;
  signature: string;
}

/** A redacted thinking block replayed in the conversation history. */
export interface AnthropicRedactedThinkingBlockParam {
  type: 'redacted_thinking';
  data: string;
}

/** Any content block of a request message that the gateway understands. */
export type AnthropicContentBlockParam =
  | AnthropicTextBlockParam
  | AnthropicImageBlockParam
  | AnthropicDocumentBlockParam
  | AnthropicToolUseBlockParam
  | AnthropicToolResultBlockParam
  | AnthropicThinkingBlockParam
  | AnthropicRedactedThinkingBlockParam;

/** A user or assistant message of a request. */
export interface AnthropicConversationMessageParam {
  role: 'user' | 'assistant';
  content: string | AnthropicContentBlockParam[];
}

/**
 * A system message inside `messages`. Accepted since API version 2026-10-21;
 * older versions only accept the top-level `system`.
 */
export interface AnthropicSystemMessageParam {
  role: 'system';
  content: string | AnthropicTextBlockParam[];
}

/** Any message of a request. */
export type AnthropicMessageParam = AnthropicConversationMessageParam | AnthropicSystemMessageParam;

/** A client tool (a function the caller runs). `type` is absent or `custom`. */
export interface AnthropicTool {
  name: string;
  description?: string;
  input_schema: { type: 'object'; properties?: unknown; required?: string[] | null; [key: string]: unknown };
  type?: 'custom' | null;
  strict?: boolean;
  cache_control?: AnthropicCacheControl | null;
}

/** A server or versioned built-in tool (web search, bash, …), run by Anthropic. */
export interface AnthropicServerTool {
  type: string;
  name: string;
}

/** The `tool_choice` option. */
export type AnthropicToolChoice =
  | { type: 'auto'; disable_parallel_tool_use?: boolean }
  | { type: 'any'; disable_parallel_tool_use?: boolean }
  | { type: 'tool'; name: string; disable_parallel_tool_use?: boolean }
  | { type: 'none' };

/** The `thinking` option. */
export type AnthropicThinkingConfig =
  | { type: 'enabled'; budget_tokens: number; display?: 'summarized' | 'omitted' | null }
  | { type: 'disabled' }
  | { type: 'adaptive'; display?: 'summarized' | 'omitted' | null }
  | { type: 'between_tools' };

/** The `output_config` option: effort and structured output format. */
export interface AnthropicOutputConfig {
  effort?: 'low' | 'medium' | 'high' | 'xhigh' | 'max' | null;
  format?: { type: 'json_schema'; schema: Record<string, unknown> } | null;
}

/** A `POST /v1/messages` request body. */
export interface AnthropicMessagesRequest {
  model: string;
  max_tokens: number;
  messages: AnthropicMessageParam[];
  system?: string | AnthropicTextBlockParam[];
  stop_sequences?: string[];
  stream?: boolean;
  /**
   * Sampling temperature (0–1). Not declared by the SDK for API version
   * 2026-10-21, still accepted by earlier API versions and many models.
   */
  temperature?: number;
  /** Nucleus sampling. Same caveat as `temperature`. */
  top_p?: number;
  /** Top-k sampling. Same caveat as `temperature`. */
  top_k?: number;
  tools?: Array<AnthropicTool | AnthropicServerTool>;
  tool_choice?: AnthropicToolChoice;
  metadata?: { user_id?: string | null };
  thinking?: AnthropicThinkingConfig;
  output_config?: AnthropicOutputConfig;
  service_tier?: 'auto' | 'standard_only';
}

/** A `POST /v1/messages/count_tokens` request body. */
export type AnthropicCountTokensRequest = Omit<
  AnthropicMessagesRequest,
  'max_tokens' | 'stream' | 'stop_sequences' | 'temperature' | 'top_p' | 'top_k' | 'metadata' | 'service_tier'
>;

/** A `POST /v1/messages/count_tokens` response body. */
export interface AnthropicCountTokensResponse {
  input_tokens: number;
}

/** A text block in a response. */
export interface AnthropicTextBlock {
  type: 'text';
  text: string;
  citations?: Array<object> | null;
}

/** A tool call in a response; `input` is the parsed JSON object. */
export interface AnthropicToolUseBlock {
  type: 'tool_use';
  id: string;
  name: string;
  input: unknown;
}

/** A thinking block in a response. */
export interface AnthropicThinkingBlock {
  type: 'thinking';
  thinking: string;
  signature: string;
}

/** A redacted thinking block in a response. */
export interface AnthropicRedactedThinkingBlock {
  type: 'redacted_thinking';
  data: string;
}

/** A server tool call or result block (web search, code execution, …). */
export interface AnthropicServerBlock {
  type:
    | 'server_tool_use'
    | 'web_search_tool_result'
    | 'web_fetch_tool_result'
    | 'code_execution_tool_result'
    | 'bash_code_execution_tool_result'
    | 'text_editor_code_execution_tool_result'
    | 'tool_search_tool_result'
    | 'container_upload';
  [key: string]: unknown;
}

/** Any content block of a response. */
export type AnthropicContentBlock =
  | AnthropicTextBlock
  | AnthropicToolUseBlock
  | AnthropicThinkingBlock
  | AnthropicRedactedThinkingBlock
  | AnthropicServerBlock;

/** Why the model stopped. */
export type AnthropicStopReason =
  | 'end_turn'
  | 'max_tokens'
  | 'stop_sequence'
  | 'tool_use'
  | 'pause_turn'
  | 'refusal'
  | 'model_context_window_exceeded';

/**
 * Token usage of a message. `input_tokens` excludes the cache reads and cache
 * writes, which are reported separately.
 */
export interface AnthropicUsage {
  input_tokens: number;
  output_tokens: number;
  cache_creation_input_tokens?: number | null;
  cache_read_input_tokens?: number | null;
  cache_creation?: { ephemeral_5m_input_tokens: number; ephemeral_1h_input_tokens: number } | null;
  /** Thinking tokens, included in `output_tokens`. */
  output_tokens_details?: { thinking_tokens: number } | null;
  server_tool_use?: object | null;
  service_tier?: 'standard' | 'priority' | 'batch' | null;
}

/** A `POST /v1/messages` response body. */
export interface AnthropicMessage {
  id: string;
  type: 'message';
  role: 'assistant';
  model: string;
  content: AnthropicContentBlock[];
  stop_reason: AnthropicStopReason | null;
  stop_sequence: string | null;
  usage: AnthropicUsage;
  container?: object | null;
}

/** Cumulative usage carried by `message_delta`; null counters are unchanged. */
export interface AnthropicMessageDeltaUsage {
  output_tokens: number;
  input_tokens?: number | null;
  cache_creation_input_tokens?: number | null;
  cache_read_input_tokens?: number | null;
  output_tokens_details?: { thinking_tokens: number } | null;
  server_tool_use?: object | null;
}

/** First event of a stream: the message shell with empty content and initial usage. */
export interface AnthropicMessageStartEvent {
  type: 'message_start';
  message: AnthropicMessage;
}

/** A content block starts at `index`. */
export interface AnthropicContentBlockStartEvent {
  type: 'content_block_start';
  index: number;
  content_block: AnthropicContentBlock;
}

/** A fragment of the content block at `index`. */
export interface AnthropicContentBlockDeltaEvent {
  type: 'content_block_delta';
  index: number;
  delta:
    | { type: 'text_delta'; text: string }
    | { type: 'input_json_delta'; partial_json: string }
    | { type: 'thinking_delta'; thinking: string }
    | { type: 'signature_delta'; signature: string }
    | { type: 'citations_delta'; citation: object };
}

/** The content block at `index` is complete. */
export interface AnthropicContentBlockStopEvent {
  type: 'content_block_stop';
  index: number;
}

/** Top-level changes: the stop reason and cumulative usage. */
export interface AnthropicMessageDeltaEvent {
  type: 'message_delta';
  delta: { stop_reason: AnthropicStopReason | null; stop_sequence: string | null };
  usage: AnthropicMessageDeltaUsage;
}

/** Last event of a stream. */
export interface AnthropicMessageStopEvent {
  type: 'message_stop';
}

/** Keep-alive event. */
export interface AnthropicPingEvent {
  type: 'ping';
}

/** A stream-level error (for example `overloaded_error`). */
export interface AnthropicErrorEvent {
  type: 'error';
  error: { type: string; message: string };
}

/** Any event of a Messages stream. */
export type AnthropicStreamEvent =
  | AnthropicMessageStartEvent
  | AnthropicContentBlockStartEvent
  | AnthropicContentBlockDeltaEvent
  | AnthropicContentBlockStopEvent
  | AnthropicMessageDeltaEvent
  | AnthropicMessageStopEvent
  | AnthropicPingEvent
  | AnthropicErrorEvent;

/** One model of `GET /v1/models`. */
export interface AnthropicModelInfo {
  type: 'model';
  id: string;
  display_name: string;
  /** RFC 3339 timestamp. */
  created_at: string;
}

/** A `GET /v1/models` response body. */
export interface AnthropicModelList {
  data: AnthropicModelInfo[];
  has_more: boolean;
  first_id: string | null;
  last_id: string | null;
}

/** The error body of the Anthropic API. */
export interface AnthropicErrorBody {
  type: 'error';
  error: { type: string; message: string };
  request_id?: string | null;
}
