/**
 * Test helpers: build realistic upstream streams from complete messages (cut
 * at chosen points), fold streams back into complete messages, and turn text
 * into byte streams. They follow the providers' documented stream shapes and
 * the official SDKs' accumulation rules.
 */

import type { AnthropicContentBlock, AnthropicMessage, AnthropicStreamEvent } from '../src/wire/anthropic-types.js';
import type { OpenAIChatCompletion, OpenAIChatCompletionChunk, OpenAIChatFunctionToolCall } from '../src/wire/openai-types.js';

/** Cuts `text` into pieces; `cuts` are fractions in [0, 1). Never returns empty pieces. */
export function splitText(text: string, cuts: readonly number[] = []): string[] {
  const points = [...new Set(cuts.map((cut) => Math.floor(cut * text.length)))]
    .filter((point) => point > 0 && point < text.length)
    .sort((a, b) => a - b);
  const pieces: string[] = [];
  let start = 0;
  for (const point of points) {
    pieces.push(text.slice(start, point));
    start = point;
  }
  if (start < text.length) pieces.push(text.slice(start));
  return pieces;
}

/** The Anthropic event stream that produces `message`, deltas cut at `cuts`. */
export function anthropicEventsOf(message: AnthropicMessage, cuts: readonly number[] = []): AnthropicStreamEvent[] {
  const usage = message.usage;
  const events: AnthropicStreamEvent[] = [
    {
      type: 'message_start',
      message: {
        ...message,
        content: [],
        stop_reason: null,
        stop_sequence: null,
        usage: {
          input_tokens: usage.input_tokens,
          cache_creation_input_tokens: usage.cache_creation_input_tokens ?? 0,
          cache_read_input_tokens: usage.cache_read_input_tokens ?? 0,
          output_tokens: 1,
        },
      },
    },
  ];
  message.content.forEach((block, index) => {
    if (block.type === 'text') {
      events.push({ type: 'content_block_start', index, content_block: { type: 'text', text: '' } });
      for (const text of splitText(block.text, cuts)) {
        events.push({ type: 'content_block_delta', index, delta: { type: 'text_delta', text } });
      }
    } else if (block.type === 'tool_use') {
      events.push({
        type: 'content_block_start',
        index,
        content_block: { type: 'tool_use', id: block.id, name: block.name, input: {} },
      });
      events.push({ type: 'content_block_delta', index, delta: { type: 'input_json_delta', partial_json: '' } });
      for (const partial_json of splitText(JSON.stringify(block.input), cuts)) {
        events.push({ type: 'content_block_delta', index, delta: { type: 'input_json_delta', partial_json } });
      }
    } else {
      events.push({ type: 'content_block_start', index, content_block: block });
    }
    events.push({ type: 'content_block_stop', index });
    if (index === 0) events.push({ type: 'ping' });
  });
  events.push({
    type: 'message_delta',
    delta: { stop_reason: message.stop_reason, stop_sequence: message.stop_sequence },
    usage: {
      output_tokens: usage.output_tokens,
      ...(usage.output_tokens_details ? { output_tokens_details: usage.output_tokens_details } : {}),
    },
  });
  events.push({ type: 'message_stop' });
  return events;
}

/** Folds Anthropic stream events into the message, as the Anthropic SDK's `MessageStream` does. */
export function accumulateAnthropicEvents(events: readonly AnthropicStreamEvent[]): AnthropicMessage {
  let message: AnthropicMessage | undefined;
  const json = new Map<number, string>();
  for (const event of events) {
    if (event.type === 'message_start') {
      message = structuredClone(event.message);
      continue;
    }
    if (!message) throw new Error(`event ${event.type} before message_start`);
    switch (event.type) {
      case 'content_block_start':
        message.content[event.index] = structuredClone(event.content_block);
        break;
      case 'content_block_delta': {
        const block = message.content[event.index] as AnthropicContentBlock;
        if (event.delta.type === 'text_delta' && block.type === 'text') block.text += event.delta.text;
        if (event.delta.type === 'input_json_delta' && block.type === 'tool_use') {
          json.set(event.index, (json.get(event.index) ?? '') + event.delta.partial_json);
        }
        break;
      }
      case 'content_block_stop': {
        const block = message.content[event.index];
        if (block?.type === 'tool_use') {
          const text = json.get(event.index) ?? '';
          block.input = text === '' ? {} : JSON.parse(text);
        }
        break;
      }
      case 'message_delta':
        message.stop_reason = event.delta.stop_reason;
        message.stop_sequence = event.delta.stop_sequence;
        message.usage.output_tokens = event.usage.output_tokens;
        if (event.usage.input_tokens != null) message.usage.input_tokens = event.usage.input_tokens;
        if (event.usage.cache_read_input_tokens != null) {
          message.usage.cache_read_input_tokens = event.usage.cache_read_input_tokens;
        }
        if (event.usage.cache_creation_input_tokens != null) {
          message.usage.cache_creation_input_tokens = event.usage.cache_creation_input_tokens;
        }
        if (event.usage.output_tokens_details != null) {
          message.usage.output_tokens_details = event.usage.output_tokens_details;
        }
        break;
      default:
        break;
    }
  }
  if (!message) throw new Error('no message_start');
  return message;
}

/** The OpenAI chunk stream that produces `completion`, deltas cut at `cuts`. */
export function openAIChunksOf(
  completion: OpenAIChatCompletion,
  cuts: readonly number[] = [],
  options: { includeUsage?: boolean } = {},
): OpenAIChatCompletionChunk[] {
  const includeUsage = options.includeUsage ?? true;
  const base = { id: completion.id, object: 'chat.completion.chunk' as const, created: completion.created, model: completion.model };
  const extra = includeUsage ? { usage: null } : {};
  const chunk = (
    delta: OpenAIChatCompletionChunk['choices'][number]['delta'],
    finish: OpenAIChatCompletionChunk['choices'][number]['finish_reason'] = null,
  ): OpenAIChatCompletionChunk => ({
    ...base,
    choices: [{ index: 0, delta, finish_reason: finish, logprobs: null }],
    ...extra,
  });
  const choice = completion.choices[0]!;
  const chunks: OpenAIChatCompletionChunk[] = [chunk({ role: 'assistant', content: '', refusal: null })];
  for (const content of splitText(choice.message.content ?? '', cuts)) chunks.push(chunk({ content }));
  (choice.message.tool_calls ?? []).forEach((call, index) => {
    const fn = (call as OpenAIChatFunctionToolCall).function;
    chunks.push(chunk({ tool_calls: [{ index, id: call.id, type: 'function', function: { name: fn.name, arguments: '' } }] }));
    for (const args of splitText(fn.arguments, cuts)) {
      chunks.push(chunk({ tool_calls: [{ index, function: { arguments: args } }] }));
    }
  });
  chunks.push(chunk({}, choice.finish_reason));
  if (includeUsage && completion.usage) chunks.push({ ...base, choices: [], usage: completion.usage });
  return chunks;
}

/** Folds OpenAI chunks into a completion, as the OpenAI SDK's `ChatCompletionStream` does. */
export function accumulateOpenAIChunks(chunks: readonly OpenAIChatCompletionChunk[]): OpenAIChatCompletion {
  const first = chunks[0];
  if (!first) throw new Error('no chunks');
  let content: string | null = null;
  let finish: OpenAIChatCompletion['choices'][number]['finish_reason'] | null = null;
  let role: string | undefined;
  const calls: OpenAIChatFunctionToolCall[] = [];
  let usage: OpenAIChatCompletion['usage'];
  for (const chunk of chunks) {
    if (chunk.usage) usage = chunk.usage;
    for (const choice of chunk.choices) {
      role ??= choice.delta.role;
      if (choice.delta.content != null) content = (content ?? '') + choice.delta.content;
      for (const call of choice.delta.tool_calls ?? []) {
        const existing = calls[call.index];
        if (!existing) {
          if (!call.id || !call.type || call.function?.name == null) throw new Error('tool call starts without id/type/name');
          calls[call.index] = {
            id: call.id,
            type: call.type,
            function: { name: call.function.name, arguments: call.function.arguments ?? '' },
          };
        } else {
          existing.function.arguments += call.function?.arguments ?? '';
        }
      }
      if (choice.finish_reason) finish = choice.finish_reason;
    }
  }
  if (role !== 'assistant') throw new Error('missing role');
  if (!finish) throw new Error('missing finish_reason');
  return {
    id: first.id,
    object: 'chat.completion',
    created: first.created,
    model: first.model,
    choices: [
      {
        index: 0,
        message: { role: 'assistant', content, refusal: null, ...(calls.length > 0 ? { tool_calls: calls } : {}) },
        finish_reason: finish,
        logprobs: null,
      },
    ],
    ...(usage ? { usage } : {}),
  };
}

/** A byte stream of `text`, delivered in pieces of `pieceSize` bytes (or at the given byte offsets). */
export function byteStream(text: string | Uint8Array, pieceSize = 7): ReadableStream<Uint8Array> {
  const bytes = typeof text === 'string' ? new TextEncoder().encode(text) : text;
  let offset = 0;
  return new ReadableStream<Uint8Array>({
    pull(controller) {
      if (offset >= bytes.length) {
        controller.close();
        return;
      }
      controller.enqueue(bytes.slice(offset, offset + pieceSize));
      offset += pieceSize;
    },
  });
}

/** Collects an async iterable into an array. */
export async function collect<T>(iterable: AsyncIterable<T>): Promise<T[]> {
  const items: T[] = [];
  for await (const item of iterable) items.push(item);
  return items;
}

/** Runs every event through a stream translator, then `end()`. */
export function translateAll<I, O>(translator: { push(event: I): O[]; end(): O[] }, events: readonly I[]): O[] {
  return [...events.flatMap((event) => translator.push(event)), ...translator.end()];
}
