/**
 * The span of a governed call in the OpenTelemetry GenAI semantic conventions
 * (semconv 1.45, `gen_ai.*` attributes are at Development status): what a
 * surface says about its call, and its mapping to span attributes.
 *
 * The attribute names are written out here instead of imported from
 * `@opentelemetry/semantic-conventions/incubating`: that entry is several
 * megabytes and changes in minor releases (OpenTelemetry itself advises
 * copying incubating names); a test compares them with the package's.
 *
 * @module
 */

import type { Principal } from '../identity/principal.js';

/** The `gen_ai.*`, `mcp.*` and `error.type` attribute names used by Preloop's spans. */
export const genAiAttributes = {
  operationName: 'gen_ai.operation.name',
  providerName: 'gen_ai.provider.name',
  system: 'gen_ai.system',
  requestModel: 'gen_ai.request.model',
  requestMaxTokens: 'gen_ai.request.max_tokens',
  requestTemperature: 'gen_ai.request.temperature',
  requestStream: 'gen_ai.request.stream',
  responseModel: 'gen_ai.response.model',
  responseId: 'gen_ai.response.id',
  responseFinishReasons: 'gen_ai.response.finish_reasons',
  usageInputTokens: 'gen_ai.usage.input_tokens',
  usageOutputTokens: 'gen_ai.usage.output_tokens',
  usageCacheReadInputTokens: 'gen_ai.usage.cache_read.input_tokens',
  inputMessages: 'gen_ai.input.messages',
  outputMessages: 'gen_ai.output.messages',
  toolName: 'gen_ai.tool.name',
  toolType: 'gen_ai.tool.type',
  toolCallArguments: 'gen_ai.tool.call.arguments',
  toolCallResult: 'gen_ai.tool.call.result',
  agentId: 'gen_ai.agent.id',
  agentName: 'gen_ai.agent.name',
  conversationId: 'gen_ai.conversation.id',
  mcpMethodName: 'mcp.method.name',
  mcpSessionId: 'mcp.session.id',
  errorType: 'error.type',
} as const;

/** A span attribute value. */
export type SpanAttributeValue = string | number | boolean | string[];

/** What a surface says about its call for the call's span (read only when tracing is on). */
export interface GovernedCallSpan {
  /** `gen_ai.operation.name`: `chat`, `embeddings`, `execute_tool`, … */
  operation: string;
  /** What the span name names after the operation (`chat <model>`, `execute_tool <tool>`), or null (the span is named by the operation alone). */
  target: string | null;
  /** `client` for calls to a provider, `internal` for tools run here. @default 'internal' */
  kind?: 'client' | 'internal';
  /** The provider's id (`openai`, `anthropic`, `gemini`, …): `gen_ai.provider.name` (and the deprecated `gen_ai.system`). */
  provider?: string | null;
  requestModel?: string | null;
  responseModel?: string | null;
  responseId?: string | null;
  finishReasons?: string[] | null;
  inputTokens?: number | null;
  outputTokens?: number | null;
  /** `error.type` when the call failed or was refused (a short code, never a message). */
  errorType?: string | null;
  /** Further attributes (`gen_ai.tool.name`, `mcp.session.id`, request parameters, `preloop.*`). */
  attributes?: Record<string, SpanAttributeValue | null | undefined>;
  /** Prompt and response content, recorded only with `tracing.captureContent` (attribute name → value, serialized as JSON). */
  content?: Record<string, unknown>;
}

/** Provider ids whose GenAI name differs from Preloop's plugin id. */
const providerNames: Record<string, string> = { gemini: 'gcp.gemini', bedrock: 'aws.bedrock', mistral: 'mistral_ai', xai: 'x_ai' };

/** The `gen_ai.provider.name` of a Preloop provider id. */
export function toGenAiProviderName(provider: string): string {
  return providerNames[provider] ?? provider;
}

/**
 * The span attributes of a call: the surface's description, who called
 * (`gen_ai.agent.*`, the runtime session as `gen_ai.conversation.id`, the
 * `preloop.*` principal attributes; never a credential) and how it ended.
 *
 * @example
 * ```ts
 * const attributes = toSpanAttributes({ operation: 'chat', target: 'gpt-fast', requestModel: 'gpt-fast' }, principal, 'succeeded', false);
 * ```
 */
export function toSpanAttributes(
  span: GovernedCallSpan,
  principal: Principal,
  outcome: string,
  captureContent: boolean,
): Record<string, SpanAttributeValue> {
  const attributes: Record<string, SpanAttributeValue | null | undefined> = {
    [genAiAttributes.operationName]: span.operation,
    [genAiAttributes.requestModel]: span.requestModel,
    [genAiAttributes.responseModel]: span.responseModel,
    [genAiAttributes.responseId]: span.responseId,
    [genAiAttributes.usageInputTokens]: span.inputTokens,
    [genAiAttributes.usageOutputTokens]: span.outputTokens,
    [genAiAttributes.responseFinishReasons]: span.finishReasons?.length ? span.finishReasons : null,
    [genAiAttributes.errorType]: span.errorType,
    [genAiAttributes.agentId]: principal.agentId,
    [genAiAttributes.agentName]: principal.agentId ? principal.name : null,
    [genAiAttributes.conversationId]: principal.runtimeSessionId,
    'preloop.account.id': principal.accountId,
    'preloop.principal.type': principal.type,
    'preloop.principal.id': principal.id,
    'preloop.runtime_session.id': principal.runtimeSessionId,
    'preloop.outcome': outcome,
    ...span.attributes,
  };
  if (span.provider) {
    attributes[genAiAttributes.providerName] = toGenAiProviderName(span.provider);
    attributes[genAiAttributes.system] = toGenAiProviderName(span.provider);
  }
  if (captureContent && span.content) {
    for (const [name, value] of Object.entries(span.content)) {
      if (value !== undefined && value !== null) attributes[name] = typeof value === 'string' ? value : JSON.stringify(value);
    }
  }
  const defined: Record<string, SpanAttributeValue> = {};
  for (const [name, value] of Object.entries(attributes)) if (value !== null && value !== undefined) defined[name] = value;
  return defined;
}
