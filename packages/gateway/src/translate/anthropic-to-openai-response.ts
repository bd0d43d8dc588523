/**
 * Anthropic message (non-streaming response) → OpenAI chat completion.
 *
 * @module
 */

import { fromAnthropicUsage, toOpenAIChatUsage } from '../usage/usage.js';
import type { AnthropicMessage } from '../wire/anthropic-types.js';
import type { OpenAIChatCompletion, OpenAIChatFunctionToolCall } from '../wire/openai-types.js';
import { nowInSeconds, stringifyToolInput, toOpenAIFinishReason } from './shared.js';

/** Options of {@link toOpenAIChatCompletion}. */
export interface ToOpenAIChatCompletionOptions {
  /** The model name reported to the client (for example the alias it asked for). @default the message's `model` */
  model?: string;
  /** The `created` timestamp, in epoch seconds. @default now */
  created?: number;
}

/**
 * Translates an Anthropic message into an OpenAI chat completion: text blocks
 * are joined into `content`, `tool_use` blocks become `tool_calls` with JSON
 * string `arguments`, the stop reason becomes a finish reason (`end_turn` and
 * `stop_sequence` → `stop`, `max_tokens` → `length`, `tool_use` →
 * `tool_calls`, `refusal` → `content_filter`) and usage is mapped with cache
 * reads and writes counted inside `prompt_tokens`. Thinking and server-tool
 * blocks have no chat completions equivalent and are dropped.
 *
 * @example
 * ```ts
 * const completion = toOpenAIChatCompletion(anthropicMessage, { model: 'my-alias' });
 * completion.choices[0].message.tool_calls?.[0].function.arguments; // '{"city":"Paris"}'
 * ```
 */
export function toOpenAIChatCompletion(message: AnthropicMessage, options: ToOpenAIChatCompletionOptions = {}): OpenAIChatCompletion {
  const texts: string[] = [];
  const toolCalls: OpenAIChatFunctionToolCall[] = [];
  for (const block of message.content) {
    if (block.type === 'text') texts.push(block.text);
    else if (block.type === 'tool_use') {
      toolCalls.push({
        id: block.id,
        type: 'function',
        function: { name: block.name, arguments: stringifyToolInput(block.input) },
      });
    }
  }
  return {
    id: message.id,
    object: 'chat.completion',
    created: options.created ?? nowInSeconds(),
    model: options.model ?? message.model,
    choices: [
      {
        index: 0,
        message: {
          role: 'assistant',
          content: texts.join('') || null,
          refusal: null,
          ...(toolCalls.length > 0 ? { tool_calls: toolCalls } : {}),
        },
        finish_reason: toOpenAIFinishReason(message.stop_reason),
        logprobs: null,
      },
    ],
    usage: toOpenAIChatUsage(fromAnthropicUsage(message.usage)),
  };
}
