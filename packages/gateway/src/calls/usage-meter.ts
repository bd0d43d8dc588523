/**
 * Usage meters for streamed upstream answers: the provider's reported usage
 * (through the phase-1 accumulators) plus a count of the generated characters,
 * so a stream cut before its usage arrived is settled from an estimate of what
 * was seen, never as zero.
 *
 * @module
 */

import {
  createAnthropicUsageAccumulator,
  createOpenAIChatUsageAccumulator,
  createResponsesUsageAccumulator,
  type StreamUsageAccumulator,
} from '../usage/stream-usage.js';
import type { Usage } from '../usage/usage.js';
import { createGeminiUsageAccumulator } from '../usage/gemini-usage.js';
import type { AnthropicStreamEvent } from '../wire/anthropic-types.js';
import type { GeminiGenerateContentResponse } from '../wire/gemini-types.js';
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
export function settledUsage(
  meter: Pick<UsageMeter<unknown>, 'usage' | 'complete' | 'inputReported' | 'outputCharacters'>,
  inputTokenEstimate: number,
): { usage: Usage; estimated: boolean } {
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
 * Wraps a usage accumulator with a count of the output characters seen, so
 * every wire format's meter shares one shape. `inputReported` is the
 * accumulator's `reported` (OpenAI chat reports everything at once, at the end).
 */
function meterOf<Event>(accumulator: StreamUsageAccumulator<Event>, outputCharactersOf: (event: Event) => number): UsageMeter<Event> {
  let characters = 0;
  return {
    push(event) {
      accumulator.push(event);
      characters += outputCharactersOf(event);
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

const lengthOf = (value: unknown): number => (typeof value === 'string' ? value.length : 0);

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
  return meterOf(createOpenAIChatUsageAccumulator(), (chunk) => {
    let characters = 0;
    for (const choice of chunk.choices ?? []) {
      const delta = choice.delta as (typeof choice.delta & { reasoning_content?: unknown; reasoning?: unknown }) | undefined;
      if (!delta) continue;
      characters += lengthOf(delta.content) + lengthOf(delta.refusal) + lengthOf(delta.reasoning_content ?? delta.reasoning);
      for (const call of delta.tool_calls ?? []) characters += (call.function?.arguments?.length ?? 0) + (call.function?.name?.length ?? 0);
    }
    return characters;
  });
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
  return meterOf(createAnthropicUsageAccumulator(), (event) => {
    if (event.type !== 'content_block_delta') return 0;
    const delta = event.delta as { text?: unknown; partial_json?: unknown; thinking?: unknown };
    return lengthOf(delta.text) + lengthOf(delta.partial_json) + lengthOf(delta.thinking);
  });
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
  return meterOf(createResponsesUsageAccumulator(), (event) =>
    event.type.endsWith('.delta') ? lengthOf((event as { delta?: unknown }).delta) : 0,
  );
}

/**
 * A meter for Gemini stream events (text, thoughts and function calls count as output).
 *
 * @example
 * ```ts
 * const meter = createGeminiMeter();
 * ```
 */
export function createGeminiMeter(): UsageMeter<GeminiGenerateContentResponse> {
  return meterOf(createGeminiUsageAccumulator(), (event) => {
    let characters = 0;
    for (const candidate of event.candidates ?? [])
      for (const part of candidate.content?.parts ?? [])
        characters += lengthOf(part.text) + (part.functionCall ? JSON.stringify(part.functionCall).length : 0);
    return characters;
  });
}
