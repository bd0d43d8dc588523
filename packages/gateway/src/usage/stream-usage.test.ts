import { describe, expect, it } from 'vitest';
import { anthropicEventsOf, openAIChunksOf } from '../../test-fixtures/stream-helpers.js';
import { anthropicToolUseMessage, openAIToolCallsCompletion } from '../../test-fixtures/wire-fixtures.js';
import type { ResponsesResponse } from '../wire/openai-responses-types.js';
import { createAnthropicUsageAccumulator, createOpenAIChatUsageAccumulator, createResponsesUsageAccumulator } from './stream-usage.js';

describe('createAnthropicUsageAccumulator', () => {
  it('accumulates a full stream to the message usage', () => {
    const accumulator = createAnthropicUsageAccumulator();
    for (const event of anthropicEventsOf(anthropicToolUseMessage, [0.5])) accumulator.push(event);
    expect(accumulator.usage).toEqual({
      inputTokens: 472 + 2_048,
      outputTokens: 89,
      cachedInputTokens: 2_048,
      cacheCreationInputTokens: 0,
      reasoningTokens: 0,
    });
    expect(accumulator.complete).toBe(true);
  });

  it('keeps the input and cache tokens of a stream interrupted before message_delta', () => {
    const accumulator = createAnthropicUsageAccumulator();
    const events = anthropicEventsOf(anthropicToolUseMessage, [0.5]);
    for (const event of events.slice(0, 5)) accumulator.push(event);
    expect(accumulator.reported).toBe(true);
    expect(accumulator.complete).toBe(false);
    expect(accumulator.usage).toMatchObject({ inputTokens: 2_520, cachedInputTokens: 2_048, outputTokens: 1 });
  });

  it('applies cumulative input counters that message_delta reports', () => {
    const accumulator = createAnthropicUsageAccumulator();
    accumulator.push({
      type: 'message_start',
      message: { ...anthropicToolUseMessage, content: [], usage: { input_tokens: 0, output_tokens: 0 } },
    });
    accumulator.push({
      type: 'message_delta',
      delta: { stop_reason: 'end_turn', stop_sequence: null },
      usage: { input_tokens: 30, cache_read_input_tokens: 70, cache_creation_input_tokens: null, output_tokens: 12 },
    });
    expect(accumulator.usage).toEqual({
      inputTokens: 100,
      cachedInputTokens: 70,
      cacheCreationInputTokens: 0,
      outputTokens: 12,
      reasoningTokens: 0,
    });
  });

  it('reports nothing before any usage arrives', () => {
    const accumulator = createAnthropicUsageAccumulator();
    accumulator.push({ type: 'ping' });
    expect(accumulator.reported).toBe(false);
    expect(accumulator.usage.inputTokens).toBe(0);
  });
});

describe('createOpenAIChatUsageAccumulator', () => {
  it('takes the usage of the final chunk', () => {
    const accumulator = createOpenAIChatUsageAccumulator();
    for (const chunk of openAIChunksOf(openAIToolCallsCompletion, [0.3])) accumulator.push(chunk);
    expect(accumulator.usage).toEqual({
      inputTokens: 2_114,
      outputTokens: 58,
      cachedInputTokens: 1_920,
      cacheCreationInputTokens: 0,
      reasoningTokens: 0,
    });
    expect(accumulator.complete).toBe(true);
  });

  it('says an interrupted stream reported no usage rather than inventing zeros as final', () => {
    const accumulator = createOpenAIChatUsageAccumulator();
    for (const chunk of openAIChunksOf(openAIToolCallsCompletion).slice(0, 3)) accumulator.push(chunk);
    expect(accumulator.reported).toBe(false);
    expect(accumulator.complete).toBe(false);
  });
});

describe('createResponsesUsageAccumulator', () => {
  it('takes the usage of response.completed', () => {
    const accumulator = createResponsesUsageAccumulator();
    const response = {
      id: 'resp_1',
      object: 'response' as const,
      created_at: 1,
      status: 'completed',
      model: 'gpt-4.1',
      output: [],
      error: null,
      incomplete_details: null,
      instructions: null,
      metadata: null,
      parallel_tool_calls: true,
      temperature: null,
      top_p: null,
      tool_choice: 'auto',
      tools: [],
      usage: {
        input_tokens: 20,
        input_tokens_details: { cached_tokens: 4 },
        output_tokens: 9,
        output_tokens_details: { reasoning_tokens: 2 },
        total_tokens: 29,
      },
    } satisfies ResponsesResponse;
    accumulator.push({ type: 'response.created', sequence_number: 0, response: { ...response, status: 'in_progress', usage: undefined } });
    expect(accumulator.reported).toBe(false);
    accumulator.push({ type: 'response.completed', sequence_number: 1, response });
    expect(accumulator.usage).toEqual({
      inputTokens: 20,
      cachedInputTokens: 4,
      outputTokens: 9,
      reasoningTokens: 2,
      cacheCreationInputTokens: 0,
    });
    expect(accumulator.complete).toBe(true);
  });
});
