/**
 * OpenTelemetry traces of governed calls, end to end: a kernel with
 * `tracing.otlp` exports spans over OTLP/HTTP (JSON) to a local receiver (a
 * plain `node:http` server decoding the export) for a real gateway call made
 * with the official `openai` client against a stub upstream and for an MCP
 * tool call made with the MCP SDK client. Attributes follow the GenAI
 * semantic conventions; spans are parented to the caller's `traceparent`;
 * content only with `captureContent`; never a credential. Without `tracing`,
 * the OpenTelemetry SDK is not even loaded (checked in a child process).
 */
import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { promisify } from 'node:util';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { createPreloop, definePlugin, genAiAttributes, type PreloopOptions } from '@preloop/core';
import { serve, type RunningServer } from '@preloop/core/node';
import { createTestPreloop, testDialects, type TestPreloop } from '@preloop/core/testing';
import { createGateway, gateway } from '@preloop/gateway';
import { createMcpHandler, mcp } from '@preloop/mcp';
import { openai } from '@preloop/plugin-openai';
import OpenAI from 'openai';
import { glob } from 'tinyglobby';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startMockUpstream, type MockUpstream } from '../packages/gateway/test-fixtures/mock-upstream.js';

const upstreamKey = 'sk-tracingupstream0123456789abcdefCANARY';
const traceId = '4bf92f3577b34da6a3ce929d0e0e4736';
const parentId = '00f067aa0ba902b7';
const traceparent = `00-${traceId}-${parentId}-01`;

/** One span as the OTLP/HTTP JSON export carries it, with its attributes flattened. */
interface ReceivedSpan {
  traceId: string;
  spanId: string;
  parentSpanId?: string;
  name: string;
  kind: number;
  status?: { code?: number };
  attributes: Record<string, unknown>;
  service: unknown;
}

function attributeValue(value: Record<string, any>): unknown {
  if ('stringValue' in value) return value.stringValue;
  if ('intValue' in value) return Number(value.intValue);
  if ('doubleValue' in value) return value.doubleValue;
  if ('boolValue' in value) return value.boolValue;
  if ('arrayValue' in value) return (value.arrayValue.values ?? []).map(attributeValue);
  return undefined;
}
const flatten = (attributes: Array<{ key: string; value: Record<string, any> }> = []) =>
  Object.fromEntries(attributes.map(({ key, value }) => [key, attributeValue(value)]));

/** A local OTLP/HTTP receiver: decodes each JSON export of `POST /v1/traces`. */
async function startReceiver() {
  const spans: ReceivedSpan[] = [];
  const bodies: string[] = [];
  const server: Server = createServer((request, response) => {
    let body = '';
    request.setEncoding('utf8');
    request.on('data', (chunk: string) => (body += chunk));
    request.on('end', () => {
      bodies.push(body);
      if (request.url === '/v1/traces' && request.headers['content-type']?.startsWith('application/json')) {
        for (const resourceSpans of JSON.parse(body).resourceSpans ?? []) {
          const service = flatten(resourceSpans.resource?.attributes)['service.name'];
          for (const scopeSpans of resourceSpans.scopeSpans ?? [])
            for (const span of scopeSpans.spans ?? []) spans.push({ ...span, attributes: flatten(span.attributes), service });
        }
      }
      response.writeHead(200, { 'content-type': 'application/json' }).end('{}');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    spans,
    bodies,
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1/traces`,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

const hello = definePlugin({
  id: 'hello',
  tools: [
    {
      name: 'hello',
      description: 'Greets the caller.',
      inputSchema: { type: 'object', properties: { name: { type: 'string' } } },
      readOnly: true,
      call: async (args) => ({ content: [{ type: 'text', text: `hello ${String(args.name)}` }] }),
    },
  ],
});

describe('OpenTelemetry traces of model and tool calls', () => {
  const dialect = testDialects()[0]!;
  let receiver: Awaited<ReturnType<typeof startReceiver>>;
  let models: MockUpstream;

  /** A kernel with the gateway, MCP and `tracing`, served on a real port. */
  async function start(tracing: PreloopOptions['tracing']) {
    const test: TestPreloop = await createTestPreloop(dialect, {
      plugins: [mcp({ rescanIntervalMs: 0 }), gateway({ reclaimIntervalMs: 0 }), openai(), hello],
      policy: { version: 1, defaults: { tools: 'allow', models: { allow: ['*'] } } },
      ...(tracing ? { tracing } : {}),
    });
    const { preloop } = test;
    const system = { type: 'system' as const, name: 'test' };
    const baseUrl = `${models.url}/v1`;
    const runtime = preloop.service('gateway');
    await runtime.models.create(
      preloop.accountId,
      { alias: 'fast', provider: 'openai', model: 'gpt-4o-mini', baseUrl, apiKey: upstreamKey },
      system,
    );
    await runtime.models.create(
      preloop.accountId,
      { alias: 'embed', provider: 'openai', model: 'text-embedding-3-small', baseUrl, apiKey: upstreamKey },
      system,
    );
    const { key } = await preloop.identity.apiKeys.create(preloop.accountId, { name: 'agent', scopes: ['gateway', 'mcp'] });
    const gatewayHandler = createGateway(preloop);
    const mcpHandler = createMcpHandler(preloop);
    const server: RunningServer = await serve({
      port: 0,
      handler: (request) => (new URL(request.url).pathname.startsWith('/mcp') ? mcpHandler(request) : gatewayHandler(request)),
    });
    return {
      preloop,
      key,
      openai: new OpenAI({ apiKey: key, baseURL: `${server.url}/openai/v1`, maxRetries: 0 }),
      async mcpClient() {
        const client = new Client({ name: 'tracing-test', version: '1.0.0' });
        const transport = new StreamableHTTPClientTransport(new URL(`${server.url}/mcp`), {
          requestInit: { headers: { authorization: `Bearer ${key}` } },
        });
        await client.connect(transport);
        return { client, sessionId: transport.sessionId };
      },
      async close() {
        await server.close();
        await test.cleanup();
      },
    };
  }

  let traced: Awaited<ReturnType<typeof start>>;

  beforeAll(async () => {
    receiver = await startReceiver();
    models = await startMockUpstream({ credentials: [upstreamKey] });
    traced = await start({
      otlp: { url: receiver.url, headers: { 'x-collector-token': 'collector-secret' } },
      serviceName: 'preloop-test',
    });
  });
  afterAll(async () => {
    await traced?.close();
    await models?.close();
    await receiver?.close();
  });

  it('exports a "chat <model>" client span of a gateway call, parented to the caller\'s traceparent, without content or credentials', async () => {
    const completion = await traced.openai.chat.completions.create(
      { model: 'fast', max_completion_tokens: 20, temperature: 0.2, messages: [{ role: 'user', content: 'secret prompt text' }] },
      { headers: { traceparent } },
    );
    expect(completion.choices[0]!.finish_reason).toBe('stop');
    await traced.preloop.tracing.flush();

    const span = receiver.spans.find((s) => s.name === 'chat fast')!;
    expect(span).toBeDefined();
    expect(span).toMatchObject({ traceId, parentSpanId: parentId, kind: 3, service: 'preloop-test' });
    expect(span.status?.code ?? 0).toBe(0);
    expect(span.attributes).toMatchObject({
      'gen_ai.operation.name': 'chat',
      'gen_ai.provider.name': 'openai',
      'gen_ai.system': 'openai',
      'gen_ai.request.model': 'fast',
      'gen_ai.response.model': 'gpt-4o-mini',
      'gen_ai.response.id': 'chatcmpl-mock',
      'gen_ai.usage.input_tokens': 120,
      'gen_ai.usage.output_tokens': 30,
      'gen_ai.response.finish_reasons': ['stop'],
      'gen_ai.request.max_tokens': 20,
      'gen_ai.request.temperature': 0.2,
      'gen_ai.request.stream': false,
      'preloop.model.alias': 'fast',
      'preloop.outcome': 'succeeded',
      'preloop.principal.type': 'api_key',
    });
    expect(span.attributes).not.toHaveProperty('gen_ai.input.messages');
    expect(span.attributes).not.toHaveProperty('gen_ai.output.messages');
    const exported = receiver.bodies.join('\n');
    expect(exported).not.toContain('secret prompt text');
    expect(exported).not.toContain(upstreamKey);
    expect(exported).not.toContain(traced.key);
  });

  it('exports an "embeddings <model>" span, and marks a failed upstream call as an error with its error.type', async () => {
    await traced.openai.embeddings.create({ model: 'embed', input: 'some text' });
    models.handle = () => ({ status: 500, json: { error: { message: 'upstream broke', type: 'server_error' } } });
    try {
      await expect(
        traced.openai.chat.completions.create({ model: 'fast', messages: [{ role: 'user', content: 'hi' }] }),
      ).rejects.toMatchObject({
        status: 500,
      });
    } finally {
      models.handle = null;
    }
    await traced.preloop.tracing.flush();

    const embeddings = receiver.spans.find((s) => s.name === 'embeddings embed')!;
    expect(embeddings.attributes).toMatchObject({ 'gen_ai.operation.name': 'embeddings', 'gen_ai.request.model': 'embed' });
    expect(embeddings.parentSpanId ?? '').toBe('');
    const failed = receiver.spans.find((s) => s.name === 'chat fast' && s.attributes['preloop.outcome'] === 'failed')!;
    expect(failed.status?.code).toBe(2);
    expect(failed.attributes['error.type']).toBe('upstream_error');
  });

  it('exports an "execute_tool <name>" span of an MCP tool call made with the SDK client, parented to _meta.traceparent', async () => {
    const { client, sessionId } = await traced.mcpClient();
    try {
      const result = await client.callTool({ name: 'hello', arguments: { name: 'Ada' }, _meta: { traceparent } });
      expect(result.content).toEqual([{ type: 'text', text: 'hello Ada' }]);
    } finally {
      await client.close();
    }
    await traced.preloop.tracing.flush();

    const span = receiver.spans.find((s) => s.name === 'execute_tool hello')!;
    expect(span).toMatchObject({ traceId, parentSpanId: parentId, kind: 1 });
    expect(span.attributes).toMatchObject({
      'gen_ai.operation.name': 'execute_tool',
      'gen_ai.tool.name': 'hello',
      'gen_ai.tool.type': 'function',
      'mcp.method.name': 'tools/call',
      'mcp.session.id': sessionId,
      'preloop.outcome': 'succeeded',
    });
    expect(span.attributes).not.toHaveProperty('gen_ai.tool.call.arguments');
  });

  it('records prompts, responses and tool arguments only with captureContent', async () => {
    const withContent = await start({ otlp: { url: receiver.url }, captureContent: true });
    try {
      await withContent.openai.chat.completions.create({ model: 'fast', messages: [{ role: 'user', content: 'capture me' }] });
      const { client } = await withContent.mcpClient();
      await client.callTool({ name: 'hello', arguments: { name: 'Grace' } });
      await client.close();
      await withContent.preloop.tracing.flush();
    } finally {
      await withContent.close();
    }
    const chat = receiver.spans.find(
      (s) => s.name === 'chat fast' && String(s.attributes['gen_ai.input.messages']).includes('capture me'),
    )!;
    expect(JSON.parse(chat.attributes['gen_ai.output.messages'] as string)[0].message.content).toBe('Hello from the mock OpenAI upstream.');
    const tool = receiver.spans.find((s) => s.name === 'execute_tool hello' && s.attributes['gen_ai.tool.call.arguments'])!;
    expect(JSON.parse(tool.attributes['gen_ai.tool.call.arguments'] as string)).toEqual({ name: 'Grace' });
    expect(receiver.bodies.join('\n')).not.toContain(upstreamKey);
  });

  it('refuses a tracing option that is wrong, naming it', async () => {
    await expect(createPreloop({ database: ':memory:', tracing: { otlp: { url: 'ftp://collector/v1/traces' } } })).rejects.toMatchObject({
      code: 'CONFIGURATION_ERROR',
      message: expect.stringContaining('"tracing.otlp.url"'),
    });
    await expect(createPreloop({ database: ':memory:', tracing: {} })).rejects.toMatchObject({
      code: 'CONFIGURATION_ERROR',
      message: expect.stringContaining('"tracing"'),
    });
  });

  it("uses the GenAI semantic conventions' attribute names", async () => {
    const semconv = await import('@opentelemetry/semantic-conventions/incubating');
    const expected: Record<string, string> = {
      operationName: semconv.ATTR_GEN_AI_OPERATION_NAME,
      providerName: semconv.ATTR_GEN_AI_PROVIDER_NAME,
      requestModel: semconv.ATTR_GEN_AI_REQUEST_MODEL,
      responseModel: semconv.ATTR_GEN_AI_RESPONSE_MODEL,
      responseFinishReasons: semconv.ATTR_GEN_AI_RESPONSE_FINISH_REASONS,
      usageInputTokens: semconv.ATTR_GEN_AI_USAGE_INPUT_TOKENS,
      usageOutputTokens: semconv.ATTR_GEN_AI_USAGE_OUTPUT_TOKENS,
      usageCacheReadInputTokens: semconv.ATTR_GEN_AI_USAGE_CACHE_READ_INPUT_TOKENS,
      inputMessages: semconv.ATTR_GEN_AI_INPUT_MESSAGES,
      outputMessages: semconv.ATTR_GEN_AI_OUTPUT_MESSAGES,
      toolName: semconv.ATTR_GEN_AI_TOOL_NAME,
      toolType: semconv.ATTR_GEN_AI_TOOL_TYPE,
      toolCallArguments: semconv.ATTR_GEN_AI_TOOL_CALL_ARGUMENTS,
      toolCallResult: semconv.ATTR_GEN_AI_TOOL_CALL_RESULT,
      conversationId: semconv.ATTR_GEN_AI_CONVERSATION_ID,
      agentId: semconv.ATTR_GEN_AI_AGENT_ID,
      mcpMethodName: semconv.ATTR_MCP_METHOD_NAME,
      mcpSessionId: semconv.ATTR_MCP_SESSION_ID,
      errorType: semconv.ATTR_ERROR_TYPE,
    };
    for (const [key, name] of Object.entries(expected)) expect(genAiAttributes[key as keyof typeof genAiAttributes]).toBe(name);
  });

  it('without tracing, loads no OpenTelemetry package and exports nothing (child process, and no static import anywhere)', async () => {
    // A resolve hook in a child process lists every @opentelemetry/* package the tracing module imports.
    const hook = `let port; export function initialize(data) { port = data.port; }
export async function resolve(specifier, context, next) { if (specifier.startsWith('@opentelemetry/')) port.postMessage(specifier); return next(specifier, context); }`;
    const script = `
import { register } from 'node:module';
import { MessageChannel } from 'node:worker_threads';
const { port1, port2 } = new MessageChannel();
const seen = [];
port1.on('message', (specifier) => seen.push(specifier));
register('data:text/javascript,' + encodeURIComponent(${JSON.stringify(hook)}), { data: { port: port2 }, transferList: [port2] });
const { createTracing } = await import('./packages/core/src/tracing/create-tracing.ts');
const logger = { debug() {}, info() {}, warn() {}, error() {} };
const settle = () => new Promise((resolve) => setTimeout(resolve, 50));
const off = await createTracing(undefined, logger);
off.record({});
await off.flush();
await settle();
const withoutTracing = [...seen];
const on = await createTracing({ otlp: { url: ${JSON.stringify(receiver.url)} } }, logger);
await settle();
await on.close();
port1.close();
console.log(JSON.stringify({ withoutTracing, withTracing: seen, enabled: [off.enabled, on.enabled] }));
`;
    const exportsBefore = receiver.bodies.length;
    const { stdout } = await promisify(execFile)(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {
      cwd: process.cwd(),
      timeout: 30_000,
    });
    const report = JSON.parse(stdout.trim().split('\n').at(-1)!) as { withoutTracing: string[]; withTracing: string[]; enabled: boolean[] };
    expect(report.enabled).toEqual([false, true]);
    expect(report.withoutTracing).toEqual([]);
    expect(report.withTracing).toEqual(
      expect.arrayContaining(['@opentelemetry/sdk-trace-base', '@opentelemetry/exporter-trace-otlp-http']),
    );
    expect(receiver.bodies.length).toBe(exportsBefore);

    // And nothing else in the packages imports OpenTelemetry at load time (type-only imports are erased).
    const sources = await glob(['packages/*/src/**/*.ts', 'packages/plugins/*/src/**/*.ts'], { ignore: ['**/*.test.ts'] });
    const offenders: string[] = [];
    for (const file of sources) {
      const text = await readFile(file, 'utf8');
      if (/^\s*import\s+(?!type\b)[^;]*from\s+'@opentelemetry\//m.test(text) || /^\s*export\s+[^;]*from\s+'@opentelemetry\//m.test(text))
        offenders.push(file);
    }
    expect(offenders).toEqual([]);
  }, 30_000);
});
