import type { PolicyDocumentInput } from '@preloop/core';
/**
 * `tools/call` through the governed MCP endpoint (authentication, policy,
 * audit record before the call, forwarding on a pooled upstream connection,
 * result record and statistics) against calling the same upstream directly,
 * measured side by side in one run with the official SDK client over real
 * loopback HTTP.
 */
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { Server } from '@modelcontextprotocol/sdk/server/index.js';
import { CallToolRequestSchema, CallToolResultSchema, ListToolsRequestSchema } from '@modelcontextprotocol/sdk/types.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { serve, type RunningServer } from '../packages/core/src/node.js';
import { createTestPreloop, type TestPreloop } from '../packages/core/src/testing/create-test-preloop.js';
import { createPostgresTestDatabase } from '../packages/core/src/testing/test-databases.js';
import { createMcpHandler, type McpHandler } from '../packages/mcp/src/http/create-mcp-handler.js';
import type { McpHandlerOptions } from '../packages/mcp/src/http/handler-options.js';
import { mcp } from '../packages/mcp/src/plugin/mcp-plugin.js';
import { serveHttpUpstream } from '../packages/mcp/src/test-support/http-upstream.js';
import { createToolServer, createToolServerState, echoTool } from '../packages/mcp/src/test-support/tool-server.js';
import { defineBench, percentile, sampleMicros, type BenchContext, type BenchRow } from './harness.js';

const concurrency = 16;

interface Case {
  name: string;
  tool: string;
  client: Client;
  close(): Promise<void>;
}

async function connect(url: string, token?: string): Promise<Client> {
  const client = new Client({ name: 'bench', version: '1.0.0' });
  await client.connect(
    new StreamableHTTPClientTransport(new URL(url), token ? { requestInit: { headers: { authorization: `Bearer ${token}` } } } : {}),
  );
  return client;
}

async function governed(
  name: string,
  upstreamUrl: string,
  database: TestPreloop | Promise<TestPreloop>,
  handlerOptions: McpHandlerOptions = {},
): Promise<Case> {
  const test = await database;
  const { preloop } = test;
  const runtime = preloop.service('mcp');
  const server = await runtime.servers.create(preloop.accountId, { name: 'up', transport: 'http', url: upstreamUrl }, { type: 'system' });
  await runtime.upstreams.scan(server, { trigger: 'admin', actor: { type: 'system' } });
  const user = await preloop.identity.users.create(preloop.accountId, { email: 'bench@example.com', name: 'bench', role: 'viewer' });
  const { key } = await preloop.identity.apiKeys.create(preloop.accountId, { name: 'agent', scopes: ['mcp'], userId: user.id });
  const handler: McpHandler = createMcpHandler(preloop, handlerOptions);
  const running: RunningServer = await serve({ port: 0, handler });
  const client = await connect(`${running.url}/mcp`, key);
  return {
    name,
    tool: 'up.echo',
    client,
    async close() {
      await client.close();
      await handler.close();
      await running.close();
      await test.cleanup();
    },
  };
}

/** The second baseline: a bare SDK proxy (same two hops, no authentication, policy or records), to separate the hop from the governance. */
async function bareProxy(upstreamUrl: string): Promise<Case> {
  const upstream = await connect(upstreamUrl);
  const proxy = await serveHttpUpstream(() => {
    const server = new Server({ name: 'bare-proxy', version: '1.0.0' }, { capabilities: { tools: {} } });
    server.setRequestHandler(ListToolsRequestSchema, () => upstream.listTools());
    server.setRequestHandler(CallToolRequestSchema, (request) =>
      upstream.request({ method: 'tools/call', params: request.params }, CallToolResultSchema),
    );
    return server;
  });
  const client = await connect(proxy.url);
  return {
    name: 'bare SDK proxy (no governance)',
    tool: 'echo',
    client,
    async close() {
      await client.close();
      await proxy.close();
      await upstream.close();
    },
  };
}

function policy(): PolicyDocumentInput {
  return { version: 1, defaults: { tools: 'deny' }, rules: [{ tool: 'up.*', action: 'allow' }] };
}

async function throughput(client: Client, tool: string, total: number): Promise<number> {
  let next = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < total) {
        next += 1;
        await client.callTool({ name: tool, arguments: { message: 'hello' } });
      }
    }),
  );
  return total / ((performance.now() - started) / 1000);
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;
const ms = (micros: number) => Number((micros / 1000).toFixed(3));

export default defineBench({
  name: 'mcp',
  description: `tools/call latency (sequential) and throughput (${concurrency} concurrent) through the governed MCP endpoint vs the same upstream directly`,
  async run(ctx: BenchContext) {
    const rounds = 3;
    const samples = ctx.quick ? 150 : 600;
    const calls = ctx.quick ? 600 : 3000;
    const upstream = await serveHttpUpstream(() => createToolServer(createToolServerState([echoTool])));
    const cases: Case[] = [];
    try {
      const direct = await connect(upstream.url);
      cases.push({ name: 'direct to upstream', tool: 'echo', client: direct, close: () => direct.close() });
      cases.push(await bareProxy(upstream.url));
      const sqlite = { name: 'sqlite' as const, create: async () => ({ url: ':memory:', drop: async () => {} }) };
      cases.push(
        await governed(
          'through Preloop (sqlite)',
          upstream.url,
          createTestPreloop(sqlite, { plugins: [mcp({ rescanIntervalMs: 0 })], policy: policy() }),
        ),
      );
      // The same, without resumability (no SSE event store, no mcp_call_streams rows): what that guarantee costs per call.
      cases.push(
        await governed(
          'through Preloop (sqlite, resumability: false)',
          upstream.url,
          createTestPreloop(sqlite, { plugins: [mcp({ rescanIntervalMs: 0 })], policy: policy() }),
          { resumability: false },
        ),
      );
      if (ctx.postgresUrl) {
        const postgres = { name: 'postgres' as const, create: () => createPostgresTestDatabase(ctx.postgresUrl!) };
        cases.push(
          await governed(
            'through Preloop (postgres)',
            upstream.url,
            createTestPreloop(postgres, { plugins: [mcp({ rescanIntervalMs: 0 })], policy: policy() }),
          ),
        );
      }
      // Warm up every path (JIT, connection pools, caches), then alternate the cases round by round.
      for (const entry of cases) await sampleMicros(100, () => entry.client.callTool({ name: entry.tool, arguments: { message: 'warm' } }));
      const latency = new Map<string, number[]>(cases.map((entry) => [entry.name, []]));
      const rates = new Map<string, number[]>(cases.map((entry) => [entry.name, []]));
      for (let round = 0; round < rounds; round++) {
        for (const entry of cases) {
          latency
            .get(entry.name)!
            .push(...(await sampleMicros(samples, () => entry.client.callTool({ name: entry.tool, arguments: { message: 'hello' } }))));
        }
        for (const entry of cases) rates.get(entry.name)!.push(await throughput(entry.client, entry.tool, calls));
        ctx.log(`round ${round + 1}/${rounds} done`);
      }
      const base = latency.get(cases[0]!.name)!;
      const baseRate = median(rates.get(cases[0]!.name)!);
      const rows: BenchRow[] = cases.map((entry) => {
        const values = latency.get(entry.name)!;
        const rate = median(rates.get(entry.name)!);
        return {
          case: entry.name,
          calls: values.length,
          'p50 ms': ms(percentile(values, 50)),
          'p99 ms': ms(percentile(values, 99)),
          'added p50 ms': ms(percentile(values, 50) - percentile(base, 50)),
          'added p99 ms': ms(percentile(values, 99) - percentile(base, 99)),
          'calls/s': Math.round(rate),
          'throughput vs direct': Number((rate / baseRate).toFixed(2)),
        };
      });
      return {
        rows,
        notes: [
          'Official SDK client over loopback Streamable HTTP (SSE responses); the upstream is an SDK server with an `echo` tool.',
          'Governed path per call: Bearer API key authentication (cached), policy decision, audit record written before the call, forwarding on a pooled upstream session, result record and statistics in the background.',
          '"resumability: false" turns off what lets a client resume a call on another instance after a crash (the SDK event store with SSE event ids and the mcp_call_streams row written and removed per call); the difference to the default row is the price of that guarantee.',
          `Latency: ${rounds} rounds of ${samples} sequential calls per case, cases alternated; throughput: ${calls} calls with ${concurrency} in flight, median of ${rounds}.`,
          'The governed path adds a second HTTP hop (client → Preloop → upstream); "added" is the difference to the direct call in the same run. The bare SDK proxy makes the same two hops with nothing else, so Preloop minus bare proxy is the cost of governance itself.',
          "Client, Preloop and upstream share one Node process (and the machine's cores), so throughput ratios understate what a dedicated Preloop process sustains.",
        ],
      };
    } finally {
      for (const entry of cases.reverse()) await entry.close().catch(() => {});
      await upstream.close();
    }
  },
});
