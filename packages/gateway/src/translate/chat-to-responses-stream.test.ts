import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { anthropicMessageArbitrary, cutsArbitrary } from '../../test-fixtures/arbitraries.js';
import { anthropicEventsOf, openAIChunksOf, translateAll } from '../../test-fixtures/stream-helpers.js';
import { anthropicToolUseMessage, openAIToolCallsCompletion, openAITextCompletion } from '../../test-fixtures/wire-fixtures.js';
import type { ResponsesOutputItem, ResponsesResponse, ResponsesStreamEvent } from '../wire/openai-responses-types.js';
import { toOpenAIChatCompletion } from './anthropic-to-openai-response.js';
import { createAnthropicToOpenAIStreamTranslator } from './anthropic-to-openai-stream.js';
import { toResponsesResponse } from './chat-to-responses-response.js';
import { createOpenAIChatToResponsesStreamTranslator } from './chat-to-responses-stream.js';

/** Folds Responses events into the response, with the rules of the OpenAI SDK's ResponseStream. */
function accumulate(events: ResponsesStreamEvent[]): ResponsesResponse {
  let snapshot: ResponsesResponse | undefined;
  events.forEach((event, index) => {
    expect(event.sequence_number).toBe(index);
    if (!snapshot) {
      expect(event.type).toBe('response.created');
      snapshot = structuredClone((event as { response: ResponsesResponse }).response);
      return;
    }
    switch (event.type) {
      case 'response.output_item.added':
        snapshot.output.push(structuredClone(event.item));
        break;
      case 'response.content_part.added': {
        const item = snapshot.output[event.output_index];
        if (item?.type !== 'message') throw new Error('content part for a non-message item');
        item.content.push(structuredClone(event.part));
        break;
      }
      case 'response.output_text.delta': {
        const item = snapshot.output[event.output_index];
        const part = item?.type === 'message' ? item.content[event.content_index] : undefined;
        if (part?.type !== 'output_text') throw new Error('text delta without an output_text part');
        part.text += event.delta;
        break;
      }
      case 'response.function_call_arguments.delta': {
        const item = snapshot.output[event.output_index] as ResponsesOutputItem;
        if (item.type !== 'function_call') throw new Error('arguments delta for a non-function item');
        item.arguments += event.delta;
        break;
      }
      case 'response.completed':
      case 'response.incomplete':
        snapshot = event.response;
        break;
      default:
        break;
    }
  });
  if (!snapshot) throw new Error('no events');
  return snapshot;
}

const types = (events: ResponsesStreamEvent[]) => events.map((event) => event.type);

describe('createOpenAIChatToResponsesStreamTranslator', () => {
  it('emits the documented event sequence for a text answer', () => {
    const events = translateAll(
      createOpenAIChatToResponsesStreamTranslator({ completedAt: 9 }),
      openAIChunksOf(openAITextCompletion, [0.5]),
    );
    expect(types(events)).toEqual([
      'response.created',
      'response.in_progress',
      'response.output_item.added',
      'response.content_part.added',
      'response.output_text.delta',
      'response.output_text.delta',
      'response.output_text.done',
      'response.content_part.done',
      'response.output_item.done',
      'response.completed',
    ]);
    const done = events.find((event) => event.type === 'response.output_text.done');
    expect(done).toMatchObject({
      text: openAITextCompletion.choices[0]!.message.content,
      item_id: 'msg_chatcmpl-B9MHDbslfkBeAs8l4bebGdFOJ6PeG',
    });
    const created = events[0] as { response: ResponsesResponse };
    expect(created.response.status).toBe('in_progress');
    expect(created.response.output).toEqual([]);
    const completed = events.at(-1) as { response: ResponsesResponse };
    expect(completed.response.usage).toMatchObject({ input_tokens: 1_117, output_tokens: 46 });
  });

  it('emits function_call items with argument deltas', () => {
    const events = translateAll(createOpenAIChatToResponsesStreamTranslator(), openAIChunksOf(openAIToolCallsCompletion, [0.5]));
    expect(types(events)).toEqual([
      'response.created',
      'response.in_progress',
      'response.output_item.added',
      'response.function_call_arguments.delta',
      'response.function_call_arguments.delta',
      'response.function_call_arguments.done',
      'response.output_item.done',
      'response.output_item.added',
      'response.function_call_arguments.delta',
      'response.function_call_arguments.delta',
      'response.function_call_arguments.done',
      'response.output_item.done',
      'response.completed',
    ]);
    expect(events[5]).toMatchObject({ name: 'get_weather', arguments: '{"location":"Paris, France"}', output_index: 0 });
    expect(events[7]).toMatchObject({
      output_index: 1,
      item: { call_id: 'call_3q9bVfT2Jk1Ll0mX7cO8eN4s', arguments: '', status: 'in_progress' },
    });
  });

  it('ends with response.incomplete when the answer was cut at max tokens', () => {
    const base = openAITextCompletion.choices[0]!;
    const truncated = { ...openAITextCompletion, choices: [{ ...base, finish_reason: 'length' as const }] };
    const events = translateAll(createOpenAIChatToResponsesStreamTranslator(), openAIChunksOf(truncated));
    expect(events.at(-1)).toMatchObject({
      type: 'response.incomplete',
      response: { status: 'incomplete', incomplete_details: { reason: 'max_output_tokens' } },
    });
  });

  it('serves an Anthropic upstream through two translators', () => {
    const anthropicToChat = createAnthropicToOpenAIStreamTranslator({ includeUsage: true, created: 5 });
    const chatToResponses = createOpenAIChatToResponsesStreamTranslator({ completedAt: 6 });
    const chunks = translateAll(anthropicToChat, anthropicEventsOf(anthropicToolUseMessage, [0.3, 0.6]));
    const response = accumulate(translateAll(chatToResponses, chunks));
    expect(response.output.map((item) => item.type)).toEqual(['message', 'function_call']);
    expect(response.output[1]).toMatchObject({ name: 'get_weather', arguments: '{"location":"San Francisco, CA","unit":"celsius"}' });
    expect(response.usage).toEqual({
      input_tokens: 2_520,
      input_tokens_details: { cached_tokens: 2_048 },
      output_tokens: 89,
      output_tokens_details: { reasoning_tokens: 0 },
      total_tokens: 2_609,
    });
  });

  it('streams exactly what the non-streaming translation returns, and its deltas add up to it', () => {
    fc.assert(
      fc.property(anthropicMessageArbitrary, cutsArbitrary, (source, cuts) => {
        const completion = toOpenAIChatCompletion(source, { created: 7 });
        const events = translateAll(createOpenAIChatToResponsesStreamTranslator({ completedAt: 8 }), openAIChunksOf(completion, cuts));
        const expected = toResponsesResponse(completion, { completedAt: 8 });
        expect((events.at(-1) as { response: ResponsesResponse }).response).toEqual(expected);
        const folded = accumulate(events.slice(0, -1));
        expect(folded.output.map((item) => ({ ...item, status: 'completed' }))).toEqual(
          expected.output.map((item) => ({ ...item, status: 'completed' })),
        );
      }),
      { numRuns: 300 },
    );
  });
});
