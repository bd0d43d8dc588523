import { describe, expect, it } from 'vitest';
import { createToolNameMap } from './gemini-tool-names.js';
import { toJsonSchema, toOpenAIChatRequestFromGemini, toReasoningEffort } from './gemini-to-openai-request.js';

describe('createToolNameMap', () => {
  it('keeps names that fit, rewrites the others without collisions, and maps back', () => {
    const names = createToolNameMap(['mcp_pin.deploy', 'mcp_pin_deploy', 'mcp_pin:deploy', 'read_file']);
    expect(names.toUpstream('read_file')).toBe('read_file');
    expect(names.toUpstream('mcp_pin_deploy')).toBe('mcp_pin_deploy');
    const dotted = names.toUpstream('mcp_pin.deploy');
    const colon = names.toUpstream('mcp_pin:deploy');
    expect([dotted, colon]).toEqual(['mcp_pin_deploy_2', 'mcp_pin_deploy_3']);
    expect(names.toClient(dotted)).toBe('mcp_pin.deploy');
    expect(names.toClient(colon)).toBe('mcp_pin:deploy');
    expect(names.toClient('read_file')).toBe('read_file');
    expect(names.toClient('unknown')).toBe('unknown');
  });

  it('keeps rewritten names within 64 characters, suffix included', () => {
    const long = `mcp_server_${'x'.repeat(70)}.tool`;
    const taken = `mcp_server_${'x'.repeat(53)}`;
    const names = createToolNameMap([taken, long]);
    const upstream = names.toUpstream(long);
    expect(upstream).toMatch(/^[a-zA-Z0-9_-]{1,64}$/);
    expect(upstream).not.toBe(taken);
    expect(names.toClient(upstream)).toBe(long);
  });
});

describe('Gemini request → OpenAI chat', () => {
  it('converts OpenAPI schemas (upper-case types, nullable) to JSON Schema', () => {
    expect(
      toJsonSchema({
        type: 'OBJECT',
        properties: { tags: { type: 'ARRAY', items: { type: 'STRING' } }, n: { type: 'NUMBER', nullable: true } },
        propertyOrdering: ['tags', 'n'],
        required: ['tags'],
      }),
    ).toEqual({
      type: 'object',
      properties: { tags: { type: 'array', items: { type: 'string' } }, n: { type: ['number', 'null'] } },
      required: ['tags'],
    });
  });

  it('maps thinking levels and budgets to reasoning efforts', () => {
    expect(toReasoningEffort({ thinkingLevel: 'HIGH' })).toBe('high');
    expect(toReasoningEffort({ thinkingBudget: 1024 })).toBe('low');
    expect(toReasoningEffort({ thinkingBudget: 8192 })).toBe('medium');
    expect(toReasoningEffort({ thinkingBudget: 20000 })).toBe('high');
    expect(toReasoningEffort({ thinkingBudget: -1 })).toBeNull();
    expect(toReasoningEffort({ thinkingBudget: 0 })).toBeNull();
  });

  it('answers a functionResponse without an id to the earliest unanswered call of its name, and refuses an orphan', () => {
    const { request } = toOpenAIChatRequestFromGemini(
      {
        contents: [
          { role: 'user', parts: [{ text: 'go' }] },
          {
            role: 'model',
            parts: [
              { text: 'thinking…', thought: true },
              { functionCall: { name: 'a.b', args: { x: 1 } } },
              { functionCall: { name: 'a.b', args: { x: 2 } }, thoughtSignature: 'sig' },
            ],
          },
          {
            role: 'user',
            parts: [
              { functionResponse: { name: 'a.b', response: { output: 1 } } },
              { functionResponse: { name: 'a.b', response: { output: 2 } } },
            ],
          },
        ],
      },
      { model: 'm' },
    );
    expect(request.messages[1]).toEqual({
      role: 'assistant',
      content: null,
      tool_calls: [
        { id: 'call_gemini_1', type: 'function', function: { name: 'a_b', arguments: '{"x":1}' } },
        { id: 'call_gemini_2', type: 'function', function: { name: 'a_b', arguments: '{"x":2}' } },
      ],
    });
    expect(request.messages.slice(2)).toEqual([
      { role: 'tool', tool_call_id: 'call_gemini_1', content: '{"output":1}' },
      { role: 'tool', tool_call_id: 'call_gemini_2', content: '{"output":2}' },
    ]);
    expect(() =>
      toOpenAIChatRequestFromGemini(
        { contents: [{ role: 'user', parts: [{ functionResponse: { name: 'x', response: {} } }] }] },
        { model: 'm' },
      ),
    ).toThrow(/contents\[0\]\.parts\[0\]\.functionResponse: no functionCall of "x"/);
    expect(() =>
      toOpenAIChatRequestFromGemini(
        { contents: [{ role: 'user', parts: [{ text: 'x' }] }], tools: [{ googleSearch: {} }] },
        { model: 'm' },
      ),
    ).toThrow(/tools\[0\]\.googleSearch/);
  });
});
