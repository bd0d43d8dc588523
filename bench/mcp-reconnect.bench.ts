/**
 * How long after a Streamable HTTP upstream restarts (a new process on the same
 * port: every MCP session it held is gone, it answers 404 "Session not found")
 * a `tools/call` through Preloop works again, against a warm call in the same
 * run. The first call after the restart gets the 404, opens a new upstream
 * session, waits for the scan that re-checks the pins on it, and is sent again.
 */
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { serve } from '../packages/core/src/node.js';
import { createTestPreloop } from '../packages/core/src/testing/create-test-preloop.js';
import { createMcpHandler } from '../packages/mcp/src/http/create-mcp-handler.js';
import { mcp } from '../packages/mcp/src/plugin/mcp-plugin.js';
import { serveHttpUpstream } from '../packages/mcp/src/test-support/http-upstream.js';
import { createToolServer, createToolServerState, echoTool } from '../packages/mcp/src/test-support/tool-server.js';
import { defineBench, percentile, sampleMicros, type BenchContext } from './harness.js';

const ms = (micros: number) => Number((micros / 1000).toFixed(1));

export default defineBench({
  name: 'mcp-reconnect',
  description:
    'time until tools/call through Preloop works again after its Streamable HTTP upstream restarts (new sessions), vs a warm call',
  async run(ctx: BenchContext) {
    const restarts = ctx.quick ? 5 : 20;
    const giveUpMs = 30_000;
    const state = createToolServerState([echoTool]);
    let upstream = await serveHttpUpstream(() => createToolServer(state));
    const sqlite = { name: 'sqlite' as const, create: async () => ({ url: ':memory:', drop: async () => {} }) };
    const test = await createTestPreloop(sqlite, {
      plugins: [mcp({ rescanIntervalMs: 0 })],
      policy: { version: 1, defaults: { tools: 'allow' } },
    });
    const { preloop } = test;
    const runtime = preloop.service('mcp');
    const server = await runtime.servers.create(
      preloop.accountId,
      { name: 'up', transport: 'http', url: upstream.url },
      { type: 'system' },
    );
    await runtime.upstreams.scan(server, { trigger: 'admin', actor: { type: 'system' } });
    const { key } = await preloop.identity.apiKeys.create(preloop.accountId, { name: 'agent', scopes: ['mcp'] });
    const handler = createMcpHandler(preloop);
    const running = await serve({ port: 0, handler });
    const client = new Client({ name: 'bench', version: '1.0.0' });
    await client.connect(
      new StreamableHTTPClientTransport(new URL(`${running.url}/mcp`), { requestInit: { headers: { authorization: `Bearer ${key}` } } }),
    );
    const call = () => client.callTool({ name: 'up.echo', arguments: { message: 'hello' } });
    try {
      const warm = await sampleMicros(ctx.quick ? 50 : 200, call);
      const recovery: number[] = [];
      const callsNeeded: number[] = [];
      for (let index = 0; index < restarts; index++) {
        if ((await call()).isError) throw new Error('the call before the restart failed');
        const { port } = upstream;
        await upstream.close();
        upstream = await serveHttpUpstream(() => createToolServer(state), { port });
        const started = performance.now();
        let calls = 0;
        for (;;) {
          calls += 1;
          if (!(await call()).isError) break;
          if (performance.now() - started > giveUpMs) throw new Error(`calls still fail ${giveUpMs / 1000} s after the restart`);
          await new Promise((resolve) => setTimeout(resolve, 100));
        }
        recovery.push((performance.now() - started) * 1000);
        callsNeeded.push(calls);
      }
      ctx.log(`${restarts} restarts measured`);
      return {
        rows: [
          {
            case: 'warm call (baseline)',
            samples: warm.length,
            'p50 ms': ms(percentile(warm, 50)),
            'max ms': ms(Math.max(...warm)),
            'calls until ok': null,
          },
          {
            case: 'first call after the upstream restarted',
            samples: recovery.length,
            'p50 ms': ms(percentile(recovery, 50)),
            'max ms': ms(Math.max(...recovery)),
            'calls until ok': Math.max(...callsNeeded),
          },
        ],
        notes: [
          'Measured from the moment the restarted upstream listens to the first successful call (which includes the 404, a new initialize, the scan that re-checks the pins on the new session, and the call sent again).',
          'Before the reconnection change (before commit 52e494c) the upstream session was never renewed: every call answered "Streamable HTTP error: … Session not found" until an admin disabled and re-enabled the server (65 calls over 20 s all failed here; 330 s in the report).',
          'SQLite in memory; client, Preloop and upstream share one Node process on a shared machine.',
        ],
      };
    } finally {
      await client.close().catch(() => {});
      await handler.close();
      await running.close();
      await test.cleanup();
      await upstream.close();
    }
  },
});
