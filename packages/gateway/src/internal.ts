/**
 * `@preloop/gateway/internal`: the pure layer the gateway is built on, for
 * Preloop's own packages and tests; not part of the public API (it may change
 * in any release, and the API reference does not document it). The OpenAI chat
 * completions, OpenAI Responses and Anthropic Messages wire types (checked
 * against the official SDKs' types by `wire/sdk-types.test-d.ts`), the
 * translators between them both ways (streaming included), usage accounting
 * and server-sent events.
 *
 * @module
 */

export type * from './wire/openai-types.js';
export type * from './wire/openai-responses-types.js';
export type * from './wire/anthropic-types.js';

export * from './translate/index.js';

export {
  createUsage,
  fromAnthropicUsage,
  fromOpenAIChatUsage,
  fromOpenAIEmbeddingsUsage,
  fromResponsesUsage,
  toAnthropicUsage,
  toOpenAIChatUsage,
  toResponsesUsage,
} from './usage/usage.js';
export {
  createAnthropicUsageAccumulator,
  createOpenAIChatUsageAccumulator,
  createResponsesUsageAccumulator,
  type StreamUsageAccumulator,
} from './usage/stream-usage.js';

export {
  defaultMaxServerSentEventSize,
  parseServerSentEvents,
  type ParseServerSentEventsOptions,
  type ServerSentEvent,
} from './sse/parse-sse.js';
export { readAnthropicStream, readOpenAIChatStream } from './sse/parse-provider-streams.js';
export {
  encodeAnthropicEvent,
  encodeOpenAIChatChunk,
  encodeOpenAIStreamError,
  encodeResponsesEvent,
  openAIStreamDone,
  serializeServerSentEvent,
} from './sse/serialize-sse.js';

export { gatewayBusChannel, type GatewaySignal } from './runtime/gateway-signals.js';
export type { ProviderRegistry } from './models/provider-registry.js';
export type { UsageWrite } from './records/usage-writer.js';
export type { Settlement } from './budgets/budget-ledger.js';

// The zod schemas the admin routes validate and answer with. `@preloop/gateway/api`
// derives its types from them, so the API reference lists them here for those
// types to link to.
export {
  budgetListSchema,
  budgetSchema,
  budgetStatusListSchema,
  budgetStatusSchema,
  gatewayEventPageSchema,
  gatewayEventQuerySchema,
  gatewayEventSchema,
  modelAliasListSchema,
  modelAliasSchema,
  usageListQuerySchema,
  usageRecordPageSchema,
  usageRecordSchema,
  usageSummaryQuerySchema,
  usageSummaryRowSchema,
  usageSummarySchema,
} from './admin/api-schemas.js';
