import { describe, expect, it } from 'vitest';
import { PreloopError } from '@preloop/core';
import { tinyPngBase64 } from '../../test-fixtures/wire-fixtures.js';
import type { ResponsesRequest } from '../wire/openai-responses-types.js';
import { toOpenAIChatRequestFromResponses } from './responses-to-chat-request.js';

const weatherTool = {
  type: 'function' as const,
  name: 'get_weather',
  description: 'Get current temperature for a given location.',
  parameters: { type: 'object', properties: { location: { type: 'string' } }, required: ['location'], additionalProperties: false },
  strict: true,
};

describe('toOpenAIChatRequestFromResponses', () => {
  it('translates a string input with instructions', () => {
    expect(
      toOpenAIChatRequestFromResponses({
        model: 'gpt-4.1',
        instructions: 'Talk like a pirate.',
        input: 'Are semicolons optional in JavaScript?',
      }),
    ).toEqual({
      model: 'gpt-4.1',
      messages: [
        { role: 'system', content: 'Talk like a pirate.' },
        { role: 'user', content: 'Are semicolons optional in JavaScript?' },
      ],
    });
  });

  it('translates a multi-turn function-calling input', () => {
    const request: ResponsesRequest = {
      model: 'claude-alias',
      input: [
        { role: 'developer', content: 'Use tools when needed.' },
        {
          role: 'user',
          content: [
            { type: 'input_text', text: 'Weather in Paris?' },
            { type: 'input_image', image_url: `data:image/png;base64,${tinyPngBase64}`, detail: 'auto' },
          ],
        },
        { type: 'reasoning', id: 'rs_1', summary: [] },
        {
          type: 'message',
          id: 'msg_1',
          role: 'assistant',
          status: 'completed',
          content: [{ type: 'output_text', text: 'Let me look.', annotations: [] }],
        },
        {
          type: 'function_call',
          id: 'fc_1',
          call_id: 'call_1',
          name: 'get_weather',
          arguments: '{"location":"Paris"}',
          status: 'completed',
        },
        {
          type: 'function_call',
          id: 'fc_2',
          call_id: 'call_2',
          name: 'get_weather',
          arguments: '{"location":"Lyon"}',
          status: 'completed',
        },
        { type: 'function_call_output', call_id: 'call_1', output: '18°C' },
        { type: 'function_call_output', call_id: 'call_2', output: [{ type: 'input_text', text: '21°C' }] },
      ],
      tools: [weatherTool],
      tool_choice: { type: 'function', name: 'get_weather' },
      parallel_tool_calls: false,
      max_output_tokens: 800,
      temperature: 0.3,
      text: { format: { type: 'json_schema', name: 'weather', schema: { type: 'object' }, strict: true }, verbosity: 'low' },
      reasoning: { effort: 'low' },
      store: true,
      stream: true,
    };
    expect(toOpenAIChatRequestFromResponses(request, { model: 'claude-sonnet-4-5' })).toEqual({
      model: 'claude-sonnet-4-5',
      messages: [
        { role: 'developer', content: 'Use tools when needed.' },
        {
          role: 'user',
          content: [
            { type: 'text', text: 'Weather in Paris?' },
            { type: 'image_url', image_url: { url: `data:image/png;base64,${tinyPngBase64}`, detail: 'auto' } },
          ],
        },
        {
          role: 'assistant',
          content: 'Let me look.',
          tool_calls: [
            { id: 'call_1', type: 'function', function: { name: 'get_weather', arguments: '{"location":"Paris"}' } },
            { id: 'call_2', type: 'function', function: { name: 'get_weather', arguments: '{"location":"Lyon"}' } },
          ],
        },
        { role: 'tool', tool_call_id: 'call_1', content: '18°C' },
        { role: 'tool', tool_call_id: 'call_2', content: [{ type: 'text', text: '21°C' }] },
      ],
      tools: [
        {
          type: 'function',
          function: { name: 'get_weather', description: weatherTool.description, parameters: weatherTool.parameters, strict: true },
        },
      ],
      tool_choice: { type: 'function', function: { name: 'get_weather' } },
      parallel_tool_calls: false,
      max_completion_tokens: 800,
      temperature: 0.3,
      response_format: { type: 'json_schema', json_schema: { name: 'weather', schema: { type: 'object' }, strict: true } },
      verbosity: 'low',
      reasoning_effort: 'low',
      stream: true,
      stream_options: { include_usage: true },
    });
  });

  it('starts a new assistant message for a function call without preceding text', () => {
    const result = toOpenAIChatRequestFromResponses({
      model: 'm',
      input: [
        { role: 'user', content: 'time?' },
        { type: 'function_call', call_id: 'c', name: 'now', arguments: '{}' },
      ],
    });
    expect(result.messages[1]).toEqual({
      role: 'assistant',
      content: null,
      tool_calls: [{ id: 'c', type: 'function', function: { name: 'now', arguments: '{}' } }],
    });
  });

  it('maps allowed_tools choices', () => {
    const result = toOpenAIChatRequestFromResponses({
      model: 'm',
      input: 'hi',
      tools: [weatherTool],
      tool_choice: { type: 'allowed_tools', mode: 'required', tools: [{ type: 'function', name: 'get_weather' }] },
    });
    expect(result.tool_choice).toEqual({
      type: 'allowed_tools',
      allowed_tools: { mode: 'required', tools: [{ type: 'function', function: { name: 'get_weather' } }] },
    });
  });

  it('rejects what needs stored state or built-in tools with a 400', () => {
    const cases: ResponsesRequest[] = [
      { model: 'm', input: 'hi', previous_response_id: 'resp_123' },
      { model: 'm', input: 'hi', conversation: 'conv_1' },
      { model: 'm', input: [{ type: 'item_reference', id: 'msg_1' }] },
      { model: 'm', input: [{ id: 'msg_1' }] },
      { model: 'm', input: 'hi', tools: [{ type: 'web_search' }] },
      { model: 'm', input: [{ role: 'user', content: [{ type: 'input_image', file_id: 'file-1', detail: 'auto' }] }] },
      { input: 'no model' },
    ];
    for (const request of cases) {
      expect(() => toOpenAIChatRequestFromResponses(request), JSON.stringify(request)).toThrow(PreloopError);
    }
  });
});
