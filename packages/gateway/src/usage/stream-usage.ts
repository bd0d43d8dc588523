/**
 * Usage accumulators for streamed responses. Each one is fed every upstream
 * event or chunk as it passes through and always holds the usage seen so far,
 * so a stream that breaks off still accounts for what was reported before the
 * break (Anthropic reports input and cache tokens in its first event; OpenAI
 * reports everything in its last chunk, and only when
 * `stream_options.include_usage` was set).
 *
 * @module
 */

import type { AnthropicStreamEvent } from '../wire/anthropic-types.js';
import type { ResponsesStreamEvent } from '../wire/openai-responses-types.js';
import type { OpenAIChatCompletionChunk } from '../wire/openai-types.js';
import { createUsage, fromAnthropicUsage, fromOpenAIChatUsage, fromResponsesUsage, tokenCount, type Usage } from './usage.js';

/** Accumulates the usage reported along a stream of `Event`s. */
export interface StreamUsageAccumulator<Event> {
  /** Feeds one upstream event or chunk. */
  push(event: Event): void;
  /** The usage seen so far (all zeros before the upstream reported any). */
  readonly usage: Usage;
  /** True once the upstream reported any usage. */
  readonly reported: boolean;
  /** True once the upstream reported its final usage for the call. */
  readonly complete: boolean;
}

/**
 * Accumulates usage from OpenAI chat completion chunks (the usage chunk sent
 * last when `stream_options.include_usage` is true).
 *
 * @example
 * ```ts
 * const accumulator = createOpenAIChatUsageAccumulator();
 * for await (const chunk of chunks) accumulator.push(chunk);
 * accumulator.usage.outputTokens;
 * ```
 */
export function createOpenAIChatUsageAccumulator(): StreamUsageAccumulator<OpenAIChatCompletionChunk> {
  let usage = createUsage();
  let reported = false;
  return {
    push(chunk) {
      if (chunk.usage) {
        usage = fromOpenAIChatUsage(chunk.usage);
        reported = true;
      }
    },
    get usage() {
      return { ...usage };
    },
    get reported() {
      return reported;
    },
    get complete() {
      return reported;
    },
  };
}

/**
 * Accumulates usage from Anthropic stream events: `message_start` carries the
 * input and cache counters, each `message_delta` the cumulative output (and
 * any updated input) counters.
 *
 * @example
 * ```ts
 * const accumulator = createAnthropicUsageAccumulator();
 * for await (const event of events) accumulator.push(event);
 * accumulator.usage.cachedInputTokens;
 * ```
 */
export function createAnthropicUsageAccumulator(): StreamUsageAccumulator<AnthropicStreamEvent> {
  let uncachedInput = 0;
  let usage = createUsage();
  let reported = false;
  let complete = false;
  return {
    push(event) {
      if (event.type === 'message_start' && event.message?.usage) {
        const start = event.message.usage;
        uncachedInput = tokenCount(start.input_tokens);
        usage = fromAnthropicUsage(start);
        reported = true;
      } else if (event.type === 'message_delta' && event.usage) {
        const delta = event.usage;
        if (delta.input_tokens != null) uncachedInput = tokenCount(delta.input_tokens);
        if (delta.cache_read_input_tokens != null) {
          usage.cachedInputTokens = tokenCount(delta.cache_read_input_tokens);
        }
        if (delta.cache_creation_input_tokens != null) {
          usage.cacheCreationInputTokens = tokenCount(delta.cache_creation_input_tokens);
        }
        if (delta.output_tokens != null) usage.outputTokens = tokenCount(delta.output_tokens);
        if (delta.output_tokens_details != null) {
          usage.reasoningTokens = tokenCount(delta.output_tokens_details.thinking_tokens);
        }
        usage.inputTokens = uncachedInput + usage.cachedInputTokens + usage.cacheCreationInputTokens;
        reported = true;
        complete = true;
      }
    },
    get usage() {
      return { ...usage };
    },
    get reported() {
      return reported;
    },
    get complete() {
      return complete;
    },
  };
}

/**
 * Accumulates usage from OpenAI Responses stream events (the response snapshot
 * of `response.completed`, `response.incomplete` or `response.failed`).
 *
 * @example
 * ```ts
 * const accumulator = createResponsesUsageAccumulator();
 * for await (const event of events) accumulator.push(event);
 * ```
 */
export function createResponsesUsageAccumulator(): StreamUsageAccumulator<ResponsesStreamEvent> {
  let usage = createUsage();
  let reported = false;
  let complete = false;
  return {
    push(event) {
      if (!('response' in event) || !event.response?.usage) return;
      usage = fromResponsesUsage(event.response.usage);
      reported = true;
      complete ||= event.type === 'response.completed' || event.type === 'response.incomplete' || event.type === 'response.failed';
    },
    get usage() {
      return { ...usage };
    },
    get reported() {
      return reported;
    },
    get complete() {
      return complete;
    },
  };
}
