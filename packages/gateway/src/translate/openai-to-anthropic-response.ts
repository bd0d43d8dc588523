/**
 * OpenAI chat completion (non-streaming response) → Anthropic message.
 *
 * @module
 */

import { PreloopError } from '@preloop/core';
import { createUsage, fromOpenAIChatUsage, toAnthropicUsage } from '../usage/usage.js';
import type { AnthropicContentBlock, AnthropicMessage } from '../wire/anthropic-types.js';
import type { OpenAIChatCompletion } from '../wire/openai-types.js';
import { parseToolArguments, toAnthropicStopReason } from './shared.js';

/** Options of {@link toAnthropicMessage}. */
export interface ToAnthropicMessageOptions {
  /** The model name reported to the client. @default the completion's `model` */
  model?: string;
}

/**
 * Translates an OpenAI chat completion into an Anthropic message: `content`
 * (or a `refusal`) becomes a text block, each function tool call a `tool_use`
 * block with its JSON `arguments` parsed into `input` (arguments that are not
 * a JSON object are an `UPSTREAM_ERROR`), the finish reason a stop reason
 * (`stop` → `end_turn`, `length` → `max_tokens`, `tool_calls` → `tool_use`,
 * `content_filter` → `refusal`) and usage is mapped with cached tokens moved
 * from `input_tokens` to `cache_read_input_tokens`. Only the first choice is
 * used.
 *
 * @example
 * ```ts
 * const message = toAnthropicMessage(chatCompletion, { model: 'my-alias' });
 * message.content; // [{ type: 'text', text: 'Hello!' }]
 * ```
 */
export function toAnthropicMessage(completion: OpenAIChatCompletion, options: ToAnthropicMessageOptions = {}): AnthropicMessage {
  const choice = completion.choices[0];
  if (!choice) throw new PreloopError('UPSTREAM_ERROR', 'The upstream chat completion has no choices.');
  const { message } = choice;
  const content: AnthropicContentBlock[] = [];
  const text = message.content || message.refusal || '';
  if (text !== '') content.push({ type: 'text', text });
  for (const call of message.tool_calls ?? []) {
    if (call.type !== 'function') continue;
    content.push({
      type: 'tool_use',
      id: call.id,
      name: call.function.name,
      input: parseToolArguments(call.function.arguments, {
        toolCallId: call.id,
        toolName: call.function.name,
        code: 'UPSTREAM_ERROR',
      }),
    });
  }
  return {
    id: completion.id,
    type: 'message',
    role: 'assistant',
    model: options.model ?? completion.model,
    content,
    stop_reason: toAnthropicStopReason(choice.finish_reason),
    stop_sequence: null,
    usage: toAnthropicUsage(completion.usage ? fromOpenAIChatUsage(completion.usage) : createUsage()),
  };
}
