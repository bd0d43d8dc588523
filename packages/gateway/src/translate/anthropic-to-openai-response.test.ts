import { describe, expect, it } from 'vitest';
import { anthropicToolUseMessage, anthropicTruncatedMessage } from '../../test-fixtures/wire-fixtures.js';
import { toOpenAIChatCompletion } from './anthropic-to-openai-response.js';

describe('toOpenAIChatCompletion', () => {
  it('turns text and tool_use blocks into content and tool_calls with JSON arguments', () => {
    expect(toOpenAIChatCompletion(anthropicToolUseMessage, { model: 'claude-alias', created: 1_700_000_000 })).toEqual({
      id: 'msg_01Aq9w938a90dw8q',
      object: 'chat.completion',
      created: 1_700_000_000,
      model: 'claude-alias',
      choices: [
        {
          index: 0,
          message: {
            role: 'assistant',
            content: "I'll check the current weather in San Francisco for you.",
            refusal: null,
            tool_calls: [
              {
                id: 'toolu_01A09q90qw90lq917835lq9',
                type: 'function',
                function: { name: 'get_weather', arguments: '{"location":"San Francisco, CA","unit":"celsius"}' },
              },
            ],
          },
          finish_reason: 'tool_calls',
          logprobs: null,
        },
      ],
      usage: {
        prompt_tokens: 2_520,
        completion_tokens: 89,
        total_tokens: 2_609,
        prompt_tokens_details: { cached_tokens: 2_048 },
        completion_tokens_details: { reasoning_tokens: 0 },
      },
    });
  });

  it('drops thinking, maps max_tokens to length and counts cache writes and thinking', () => {
    const completion = toOpenAIChatCompletion(anthropicTruncatedMessage, { created: 1 });
    expect(completion.model).toBe('claude-opus-4-5-20251101');
    expect(completion.choices[0]!.message).toEqual({
      role: 'assistant',
      content: 'Autumn moonlight—\na worm digs silently\ninto the',
      refusal: null,
    });
    expect(completion.choices[0]!.finish_reason).toBe('length');
    expect(completion.usage).toMatchObject({
      prompt_tokens: 1_525,
      completion_tokens: 64,
      completion_tokens_details: { reasoning_tokens: 40 },
    });
  });

  it('maps every stop reason', () => {
    const finish = (stop_reason: typeof anthropicToolUseMessage.stop_reason) =>
      toOpenAIChatCompletion({ ...anthropicToolUseMessage, stop_reason }).choices[0]!.finish_reason;
    expect(finish('end_turn')).toBe('stop');
    expect(finish('stop_sequence')).toBe('stop');
    expect(finish('max_tokens')).toBe('length');
    expect(finish('model_context_window_exceeded')).toBe('length');
    expect(finish('tool_use')).toBe('tool_calls');
    expect(finish('refusal')).toBe('content_filter');
    expect(finish('pause_turn')).toBe('stop');
    expect(finish(null)).toBe('stop');
  });

  it('has null content when there is no text', () => {
    const message = { ...anthropicToolUseMessage, content: anthropicToolUseMessage.content.slice(1) };
    expect(toOpenAIChatCompletion(message).choices[0]!.message.content).toBeNull();
  });
});
