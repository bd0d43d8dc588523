import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { PreloopError } from '@preloop/core';
import { anthropicRequestArbitrary } from '../../test-fixtures/arbitraries.js';
import { tinyPngBase64 } from '../../test-fixtures/wire-fixtures.js';
import type { AnthropicMessagesRequest, AnthropicServerTool } from '../wire/anthropic-types.js';
import { toOpenAIChatRequest } from './anthropic-to-openai-request.js';
import { toAnthropicRequest } from './openai-to-anthropic-request.js';

describe('toOpenAIChatRequest', () => {
  it('translates a multi-turn tool conversation with images and cache control', () => {
    const request: AnthropicMessagesRequest = {
      model: 'gpt-alias',
      max_tokens: 1024,
      system: [
        { type: 'text', text: 'You are a weather assistant.', cache_control: { type: 'ephemeral' } },
        { type: 'text', text: 'Be brief.' },
      ],
      messages: [
        {
          role: 'user',
          content: [
            { type: 'image', source: { type: 'base64', media_type: 'image/png', data: tinyPngBase64 } },
            { type: 'text', text: 'Is it raining where this was taken?' },
          ],
        },
        {
          role: 'assistant',
          content: [
            { type: 'thinking', thinking: 'Need the location.', signature: 'sig' },
            { type: 'text', text: 'Checking Seattle.' },
            { type: 'tool_use', id: 'toolu_01', name: 'get_weather', input: { location: 'Seattle, WA' } },
          ],
        },
        {
          role: 'user',
          content: [
            {
              type: 'tool_result',
              tool_use_id: 'toolu_01',
              content: [
                { type: 'text', text: 'Rain, 11°C' },
                { type: 'image', source: { type: 'url', url: 'https://example.com/radar.png' } },
              ],
            },
            { type: 'text', text: 'Thanks! And tomorrow?' },
          ],
        },
      ],
      tools: [
        {
          name: 'get_weather',
          description: 'Get the weather',
          input_schema: { type: 'object', properties: { location: { type: 'string' } }, required: ['location'] },
          cache_control: { type: 'ephemeral' },
        },
      ],
      tool_choice: { type: 'any', disable_parallel_tool_use: true },
      stop_sequences: ['\n\nHuman:'],
      temperature: 0.5,
      top_k: 40,
      metadata: { user_id: 'user-7' },
      stream: true,
    };
    expect(toOpenAIChatRequest(request, { model: 'gpt-4.1' })).toEqual({
      model: 'gpt-4.1',
      max_completion_tokens: 1024,
      messages: [
        { role: 'system', content: 'You are a weather assistant.' },
        { role: 'system', content: 'Be brief.' },
        {
          role: 'user',
          content: [
            { type: 'image_url', image_url: { url: `data:image/png;base64,${tinyPngBase64}` } },
            { type: 'text', text: 'Is it raining where this was taken?' },
          ],
        },
        {
          role: 'assistant',
          content: 'Checking Seattle.',
          tool_calls: [{ id: 'toolu_01', type: 'function', function: { name: 'get_weather', arguments: '{"location":"Seattle, WA"}' } }],
        },
        { role: 'tool', tool_call_id: 'toolu_01', content: [{ type: 'text', text: 'Rain, 11°C' }] },
        {
          role: 'user',
          content: [
            { type: 'image_url', image_url: { url: 'https://example.com/radar.png' } },
            { type: 'text', text: 'Thanks! And tomorrow?' },
          ],
        },
      ],
      tools: [
        {
          type: 'function',
          function: {
            name: 'get_weather',
            description: 'Get the weather',
            parameters: { type: 'object', properties: { location: { type: 'string' } }, required: ['location'] },
          },
        },
      ],
      tool_choice: 'required',
      parallel_tool_calls: false,
      stop: ['\n\nHuman:'],
      temperature: 0.5,
      user: 'user-7',
      stream: true,
      stream_options: { include_usage: true },
    });
  });

  it('keeps system messages that sit inside messages (API 2026-10-21) in place', () => {
    const result = toOpenAIChatRequest({
      model: 'm',
      max_tokens: 10,
      messages: [
        { role: 'user', content: 'hi' },
        { role: 'system', content: 'Now answer in French.' },
        { role: 'user', content: 'bye' },
      ],
    });
    expect(result.messages.map((message) => message.role)).toEqual(['user', 'system', 'user']);
  });

  it('maps documents, structured output and effort', () => {
    const result = toOpenAIChatRequest({
      model: 'm',
      max_tokens: 10,
      messages: [
        {
          role: 'user',
          content: [
            { type: 'document', source: { type: 'base64', media_type: 'application/pdf', data: 'JVBERi0x' }, title: 'spec.pdf' },
            { type: 'document', source: { type: 'text', media_type: 'text/plain', data: 'Plain notes.' } },
          ],
        },
      ],
      output_config: { effort: 'max', format: { type: 'json_schema', schema: { type: 'object' } } },
    });
    expect(result.messages[0]).toEqual({
      role: 'user',
      content: [
        { type: 'file', file: { file_data: 'data:application/pdf;base64,JVBERi0x', filename: 'spec.pdf' } },
        { type: 'text', text: 'Plain notes.' },
      ],
    });
    expect(result.response_format).toEqual({
      type: 'json_schema',
      json_schema: { name: 'response', schema: { type: 'object' }, strict: true },
    });
    expect(result.reasoning_effort).toBe('xhigh');
  });

  it('rejects server tools and file sources with a 400', () => {
    const cases: AnthropicMessagesRequest[] = [
      {
        model: 'm',
        max_tokens: 1,
        messages: [{ role: 'user', content: 'hi' }],
        tools: [{ type: 'web_search_20250305', name: 'web_search', max_uses: 3 } as AnthropicServerTool],
      },
      {
        model: 'm',
        max_tokens: 1,
        messages: [{ role: 'user', content: [{ type: 'image', source: { type: 'file', file_id: 'file_1' } }] }],
      },
    ];
    for (const request of cases) {
      expect(() => toOpenAIChatRequest(request)).toThrow(PreloopError);
    }
  });

  it('round-trips canonical Anthropic requests through the OpenAI chat format', () => {
    fc.assert(
      fc.property(anthropicRequestArbitrary, (request) => {
        expect(toAnthropicRequest(toOpenAIChatRequest(request))).toEqual(request);
      }),
      { numRuns: 300 },
    );
  });
});
