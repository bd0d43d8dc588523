import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { PreloopError } from '@preloop/core';
import { anthropicMessageArbitrary } from '../../test-fixtures/arbitraries.js';
import { openAIToolCallsCompletion, openAITextCompletion } from '../../test-fixtures/wire-fixtures.js';
import { toOpenAIChatCompletion } from './anthropic-to-openai-response.js';
import { toAnthropicMessage } from './openai-to-anthropic-response.js';

describe('toAnthropicMessage', () => {
  it('turns parallel tool calls into tool_use blocks and cached tokens into cache reads', () => {
    expect(toAnthropicMessage(openAIToolCallsCompletion, { model: 'gpt-alias' })).toEqual({
      id: 'chatcmpl-BHkW5vPqYcnB8GYJbT2cBRmFxP4v',
      type: 'message',
      role: 'assistant',
      model: 'gpt-alias',
      content: [
        { type: 'tool_use', id: 'call_ZiIpFHsgmBFDYmgRNmXe4wkA', name: 'get_weather', input: { location: 'Paris, France' } },
        { type: 'tool_use', id: 'call_3q9bVfT2Jk1Ll0mX7cO8eN4s', name: 'get_weather', input: { location: 'Bogotá, Colombia' } },
      ],
      stop_reason: 'tool_use',
      stop_sequence: null,
      usage: { input_tokens: 194, cache_read_input_tokens: 1_920, cache_creation_input_tokens: 0, output_tokens: 58 },
    });
  });

  it('turns text into a text block and stop into end_turn', () => {
    const message = toAnthropicMessage(openAITextCompletion);
    expect(message.content).toEqual([{ type: 'text', text: 'The image shows a wooden boardwalk through a lush green marsh.' }]);
    expect(message.stop_reason).toBe('end_turn');
    expect(message.usage).toMatchObject({ input_tokens: 1_117, output_tokens: 46 });
  });

  it('maps length, content_filter and refusals', () => {
    const base = openAITextCompletion.choices[0]!;
    const with_ = (finish_reason: typeof base.finish_reason, message = base.message) =>
      toAnthropicMessage({ ...openAITextCompletion, choices: [{ ...base, finish_reason, message }] });
    expect(with_('length').stop_reason).toBe('max_tokens');
    const refused = with_('content_filter', { role: 'assistant', content: null, refusal: "I can't help with that." });
    expect(refused.stop_reason).toBe('refusal');
    expect(refused.content).toEqual([{ type: 'text', text: "I can't help with that." }]);
  });

  it('reports invalid tool arguments from the upstream as an upstream error', () => {
    const broken = structuredClone(openAIToolCallsCompletion);
    (broken.choices[0]!.message.tool_calls![0] as { function: { arguments: string } }).function.arguments = '{"location": "Par';
    expect(() => toAnthropicMessage(broken)).toThrow(expect.objectContaining({ code: 'UPSTREAM_ERROR', status: 502 }));
    expect(() => toAnthropicMessage({ ...openAITextCompletion, choices: [] })).toThrow(PreloopError);
  });

  it('round-trips Anthropic messages through the OpenAI format (text blocks joined, cache writes folded into input)', () => {
    fc.assert(
      fc.property(anthropicMessageArbitrary, (message) => {
        const back = toAnthropicMessage(toOpenAIChatCompletion(message));
        const text = message.content.flatMap((block) => (block.type === 'text' ? [block.text] : [])).join('');
        const toolUses = message.content.filter((block) => block.type === 'tool_use');
        expect(back.content).toEqual([...(text ? [{ type: 'text', text }] : []), ...toolUses]);
        // OpenAI has no cache-write counter: writes come back as uncached input, the total unchanged.
        const { input_tokens, cache_creation_input_tokens, cache_read_input_tokens, output_tokens } = message.usage;
        expect(back.usage).toEqual({
          input_tokens: input_tokens + (cache_creation_input_tokens ?? 0),
          cache_creation_input_tokens: 0,
          cache_read_input_tokens,
          output_tokens,
        });
        expect(back.id).toBe(message.id);
        const stop = message.stop_reason === 'stop_sequence' ? 'end_turn' : message.stop_reason;
        expect(back.stop_reason).toBe(stop);
      }),
    );
  });
});
