/**
 * Serialization of server-sent events for the gateway's streamed responses.
 *
 * @module
 */

import { PreloopError } from '@preloop/core';
import type { AnthropicStreamEvent } from '../wire/anthropic-types.js';
import type { ResponsesStreamEvent } from '../wire/openai-responses-types.js';
import type { OpenAIChatCompletionChunk, OpenAIErrorBody } from '../wire/openai-types.js';
import type { ServerSentEvent } from './parse-sse.js';

/** The terminating event of an OpenAI chat completions stream. */
export const openAIStreamDone = 'data: [DONE]\n\n';

function singleLine(value: string, field: string): string {
  if (/[\r\n]/.test(value)) {
    throw new PreloopError('INTERNAL_ERROR', `A server-sent event's ${field} field cannot contain a line break.`);
  }
  return value;
}

/**
 * Serializes one server-sent event: optional `id:` and `event:` lines, one
 * `data:` line per line of data, and the terminating blank line.
 *
 * @example
 * ```ts
 * serializeServerSentEvent({ event: 'ping', data: '{"type":"ping"}' });
 * // 'event: ping\ndata: {"type":"ping"}\n\n'
 * ```
 */
export function serializeServerSentEvent(event: ServerSentEvent): string {
  let text = '';
  if (event.id !== undefined) text += `id: ${singleLine(event.id, 'id')}\n`;
  if (event.event !== undefined) text += `event: ${singleLine(event.event, 'event')}\n`;
  for (const line of event.data.split(/\r\n|\r|\n/)) text += `data: ${line}\n`;
  return `${text}\n`;
}

/**
 * Serializes an OpenAI chat completion chunk (`data:` only, as OpenAI does).
 *
 * @example
 * ```ts
 * controller.enqueue(encoder.encode(encodeOpenAIChatChunk(chunk)));
 * ```
 */
export function encodeOpenAIChatChunk(chunk: OpenAIChatCompletionChunk): string {
  return `data: ${JSON.stringify(chunk)}\n\n`;
}

/**
 * Serializes an OpenAI error as a mid-stream `data:` event, which the official
 * SDK raises as an `APIError`.
 *
 * @example
 * ```ts
 * write(encodeOpenAIStreamError({ error: { message: 'Upstream failed', type: 'server_error', param: null, code: null } }));
 * ```
 */
export function encodeOpenAIStreamError(error: OpenAIErrorBody): string {
  return `data: ${JSON.stringify(error)}\n\n`;
}

/**
 * Serializes an Anthropic stream event with its `event:` line (the official
 * SDK ignores events without one).
 *
 * @example
 * ```ts
 * encodeAnthropicEvent({ type: 'message_stop' }); // 'event: message_stop\ndata: {"type":"message_stop"}\n\n'
 * ```
 */
export function encodeAnthropicEvent(event: AnthropicStreamEvent): string {
  return `event: ${event.type}\ndata: ${JSON.stringify(event)}\n\n`;
}

/**
 * Serializes an OpenAI Responses stream event with its `event:` line, as the
 * OpenAI API does.
 *
 * @example
 * ```ts
 * write(encodeResponsesEvent(event));
 * ```
 */
export function encodeResponsesEvent(event: ResponsesStreamEvent): string {
  return `event: ${event.type}\ndata: ${JSON.stringify(event)}\n\n`;
}
