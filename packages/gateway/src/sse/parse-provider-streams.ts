/**
 * Typed readers of the upstream streams: OpenAI chat completion chunks and
 * Anthropic Messages events, decoded from server-sent events.
 *
 * @module
 */

import { PreloopError } from '@preloop/core';
import type { AnthropicStreamEvent } from '../wire/anthropic-types.js';
import type { OpenAIChatCompletionChunk } from '../wire/openai-types.js';
import { parseServerSentEvents, type ParseServerSentEventsOptions } from './parse-sse.js';

function parseJson(data: string): unknown {
  try {
    return JSON.parse(data);
  } catch (error) {
    throw new PreloopError('UPSTREAM_ERROR', 'The upstream stream sent an event that is not valid JSON.', {
      cause: error,
      details: { data: data.slice(0, 200) },
    });
  }
}

/**
 * Reads an OpenAI chat completions stream as chunks, stopping at `[DONE]`. An
 * error event (`data: {"error": …}`) throws an `UPSTREAM_ERROR` whose details
 * hold the upstream error.
 *
 * @example
 * ```ts
 * for await (const chunk of readOpenAIChatStream(response.body!)) translator.push(chunk);
 * ```
 */
export async function* readOpenAIChatStream(
  body: ReadableStream<Uint8Array>,
  options?: ParseServerSentEventsOptions,
): AsyncGenerator<OpenAIChatCompletionChunk, void, undefined> {
  for await (const event of parseServerSentEvents(body, options)) {
    if (event.data.startsWith('[DONE]')) return;
    if (event.data === '') continue;
    const value = parseJson(event.data) as { error?: { message?: string } } | null;
    if (value && typeof value === 'object' && value.error) {
      throw new PreloopError('UPSTREAM_ERROR', value.error.message ?? 'The upstream stream reported an error.', {
        details: value.error,
      });
    }
    yield value as OpenAIChatCompletionChunk;
  }
}

/**
 * Reads an Anthropic Messages stream as events (`ping` and `error` events
 * included; the translators ignore the first and throw on the second).
 *
 * @example
 * ```ts
 * for await (const event of readAnthropicStream(response.body!)) translator.push(event);
 * ```
 */
export async function* readAnthropicStream(
  body: ReadableStream<Uint8Array>,
  options?: ParseServerSentEventsOptions,
): AsyncGenerator<AnthropicStreamEvent, void, undefined> {
  for await (const event of parseServerSentEvents(body, options)) {
    if (event.data === '') continue;
    const value = parseJson(event.data) as AnthropicStreamEvent;
    if (!value || typeof value !== 'object' || typeof value.type !== 'string') {
      throw new PreloopError('UPSTREAM_ERROR', 'The upstream stream sent an event without a type.');
    }
    yield value;
  }
}
