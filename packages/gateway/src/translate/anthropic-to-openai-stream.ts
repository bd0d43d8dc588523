/**
 * Anthropic Messages stream events → OpenAI chat completion chunks.
 *
 * @module
 */

import { PreloopError } from '@preloop/core';
import { createAnthropicUsageAccumulator } from '../usage/stream-usage.js';
import { toOpenAIChatUsage } from '../usage/usage.js';
import type { AnthropicStreamEvent } from '../wire/anthropic-types.js';
import type { OpenAIChatChunkDelta, OpenAIChatCompletionChunk, OpenAIChatFinishReason } from '../wire/openai-types.js';
import { nowInSeconds, toOpenAIFinishReason } from './shared.js';
import type { StreamTranslator } from './stream-translator.js';

/** Options of {@link createAnthropicToOpenAIStreamTranslator}. */
export interface AnthropicToOpenAIStreamOptions {
  /**
   * Emit the final usage chunk (empty `choices`) and `usage: null` on every
   * other chunk, as OpenAI does for `stream_options.include_usage`.
   * @default false
   */
  includeUsage?: boolean;
  /** The model name reported to the client. @default the upstream message's `model` */
  model?: string;
  /** The `created` timestamp of every chunk, in epoch seconds. @default now */
  created?: number;
}

type BlockState = { kind: 'text' } | { kind: 'tool'; toolIndex: number; ignoreDeltas: boolean } | { kind: 'ignored' };

/**
 * Creates a translator from Anthropic stream events to OpenAI chat completion
 * chunks. `message_start` becomes the role chunk, text deltas become `content`
 * deltas, each `tool_use` block becomes a tool call (its first chunk carries
 * `index`, `id`, `type` and `function.name`; `input_json_delta` fragments
 * follow as `function.arguments`), the `message_delta` stop reason becomes the
 * `finish_reason` chunk and, with `includeUsage`, `message_stop` becomes the
 * usage chunk. Thinking, citations and server-tool blocks are dropped; `ping`
 * is ignored; an `error` event throws `UPSTREAM_ERROR`.
 *
 * @example
 * ```ts
 * const translator = createAnthropicToOpenAIStreamTranslator({ includeUsage: true, model: 'my-alias' });
 * for await (const event of anthropicEvents) {
 *   for (const chunk of translator.push(event)) write(encodeOpenAIChatChunk(chunk));
 * }
 * for (const chunk of translator.end()) write(encodeOpenAIChatChunk(chunk));
 * write(openAIStreamDone);
 * ```
 */
export function createAnthropicToOpenAIStreamTranslator(
  options: AnthropicToOpenAIStreamOptions = {},
): StreamTranslator<AnthropicStreamEvent, OpenAIChatCompletionChunk> {
  const includeUsage = options.includeUsage ?? false;
  const created = options.created ?? nowInSeconds();
  const usage = createAnthropicUsageAccumulator();
  const blocks = new Map<number, BlockState>();
  let id = '';
  let model = options.model ?? '';
  let started = false;
  let toolCount = 0;
  let finished = false;
  let usageSent = false;

  const chunk = (delta: OpenAIChatChunkDelta, finishReason: OpenAIChatFinishReason | null = null) =>
    ({
      id,
      object: 'chat.completion.chunk',
      created,
      model,
      choices: [{ index: 0, delta, finish_reason: finishReason, logprobs: null }],
      ...(includeUsage ? { usage: null } : {}),
    }) satisfies OpenAIChatCompletionChunk;

  const usageChunk = (): OpenAIChatCompletionChunk[] => {
    if (!includeUsage || usageSent || !started) return [];
    usageSent = true;
    return [{ id, object: 'chat.completion.chunk', created, model, choices: [], usage: toOpenAIChatUsage(usage.usage) }];
  };

  return {
    push(event) {
      usage.push(event);
      switch (event.type) {
        case 'message_start':
          started = true;
          id = event.message.id;
          model = options.model ?? event.message.model;
          return [chunk({ role: 'assistant' })];
        case 'content_block_start': {
          const block = event.content_block;
          if (block.type === 'text') {
            blocks.set(event.index, { kind: 'text' });
            return block.text ? [chunk({ content: block.text })] : [];
          }
          if (block.type === 'tool_use') {
            const toolIndex = toolCount++;
            const input = block.input;
            const hasInput = typeof input === 'object' && input !== null && Object.keys(input).length > 0;
            blocks.set(event.index, { kind: 'tool', toolIndex, ignoreDeltas: hasInput });
            const args = hasInput ? JSON.stringify(input) : '';
            return [
              chunk({
                tool_calls: [{ index: toolIndex, id: block.id, type: 'function', function: { name: block.name, arguments: args } }],
              }),
            ];
          }
          blocks.set(event.index, { kind: 'ignored' });
          return [];
        }
        case 'content_block_delta': {
          const state = blocks.get(event.index);
          const delta = event.delta;
          if (state?.kind === 'text' && delta.type === 'text_delta' && delta.text !== '') {
            return [chunk({ content: delta.text })];
          }
          if (state?.kind === 'tool' && !state.ignoreDeltas && delta.type === 'input_json_delta' && delta.partial_json !== '') {
            return [chunk({ tool_calls: [{ index: state.toolIndex, function: { arguments: delta.partial_json } }] })];
          }
          return [];
        }
        case 'message_delta':
          if (finished || !event.delta?.stop_reason) return [];
          finished = true;
          return [chunk({}, toOpenAIFinishReason(event.delta.stop_reason))];
        case 'message_stop':
          return usageChunk();
        case 'error':
          throw new PreloopError('UPSTREAM_ERROR', event.error?.message ?? 'Upstream stream error.', {
            details: { type: event.error?.type },
          });
        default:
          return [];
      }
    },
    end() {
      if (!started) return [];
      const closing: OpenAIChatCompletionChunk[] = [];
      if (!finished) {
        finished = true;
        closing.push(chunk({}, 'stop'));
      }
      return [...closing, ...usageChunk()];
    },
    get usage() {
      return usage.usage;
    },
  };
}
