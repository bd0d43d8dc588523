import { describe, expect, it } from 'vitest';
import { openAIToolCallsCompletion, openAITextCompletion } from '../../test-fixtures/wire-fixtures.js';
import { toResponsesResponse } from './chat-to-responses-response.js';

describe('toResponsesResponse', () => {
  it('turns a text completion into a message item with output_text and echoes the request', () => {
    const response = toResponsesResponse(openAITextCompletion, {
      request: { model: 'my-alias', input: 'Describe the image.', instructions: 'Be brief.', temperature: 0.2, metadata: { run: '7' } },
      model: 'my-alias',
      completedAt: 1_741_570_290,
    });
    expect(response).toEqual({
      id: 'resp_chatcmpl-B9MHDbslfkBeAs8l4bebGdFOJ6PeG',
      object: 'response',
      created_at: 1_741_570_283,
      completed_at: 1_741_570_290,
      status: 'completed',
      model: 'my-alias',
      output: [
        {
          type: 'message',
          id: 'msg_chatcmpl-B9MHDbslfkBeAs8l4bebGdFOJ6PeG',
          role: 'assistant',
          status: 'completed',
          content: [
            { type: 'output_text', text: 'The image shows a wooden boardwalk through a lush green marsh.', annotations: [], logprobs: [] },
          ],
        },
      ],
      error: null,
      incomplete_details: null,
      instructions: 'Be brief.',
      metadata: { run: '7' },
      parallel_tool_calls: true,
      temperature: 0.2,
      top_p: null,
      tool_choice: 'auto',
      tools: [],
      max_output_tokens: null,
      previous_response_id: null,
      reasoning: null,
      text: { format: { type: 'text' } },
      truncation: 'disabled',
      usage: {
        input_tokens: 1_117,
        input_tokens_details: { cached_tokens: 0 },
        output_tokens: 46,
        output_tokens_details: { reasoning_tokens: 0 },
        total_tokens: 1_163,
      },
    });
  });

  it('turns tool calls into function_call items', () => {
    const response = toResponsesResponse(openAIToolCallsCompletion);
    expect(response.output).toEqual([
      {
        type: 'function_call',
        id: 'fc_call_ZiIpFHsgmBFDYmgRNmXe4wkA',
        call_id: 'call_ZiIpFHsgmBFDYmgRNmXe4wkA',
        name: 'get_weather',
        arguments: '{"location":"Paris, France"}',
        status: 'completed',
      },
      {
        type: 'function_call',
        id: 'fc_call_3q9bVfT2Jk1Ll0mX7cO8eN4s',
        call_id: 'call_3q9bVfT2Jk1Ll0mX7cO8eN4s',
        name: 'get_weather',
        arguments: '{"location":"Bogotá, Colombia"}',
        status: 'completed',
      },
    ]);
    expect(response.usage?.input_tokens_details.cached_tokens).toBe(1_920);
  });

  it('marks a truncated answer incomplete', () => {
    const base = openAITextCompletion.choices[0]!;
    const response = toResponsesResponse({ ...openAITextCompletion, choices: [{ ...base, finish_reason: 'length' }] });
    expect(response.status).toBe('incomplete');
    expect(response.incomplete_details).toEqual({ reason: 'max_output_tokens' });
    expect(response.completed_at).toBeNull();
    expect(response.output[0]).toMatchObject({ type: 'message', status: 'incomplete' });
  });

  it('keeps a refusal as refusal content', () => {
    const response = toResponsesResponse({
      ...openAITextCompletion,
      choices: [
        {
          index: 0,
          finish_reason: 'stop',
          logprobs: null,
          message: { role: 'assistant', content: null, refusal: "I can't help with that." },
        },
      ],
    });
    expect(response.output[0]).toMatchObject({ content: [{ type: 'refusal', refusal: "I can't help with that." }] });
  });
});
