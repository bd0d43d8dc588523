/**
 * `@preloop/gateway`: the model gateway. This entry exports the pure layer the
 * gateway is built on: wire types of the OpenAI and Anthropic APIs,
 * translators between them (streaming included), usage normalization and
 * accounting, the default price table, and server-sent event parsing and
 * serialization.
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
  type Usage,
} from './usage/usage.js';
export {
  createAnthropicUsageAccumulator,
  createOpenAIChatUsageAccumulator,
  createResponsesUsageAccumulator,
  type StreamUsageAccumulator,
} from './usage/stream-usage.js';
export { modelPricesSchema, type LongContextPrices, type ModelPrices } from './usage/model-prices.js';
export { defaultPriceTable, defaultPriceTableAsOf, findModelPrices } from './usage/price-table.js';
export { computeCost, type Cost } from './usage/compute-cost.js';

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
