import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { anthropicMessageArbitrary, cutsArbitrary } from '../../test-fixtures/arbitraries.js';
import { accumulateAnthropicEvents, byteStream, collect, openAIChunksOf, translateAll } from '../../test-fixtures/stream-helpers.js';
import { openAIToolCallsCompletion, openAIToolCallTranscript } from '../../test-fixtures/wire-fixtures.js';
import { readOpenAIChatStream } from '../sse/parse-provider-streams.js';
import { toOpenAIChatCompletion } from './anthropic-to-openai-response.js';
import { toAnthropicMessage } from './openai-to-anthropic-response.js';
import { createOpenAIToAnthropicStreamTranslator } from './openai-to-anthropic-stream.js';

describe('createOpenAIToAnthropicStreamTranslator', () => {
  it('translates a streamed tool call read off the wire into the Anthropic event sequence', async () => {
    const chunks = await collect(readOpenAIChatStream(byteStream(openAIToolCallTranscript, 11)));
    const translator = createOpenAIToAnthropicStreamTranslator({ model: 'gpt-alias' });
    expect(translateAll(translator, chunks)).toEqual([
      {
        type: 'message_start',
        message: {
          id: 'chatcmpl-AxMZ',
          type: 'message',
          role: 'assistant',
          model: 'gpt-alias',
          content: [],
          stop_reason: null,
          stop_sequence: null,
          usage: { input_tokens: 0, output_tokens: 0 },
        },
      },
      {
        type: 'content_block_start',
        index: 0,
        content_block: { type: 'tool_use', id: 'call_DdmO9pD3xa9XTPNJ32zg2hcA', name: 'get_weather', input: {} },
      },
      { type: 'content_block_delta', index: 0, delta: { type: 'input_json_delta', partial_json: '{"' } },
      { type: 'content_block_delta', index: 0, delta: { type: 'input_json_delta', partial_json: 'location' } },
      { type: 'content_block_delta', index: 0, delta: { type: 'input_json_delta', partial_json: '":"Paris, France"}' } },
      { type: 'content_block_stop', index: 0 },
      {
        type: 'message_delta',
        delta: { stop_reason: 'tool_use', stop_sequence: null },
        usage: { input_tokens: 84, cache_creation_input_tokens: 0, cache_read_input_tokens: 0, output_tokens: 17 },
      },
      { type: 'message_stop' },
    ]);
    expect(translator.usage).toMatchObject({ inputTokens: 84, outputTokens: 17 });
  });

  it('opens a text block, then one block per parallel tool call, in order', () => {
    const completion = structuredClone(openAIToolCallsCompletion);
    completion.choices[0]!.message.content = 'Checking both cities.';
    const events = translateAll(createOpenAIToAnthropicStreamTranslator(), openAIChunksOf(completion, [0.4]));
    const blocks = events.filter((event) => event.type === 'content_block_start' || event.type === 'content_block_stop');
    expect(blocks.map((event) => `${event.type === 'content_block_start' ? 'start' : 'stop'}:${event.index}`)).toEqual([
      'start:0',
      'stop:0',
      'start:1',
      'stop:1',
      'start:2',
      'stop:2',
    ]);
    const message = accumulateAnthropicEvents(events);
    expect(message.content).toEqual([
      { type: 'text', text: 'Checking both cities.' },
      { type: 'tool_use', id: 'call_ZiIpFHsgmBFDYmgRNmXe4wkA', name: 'get_weather', input: { location: 'Paris, France' } },
      { type: 'tool_use', id: 'call_3q9bVfT2Jk1Ll0mX7cO8eN4s', name: 'get_weather', input: { location: 'Bogotá, Colombia' } },
    ]);
    expect(message.usage).toMatchObject({ input_tokens: 194, cache_read_input_tokens: 1_920, output_tokens: 58 });
  });

  it('closes an interrupted stream on end() with the usage seen (none without the usage chunk)', () => {
    const translator = createOpenAIToAnthropicStreamTranslator();
    for (const chunk of openAIChunksOf(openAIToolCallsCompletion, [0.5]).slice(0, 4)) translator.push(chunk);
    const closing = translator.end();
    expect(closing.map((event) => event.type)).toEqual(['content_block_stop', 'message_delta', 'message_stop']);
    expect(translator.usage.inputTokens).toBe(0);
    expect(translator.end()).toEqual([]);
  });

  it('emits nothing for an upstream that sent nothing', () => {
    expect(createOpenAIToAnthropicStreamTranslator().end()).toEqual([]);
  });

  it('streams exactly what the non-streaming translation returns', () => {
    fc.assert(
      fc.property(anthropicMessageArbitrary, cutsArbitrary, (source, cuts) => {
        const completion = toOpenAIChatCompletion(source, { created: 7 });
        const events = translateAll(createOpenAIToAnthropicStreamTranslator(), openAIChunksOf(completion, cuts));
        expect(accumulateAnthropicEvents(events)).toEqual(toAnthropicMessage(completion));
      }),
      { numRuns: 300 },
    );
  });
});
