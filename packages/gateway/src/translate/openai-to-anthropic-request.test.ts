import { describe, expect, it } from 'vitest';
import { PreloopError } from '@preloop/core';
import { tinyPngBase64 } from '../../test-fixtures/wire-fixtures.js';
import type { OpenAIChatCompletionRequest } from '../wire/openai-types.js';
import { defaultAnthropicMaxTokens, toAnthropicRequest } from './openai-to-anthropic-request.js';

const weatherTool = {
  type: 'function',
  function: {
    name: 'get_weather',
    description: 'Get the current weather in a given location',
    parameters: {
      type: 'object',
      properties: { location: { type: 'string' }, unit: { type: 'string', enum: ['celsius', 'fahrenheit'] } },
      required: ['location'],
    },
  },
} as const;

describe('toAnthropicRequest', () => {
  it('translates a multi-turn tool conversation', () => {
    const request: OpenAIChatCompletionRequest = {
      model: 'claude-alias',
      messages: [
        { role: 'system', content: 'You are a weather assistant.' },
        { role: 'user', content: 'Weather in Paris and Bogotá?' },
        {
          role: 'assistant',
          content: 'Let me check both.',
          tool_calls: [
            { id: 'call_1', type: 'function', function: { name: 'get_weather', arguments: '{"location":"Paris"}' } },
            { id: 'call_2', type: 'function', function: { name: 'get_weather', arguments: '{"location":"Bogotá"}' } },
          ],
        },
        { role: 'tool', tool_call_id: 'call_1', content: '18°C, cloudy' },
        { role: 'tool', tool_call_id: 'call_2', content: [{ type: 'text', text: '14°C, rain' }] },
        { role: 'user', content: 'Which is warmer?' },
      ],
      tools: [weatherTool],
      tool_choice: 'auto',
      max_completion_tokens: 512,
      temperature: 0.2,
      top_p: 0.9,
      stop: 'END',
      user: 'user-42',
      stream: true,
      stream_options: { include_usage: true },
    };
    expect(toAnthropicRequest(request, { model: 'claude-sonnet-4-5' })).toEqual({
      model: 'claude-sonnet-4-5',
      max_tokens: 512,
      system: 'You are a weather assistant.',
      messages: [
        { role: 'user', content: 'Weather in Paris and Bogotá?' },
        {
          role: 'assistant',
          content: [
            { type: 'text', text: 'Let me check both.' },
            { type: 'tool_use', id: 'call_1', name: 'get_weather', input: { location: 'Paris' } },
            { type: 'tool_use', id: 'call_2', name: 'get_weather', input: { location: 'Bogotá' } },
          ],
        },
        {
          role: 'user',
          content: [
            { type: 'tool_result', tool_use_id: 'call_1', content: '18°C, cloudy' },
            { type: 'tool_result', tool_use_id: 'call_2', content: [{ type: 'text', text: '14°C, rain' }] },
            { type: 'text', text: 'Which is warmer?' },
          ],
        },
      ],
      tools: [
        {
          name: 'get_weather',
          description: 'Get the current weather in a given location',
          input_schema: weatherTool.function.parameters,
        },
      ],
      tool_choice: { type: 'auto' },
      temperature: 0.2,
      stop_sequences: ['END'],
      metadata: { user_id: 'user-42' },
      stream: true,
    });
  });

  it('turns image parts into image blocks, data URLs into base64 sources', () => {
    const result = toAnthropicRequest({
      model: 'm',
      messages: [
        {
          role: 'user',
          content: [
            { type: 'text', text: 'Compare these.' },
            { type: 'image_url', image_url: { url: `data:image/png;base64,${tinyPngBase64}`, detail: 'high' } },
            { type: 'image_url', image_url: { url: 'https://upload.wikimedia.org/boardwalk.jpg' } },
          ],
        },
      ],
    });
    expect(result.messages).toEqual([
      {
        role: 'user',
        content: [
          { type: 'text', text: 'Compare these.' },
          { type: 'image', source: { type: 'base64', media_type: 'image/png', data: tinyPngBase64 } },
          { type: 'image', source: { type: 'url', url: 'https://upload.wikimedia.org/boardwalk.jpg' } },
        ],
      },
    ]);
  });

  it('turns a PDF file part into a document block', () => {
    const result = toAnthropicRequest({
      model: 'm',
      messages: [
        { role: 'user', content: [{ type: 'file', file: { file_data: 'data:application/pdf;base64,JVBERi0x', filename: 'spec.pdf' } }] },
      ],
    });
    expect(result.messages[0]!.content).toEqual([
      { type: 'document', source: { type: 'base64', media_type: 'application/pdf', data: 'JVBERi0x' }, title: 'spec.pdf' },
    ]);
  });

  it(`defaults max_tokens to ${defaultAnthropicMaxTokens}, or the configured default, and prefers max_completion_tokens`, () => {
    const messages = [{ role: 'user' as const, content: 'hi' }];
    expect(toAnthropicRequest({ model: 'm', messages }).max_tokens).toBe(4096);
    expect(toAnthropicRequest({ model: 'm', messages }, { defaultMaxTokens: 1000 }).max_tokens).toBe(1000);
    expect(toAnthropicRequest({ model: 'm', messages, max_tokens: 50 }).max_tokens).toBe(50);
    expect(toAnthropicRequest({ model: 'm', messages, max_tokens: 50, max_completion_tokens: 70 }).max_tokens).toBe(70);
  });

  it('hoists system and developer messages into system blocks, in order', () => {
    const result = toAnthropicRequest({
      model: 'm',
      messages: [
        { role: 'developer', content: 'Rule one.' },
        { role: 'user', content: 'hi' },
        { role: 'system', content: [{ type: 'text', text: 'Rule two.' }] },
      ],
    });
    expect(result.system).toEqual([
      { type: 'text', text: 'Rule one.' },
      { type: 'text', text: 'Rule two.' },
    ]);
    expect(result.messages).toEqual([{ role: 'user', content: 'hi' }]);
  });

  it('maps tool_choice and parallel_tool_calls', () => {
    const base = { model: 'm', messages: [{ role: 'user' as const, content: 'hi' }], tools: [weatherTool] };
    expect(toAnthropicRequest({ ...base, tool_choice: 'required' }).tool_choice).toEqual({ type: 'any' });
    expect(toAnthropicRequest({ ...base, tool_choice: 'none' }).tool_choice).toEqual({ type: 'none' });
    expect(
      toAnthropicRequest({ ...base, tool_choice: { type: 'function', function: { name: 'get_weather' } }, parallel_tool_calls: false })
        .tool_choice,
    ).toEqual({
      type: 'tool',
      name: 'get_weather',
      disable_parallel_tool_use: true,
    });
    expect(toAnthropicRequest({ ...base, parallel_tool_calls: false }).tool_choice).toEqual({
      type: 'auto',
      disable_parallel_tool_use: true,
    });
    expect(toAnthropicRequest(base).tool_choice).toBeUndefined();
  });

  it('restricts the tools to an allowed_tools choice', () => {
    const other = { type: 'function' as const, function: { name: 'get_time', parameters: { type: 'object', properties: {} } } };
    const result = toAnthropicRequest({
      model: 'm',
      messages: [{ role: 'user', content: 'hi' }],
      tools: [weatherTool, other],
      tool_choice: {
        type: 'allowed_tools',
        allowed_tools: { mode: 'required', tools: [{ type: 'function', function: { name: 'get_time' } }] },
      },
    });
    expect(result.tools?.map((tool) => tool.name)).toEqual(['get_time']);
    expect(result.tool_choice).toEqual({ type: 'any' });
  });

  it('gives a parameterless tool an empty object schema and empty arguments an empty input', () => {
    const result = toAnthropicRequest({
      model: 'm',
      messages: [
        { role: 'user', content: 'time?' },
        { role: 'assistant', content: null, tool_calls: [{ id: 'c', type: 'function', function: { name: 'now', arguments: '' } }] },
        { role: 'tool', tool_call_id: 'c', content: '12:00' },
      ],
      tools: [{ type: 'function', function: { name: 'now' } }],
    });
    expect(result.tools).toEqual([{ name: 'now', input_schema: { type: 'object', properties: {} } }]);
    expect(result.messages[1]).toEqual({ role: 'assistant', content: [{ type: 'tool_use', id: 'c', name: 'now', input: {} }] });
  });

  it('clamps temperature to 0–1, sends top_p only without it, and maps a JSON schema response format', () => {
    const result = toAnthropicRequest({
      model: 'm',
      messages: [{ role: 'user', content: 'hi' }],
      temperature: 1.7,
      top_p: 0.5,
      response_format: { type: 'json_schema', json_schema: { name: 'answer', schema: { type: 'object' } } },
    });
    expect(result.temperature).toBe(1);
    expect(result.top_p).toBeUndefined();
    expect(toAnthropicRequest({ model: 'm', messages: [{ role: 'user', content: 'hi' }], top_p: 0.8 }).top_p).toBe(0.8);
    expect(result.output_config).toEqual({ format: { type: 'json_schema', schema: { type: 'object' } } });
  });

  it('drops empty messages and merges consecutive user messages', () => {
    const result = toAnthropicRequest({
      model: 'm',
      messages: [
        { role: 'user', content: 'one' },
        { role: 'assistant', content: '' },
        { role: 'user', content: 'two' },
      ],
    });
    expect(result.messages).toEqual([
      {
        role: 'user',
        content: [
          { type: 'text', text: 'one' },
          { type: 'text', text: 'two' },
        ],
      },
    ]);
  });

  it('rejects what Anthropic cannot do with a 400', () => {
    const user = { role: 'user' as const, content: 'hi' };
    const cases: OpenAIChatCompletionRequest[] = [
      { model: 'm', messages: [user], n: 2 },
      { model: 'm', messages: [{ role: 'user', content: [{ type: 'input_audio', input_audio: { data: 'AAA', format: 'wav' } }] }] },
      { model: 'm', messages: [{ role: 'user', content: [{ type: 'image_url', image_url: { url: 'data:image/bmp;base64,Qk0=' } }] }] },
      { model: 'm', messages: [{ role: 'user', content: [{ type: 'file', file: { file_id: 'file-abc' } }] }] },
      {
        model: 'm',
        messages: [user, { role: 'assistant', tool_calls: [{ id: 'x', type: 'function', function: { name: 'f', arguments: '{oops' } }] }],
      },
      { model: 'm', messages: [user], tools: [{ type: 'custom', custom: { name: 'grammar' } }] },
      { model: 'm', messages: [user], functions: [{ name: 'legacy' }] },
    ];
    for (const request of cases) {
      let error: unknown;
      try {
        toAnthropicRequest(request);
      } catch (caught) {
        error = caught;
      }
      expect(error, JSON.stringify(request)).toBeInstanceOf(PreloopError);
      expect((error as PreloopError).status).toBe(400);
    }
  });
});
