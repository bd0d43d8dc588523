/**
 * OpenAI chat completion chunks → Anthropic Messages stream events.
 *
 * @module
 */

import { createOpenAIChatUsageAccumulator } from '../usage/stream-usage.js';
import { toAnthropicUsage } from '../usage/usage.js';
import type { AnthropicMessageDeltaUsage, AnthropicStreamEvent } from '../wire/anthropic-types.js';
import type { OpenAIChatCompletionChunk, OpenAIChatFinishReason } from '../wire/openai-types.js';
import { toAnthropicStopReason } from './shared.js';
import type { StreamTranslator } from './stream-translator.js';

/** Options of {@link createOpenAIToAnthropicStreamTranslator}. */
export interface OpenAIToAnthropicStreamOptions {
  /** The model name reported to the client. @default the upstream chunks' `model` */
  model?: string;
}

type OpenBlock = { index: number; kind: 'text' | 'tool' };

/**
 * Creates a translator from OpenAI chat completion chunks to Anthropic stream
 * events: the first chunk opens the message (`message_start`), text deltas
 * become a text block, each tool call a `tool_use` block whose argument
 * fragments are `input_json_delta`s; blocks are opened and closed
 * (`content_block_start`/`content_block_stop`) in order. Because OpenAI sends
 * usage only after the finish reason, `message_delta` (stop reason and usage,
 * input and cache counters included) and `message_stop` are emitted by
 * `end()`. The upstream request should set `stream_options.include_usage`;
 * without it the usage is zero. Only the first choice is used; tool call
 * fragments that arrive after another block opened (OpenAI does not
 * interleave them) are still sent against their own block index.
 *
 * @example
 * ```ts
 * const translator = createOpenAIToAnthropicStreamTranslator({ model: 'my-alias' });
 * for await (const chunk of openAIChunks) {
 *   for (const event of translator.push(chunk)) write(encodeAnthropicEvent(event));
 * }
 * for (const event of translator.end()) write(encodeAnthropicEvent(event));
 * ```
 */
export function createOpenAIToAnthropicStreamTranslator(
  options: OpenAIToAnthropicStreamOptions = {},
): StreamTranslator<OpenAIChatCompletionChunk, AnthropicStreamEvent> {
  const usage = createOpenAIChatUsageAccumulator();
  const toolBlocks = new Map<number, number>();
  let started = false;
  let ended = false;
  let id = '';
  let model = options.model ?? '';
  let open: OpenBlock | null = null;
  let nextIndex = 0;
  let finishReason: OpenAIChatFinishReason | null = null;

  const close = (out: AnthropicStreamEvent[]) => {
    if (open) out.push({ type: 'content_block_stop', index: open.index });
    open = null;
  };

  return {
    push(chunk) {
      const out: AnthropicStreamEvent[] = [];
      usage.push(chunk);
      if (ended) return out;
      if (!started) {
        started = true;
        id = chunk.id;
        model = options.model ?? chunk.model;
        out.push({
          type: 'message_start',
          message: {
            id,
            type: 'message',
            role: 'assistant',
            model,
            content: [],
            stop_reason: null,
            stop_sequence: null,
            usage: { input_tokens: 0, output_tokens: 0 },
          },
        });
      }
      const choice = chunk.choices?.find((candidate) => candidate.index === 0);
      if (!choice) return out;
      const delta = choice.delta ?? {};
      const text = (delta.content ?? '') + (delta.refusal ?? '');
      if (text !== '') {
        if (open?.kind !== 'text') {
          close(out);
          open = { index: nextIndex++, kind: 'text' };
          out.push({ type: 'content_block_start', index: open.index, content_block: { type: 'text', text: '' } });
        }
        out.push({ type: 'content_block_delta', index: open.index, delta: { type: 'text_delta', text } });
      }
      for (const call of delta.tool_calls ?? []) {
        let index = toolBlocks.get(call.index);
        if (index === undefined) {
          close(out);
          index = nextIndex++;
          toolBlocks.set(call.index, index);
          open = { index, kind: 'tool' };
          out.push({
            type: 'content_block_start',
            index,
            content_block: {
              type: 'tool_use',
              id: call.id ?? `toolu_${id}_${call.index}`,
              name: call.function?.name ?? '',
              input: {},
            },
          });
        }
        const fragment = call.function?.arguments;
        if (fragment) {
          out.push({ type: 'content_block_delta', index, delta: { type: 'input_json_delta', partial_json: fragment } });
        }
      }
      if (choice.finish_reason) {
        close(out);
        finishReason = choice.finish_reason;
      }
      return out;
    },
    end() {
      const out: AnthropicStreamEvent[] = [];
      if (!started || ended) return out;
      ended = true;
      close(out);
      const final = toAnthropicUsage(usage.usage);
      const deltaUsage: AnthropicMessageDeltaUsage = {
        input_tokens: final.input_tokens,
        cache_creation_input_tokens: final.cache_creation_input_tokens ?? 0,
        cache_read_input_tokens: final.cache_read_input_tokens ?? 0,
        output_tokens: final.output_tokens,
        ...(final.output_tokens_details ? { output_tokens_details: final.output_tokens_details } : {}),
      };
      out.push({
        type: 'message_delta',
        delta: { stop_reason: toAnthropicStopReason(finishReason), stop_sequence: null },
        usage: deltaUsage,
      });
      out.push({ type: 'message_stop' });
      return out;
    },
    get usage() {
      return usage.usage;
    },
  };
}
