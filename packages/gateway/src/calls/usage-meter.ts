/**
 * Usage meters for streamed upstream answers: the provider's reported usage
 * (through the phase-1 accumulators) plus a count of the generated characters,
 * so a stream cut before its usage arrived is settled from an estimate of what
 * was seen, never as zero.
 *
 * @module
 */

import { createAnthropicUsageAccumulator, createOpenAIChatUsageAccumulator, createResponsesUsageAccumulator } from '../usage/stream-usage.js';
import { createUsage, type Usage } from '../usage/usage.js';
import type { AnthropicStreamEvent } from '../wire/anthropic-types.js';
import type { ResponsesStreamEvent } from '../wire/openai-responses-types.js';
import type { OpenAIChatCompletionChunk } from '../wire/openai-types.js';

/** Usage seen along a stream. */
export interface UsageMeter<Event> {
  push(event: Event): void;
  /** The usage reported so far. */
  readonly usage: Usage;
  /** True once the provider reported its final usage. */
  readonly complete: boolean;
  /** True once the provider reported the input tokens (Anthropic does in its first event). */
  readonly inputReported: boolean;
  /** Characters of generated text, tool arguments and reasoning seen. */
  readonly outputCharacters: number;
}

/** Characters per token assumed by estimates (a common rule of thumb for English and code). */
export const charactersPerToken = 4;

/**
 * The usage to record: the reported usage when complete, else each counter at
 * least the estimate from what was seen (`estimated: true`).
 *
 * @example
 * ```ts
 * const { usage, estimated } = settledUsage(meter, Math.ceil(upstreamBodyBytes / 4));
 * ```
 */
export function settledUsage(meter: Pick<UsageMeter<unknown>, 'usage' | 'complete' | 'inputReported' | 'outputCharacters'>, inputTokenEstimate: number): { usage: Usage; estimated: boolean } {
  const usage = meter.usage;
  if (meter.complete) return { usage, estimated: false };
  return {
    usage: {
      ...usage,
      inputTokens: meter.inputReported ? usage.inputTokens : Math.max(usage.inputTokens, inputTokenEstimate),
      outputTokens: Math.max(usage.outputTokens, Math.ceil(meter.outputCharacters / charactersPerToken)),
    },
    estimated: true,
  };
}

/**
 * A meter for OpenAI chat completion chunks.
 *
 * @example
 * ```ts
 * const meter = createOpenAIChatMeter();
 * meter.push(chunk);
 * ```
 */
export function createOpenAIChatMeter(): UsageMeter<OpenAIChatCompletionChunk> {
  const accumulator = createOpenAIChatUsageAccumulator();
  let characters = 0;
  return {
    push(chunk) {
      accumulator.push(chunk);
      const choices = chunk.choices;
      if (!choices) return;
      for (const choice of choices) {
        const delta = choice.delta;
        if (!delta) continue;
        if (typeof delta.content === 'string') characters += delta.content.length;
        if (typeof delta.refusal === 'string') characters += delta.refusal.length;
        const reasoning = (delta as { reasoning_content?: unknown; reasoning?: unknown }).reasoning_content ?? (delta as { reasoning?: unknown }).reasoning;
        if (typeof reasoning === 'string') characters += reasoning.length;
        for (const call of delta.tool_calls ?? []) characters += (call.function?.arguments?.length ?? 0) + (call.function?.name?.length ?? 0);
      }
    },
    get usage() {
      return accumulator.usage;
    },
    get complete() {
      return accumulator.complete;
    },
    get inputReported() {
      return accumulator.complete;
    },
    get outputCharacters() {
      return characters;
    },
  };
}

/**
 * A meter for Anthropic stream events (input and cache tokens arrive in
 * `message_start`, so a cut stream still knows them exactly).
 *
 * @example
 * ```ts
 * const meter = createAnthropicMeter();
 * meter.push(event);
 * ```
 */
export function createAnthropicMeter(): UsageMeter<AnthropicStreamEvent> {
  const accumulator = createAnthropicUsageAccumulator();
  let characters = 0;
  return {
    push(event) {
      accumulator.push(event);
      if (event.type !== 'content_block_delta') return;
      const delta = event.delta as { text?: unknown; partial_json?: unknown; thinking?: unknown };
      for (const value of [delta.text, delta.partial_json, delta.thinking]) if (typeof value === 'string') characters += value.length;
    },
    get usage() {
      return accumulator.usage;
    },
    get complete() {
      return accumulator.complete;
    },
    get inputReported() {
      return accumulator.reported;
    },
    get outputCharacters() {
      return characters;
    },
  };
}

/**
 * A meter for OpenAI Responses stream events.
 *
 * @example
 * ```ts
 * const meter = createResponsesMeter();
 * meter.push(event);
 * ```
 */
export function createResponsesMeter(): UsageMeter<ResponsesStreamEvent> {
  const accumulator = createResponsesUsageAccumulator();
  let characters = 0;
  return {
    push(event) {
      accumulator.push(event);
      const delta = (event as { delta?: unknown }).delta;
      if (typeof delta === 'string' && event.type.endsWith('.delta')) characters += delta.length;
    },
    get usage() {
      return accumulator.complete || accumulator.reported ? accumulator.usage : createUsage();
    },
    get complete() {
      return accumulator.complete;
    },
    get inputReported() {
      return accumulator.reported;
    },
    get outputCharacters() {
      return characters;
    },
  };
}
