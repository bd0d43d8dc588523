import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type OpenAI from 'openai';
import { testDialects } from '@preloop/core/testing';
import { gatewayAdapters, startGatewayHarness, type GatewayHarness } from './gateway-harness.js';

// Codex sends its tools as Responses `namespace` tools (groups of functions), MCP server or not. On an
// Anthropic-format alias they are flattened into function tools and the calls get their namespace back.
const sqlite = testDialects().filter((dialect) => dialect.name === 'sqlite');
const cases = sqlite.flatMap((dialect) => gatewayAdapters.map((adapter) => ({ dialect, adapter, name: `${dialect.name}, ${adapter}` })));

const weather = { type: 'object', properties: { city: { type: 'string' } }, required: ['city'], additionalProperties: false };
const tools: OpenAI.Responses.Tool[] = [
  {
    type: 'namespace',
    name: 'mcp__weather__',
    description: 'Tools of the weather MCP server.',
    tools: [
      { type: 'function', name: 'forecast', description: 'Forecast of a city', parameters: weather, strict: false },
      { type: 'function', name: 'alerts', description: 'Alerts of a city', parameters: weather, strict: false },
    ],
  },
  {
    type: 'function',
    name: 'shell',
    description: 'Runs a command',
    parameters: { type: 'object', properties: { command: { type: 'string' } } },
    strict: false,
  },
];

describe.each(cases)('Codex namespace tools on an Anthropic alias on $name', ({ dialect, adapter }) => {
  let harness: GatewayHarness;
  beforeAll(async () => {
    harness = await startGatewayHarness(dialect, { adapter });
  });
  afterAll(async () => {
    await harness?.close();
  });

  const lastUpstreamBody = () => harness.upstream.requests.at(-1)!.body;

  it('flattens namespaces into function tools upstream and restores the namespace on the call (no streaming)', async () => {
    const response = await harness
      .openaiClient()
      .responses.create({ model: 'claude-mock', input: 'Weather in Paris?', tools, store: false });
    expect(lastUpstreamBody().tools.map((tool: { name: string }) => tool.name)).toEqual([
      'mcp__weather__forecast',
      'mcp__weather__alerts',
      'shell',
    ]);
    expect(lastUpstreamBody().tools[0].description).toBe('Tools of the weather MCP server.\n\nForecast of a city');
    const call = response.output.find((item) => item.type === 'function_call');
    expect(call).toMatchObject({ type: 'function_call', name: 'forecast', namespace: 'mcp__weather__', arguments: '{"city":"Paris"}' });
  });

  it('restores the namespace in a stream, event by event and in the final response', async () => {
    const stream = harness.openaiClient().responses.stream({ model: 'claude-mock', input: 'Weather in Paris?', tools, store: false });
    const added: unknown[] = [];
    stream.on('response.output_item.added', (event) => added.push(event.item));
    const final = await stream.finalResponse();
    expect(added).toContainEqual(expect.objectContaining({ type: 'function_call', name: 'forecast', namespace: 'mcp__weather__' }));
    expect(final.output.find((item) => item.type === 'function_call')).toMatchObject({ name: 'forecast', namespace: 'mcp__weather__' });
  });

  it('sends namespaced calls of the history under their flat names', async () => {
    await harness.openaiClient().responses.create({
      model: 'claude-mock',
      tools,
      store: false,
      input: [
        { role: 'user', content: 'Weather in Paris?' },
        { type: 'function_call', call_id: 'call_1', name: 'forecast', namespace: 'mcp__weather__', arguments: '{"city":"Paris"}' },
        { type: 'function_call_output', call_id: 'call_1', output: 'Sunny' },
      ],
    });
    const assistant = lastUpstreamBody().messages.find((message: { role: string }) => message.role === 'assistant');
    expect(assistant.content).toContainEqual(
      expect.objectContaining({ type: 'tool_use', id: 'call_1', name: 'mcp__weather__forecast', input: { city: 'Paris' } }),
    );
  });

  it('refuses a namespace holding a freeform tool with a 400 naming it', async () => {
    const error = await harness
      .openaiClient()
      .responses.create({
        model: 'claude-mock',
        input: 'x',
        store: false,
        tools: [{ type: 'namespace', name: 'edit', description: '', tools: [{ type: 'custom', name: 'apply_patch' }] }],
      })
      .catch((caught: unknown) => caught);
    expect(error).toMatchObject({ status: 400, type: 'invalid_request_error' });
    expect((error as Error).message).toMatch(/tools\[0\]\.tools\[0\].*"custom".*namespace "edit"/);
  });
});
