import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { anthropicMessageArbitrary, cutsArbitrary } from '../../test-fixtures/arbitraries.js';
import { accumulateOpenAIChunks, anthropicEventsOf, byteStream, collect, translateAll } from '../../test-fixtures/stream-helpers.js';
import { anthropicToolUseMessage, anthropicToolUseTranscript, anthropicTruncatedMessage } from '../../test-fixtures/wire-fixtures.js';
import { readAnthropicStream } from '../sse/parse-provider-streams.js';
import { toOpenAIChatCompletion } from './anthropic-to-openai-response.js';
import { createAnthropicToOpenAIStreamTranslator } from './anthropic-to-openai-stream.js';

describe('createAnthropicToOpenAIStreamTranslator', () => {
  it('translates a streamed tool call read off the wire, with tool call deltas and the usage chunk', async () => {
    const events = await collect(readAnthropicStream(byteStream(anthropicToolUseTranscript, 13)));
    const translator = createAnthropicToOpenAIStreamTranslator({ includeUsage: true, model: 'claude-alias', created: 1_700_000_000 });
    const chunks = translateAll(translator, events);
    const base = { id: 'msg_014p7gG3wDgGV9EUtLvnow3U', object: 'chat.completion.chunk', created: 1_700_000_000, model: 'claude-alias' };
    const choice = (delta: object, finish_reason: string | null = null) => ({
      ...base,
      choices: [{ index: 0, delta, finish_reason, logprobs: null }],
      usage: null,
    });
    expect(chunks).toEqual([
      choice({ role: 'assistant' }),
      choice({ content: "Okay, let's check" }),
      choice({ content: ' the weather.' }),
      choice({
        tool_calls: [
          { index: 0, id: 'toolu_01T1x1fJ34qAmk2tNTrN7Up6', type: 'function', function: { name: 'get_weather', arguments: '' } },
        ],
      }),
      choice({ tool_calls: [{ index: 0, function: { arguments: '{"location":' } }] }),
      choice({ tool_calls: [{ index: 0, function: { arguments: ' "San Francisco, CA"}' } }] }),
      choice({}, 'tool_calls'),
      {
        ...base,
        choices: [],
        usage: {
          prompt_tokens: 2_520,
          completion_tokens: 89,
          total_tokens: 2_609,
          prompt_tokens_details: { cached_tokens: 2_048 },
          completion_tokens_details: { reasoning_tokens: 0 },
        },
      },
    ]);
    expect(translator.usage).toEqual({
      inputTokens: 2_520,
      outputTokens: 89,
      cachedInputTokens: 2_048,
      cacheCreationInputTokens: 0,
      reasoningTokens: 0,
    });
  });

  it('numbers parallel tool calls 0, 1, … whatever their block index', () => {
    const message = {
      ...anthropicToolUseMessage,
      content: [...anthropicToolUseMessage.content, { type: 'tool_use' as const, id: 'toolu_2', name: 'get_time', input: { zone: 'PST' } }],
    };
    const chunks = translateAll(createAnthropicToOpenAIStreamTranslator(), anthropicEventsOf(message, [0.5]));
    const starts = chunks.flatMap((chunk) => chunk.choices[0]?.delta.tool_calls ?? []).filter((call) => call.id);
    expect(starts.map((call) => [call.index, call.id])).toEqual([
      [0, 'toolu_01A09q90qw90lq917835lq9'],
      [1, 'toolu_2'],
    ]);
    expect(chunks.every((chunk) => !('usage' in chunk))).toBe(true);
  });

  it('drops thinking blocks and maps max_tokens to length', () => {
    const chunks = translateAll(createAnthropicToOpenAIStreamTranslator({ created: 1 }), anthropicEventsOf(anthropicTruncatedMessage));
    const completion = accumulateOpenAIChunks(chunks);
    expect(completion.choices[0]!.message.content).toBe('Autumn moonlight—\na worm digs silently\ninto the');
    expect(completion.choices[0]!.finish_reason).toBe('length');
  });

  it('keeps the usage seen when the stream breaks off, and still closes on end()', () => {
    const translator = createAnthropicToOpenAIStreamTranslator({ includeUsage: true });
    const events = anthropicEventsOf(anthropicToolUseMessage, [0.5]);
    for (const event of events.slice(0, 4)) translator.push(event);
    expect(translator.usage).toMatchObject({ inputTokens: 2_520, cachedInputTokens: 2_048 });
    const closing = translator.end();
    expect(closing.map((chunk) => chunk.choices[0]?.finish_reason ?? 'usage')).toEqual(['stop', 'usage']);
    expect(closing[1]!.usage).toMatchObject({ prompt_tokens: 2_520 });
    expect(translator.end()).toEqual([]);
  });

  it('throws an upstream error on an error event', () => {
    const translator = createAnthropicToOpenAIStreamTranslator();
    translator.push(anthropicEventsOf(anthropicToolUseMessage)[0]!);
    expect(() => translator.push({ type: 'error', error: { type: 'overloaded_error', message: 'Overloaded' } })).toThrow(
      expect.objectContaining({ code: 'UPSTREAM_ERROR', message: 'Overloaded', details: { type: 'overloaded_error' } }),
    );
  });

  it('streams exactly what the non-streaming translation returns', () => {
    fc.assert(
      fc.property(anthropicMessageArbitrary, cutsArbitrary, (message, cuts) => {
        const chunks = translateAll(
          createAnthropicToOpenAIStreamTranslator({ includeUsage: true, created: 7 }),
          anthropicEventsOf(message, cuts),
        );
        expect(accumulateOpenAIChunks(chunks)).toEqual(toOpenAIChatCompletion(message, { created: 7 }));
      }),
      { numRuns: 300 },
    );
  });
});
