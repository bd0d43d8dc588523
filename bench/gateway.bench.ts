import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { Agent, request as httpRequest } from 'node:http';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { createPostgresTestDatabase } from '@preloop/core/testing';
import { defineBench, percentile, type BenchContext, type BenchRow } from './harness.js';

interface AutocannonResult {
  requests: { average: number };
  latency: { p50: number; p99: number };
  non2xx: number;
  errors: number;
}
const autocannon = createRequire(import.meta.url)('autocannon') as (options: Record<string, unknown>) => Promise<AutocannonResult>;

const here = path.dirname(fileURLToPath(import.meta.url));
const servers = path.join(here, 'gateway-servers.ts');
const upstreamKey = 'sk-bench-upstream-0123456789abcdef';
const portkeyVersion = (createRequire(import.meta.url)('@portkey-ai/gateway/package.json') as { version: string }).version;
const portkeyName = `@portkey-ai/gateway ${portkeyVersion}`;

interface Target {
  name: string;
  port: number;
  path: string;
  model: string;
  headers: Record<string, string>;
  child: ChildProcess | null;
}

/** Starts one role of gateway-servers.ts in its own process and waits (at most 30 s) for its `{ port }` line. */
async function start(args: string[]): Promise<{ child: ChildProcess; info: { port: number; apiKey?: string } }> {
  const child = spawn(process.execPath, ['--conditions=@preloop/source', '--import', 'tsx', servers, ...args], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const lines = createInterface({ input: child.stdout! });
  let timer: NodeJS.Timeout | undefined;
  try {
    const info = await new Promise<{ port: number; apiKey?: string }>((resolve, reject) => {
      child.once('exit', (code) => reject(new Error(`${args[0]} exited with ${code}`)));
      lines.once('line', (line) => resolve(JSON.parse(line)));
      timer = setTimeout(() => reject(new Error(`${args[0]} did not report a port within 30 s`)), 30_000);
    });
    return { child, info };
  } catch (error) {
    child.kill('SIGKILL');
    throw error;
  } finally {
    clearTimeout(timer);
  }
}

/** CPU time (user + system) of a process so far, in microseconds (Linux). */
function cpuMicros(pid: number | undefined): number | null {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
    return ((Number(fields[11]) + Number(fields[12])) * 1_000_000) / 100;
  } catch {
    return null;
  }
}

function body(target: Target, stream: boolean): string {
  return JSON.stringify({
    model: target.model,
    max_completion_tokens: 64,
    stream,
    messages: [{ role: 'user', content: 'Say something about foxes.' }],
  });
}

/** One request on a keep-alive connection: time to the first body byte and to the end, in µs. */
function once(agent: Agent, target: Target, payload: string): Promise<{ ttfb: number; total: number }> {
  return new Promise((resolve, reject) => {
    const startedAt = process.hrtime.bigint();
    const request = httpRequest(
      {
        host: '127.0.0.1',
        port: target.port,
        path: target.path,
        method: 'POST',
        agent,
        headers: { ...target.headers, 'content-type': 'application/json', 'content-length': Buffer.byteLength(payload) },
      },
      (response) => {
        let first = 0n;
        response.on('data', () => {
          if (first === 0n) first = process.hrtime.bigint();
        });
        response.on('end', () => {
          if (response.statusCode !== 200) return reject(new Error(`${target.name}: status ${response.statusCode}`));
          const end = process.hrtime.bigint();
          resolve({ ttfb: Number(first - startedAt) / 1000, total: Number(end - startedAt) / 1000 });
        });
        response.on('error', reject);
      },
    );
    request.on('error', reject);
    request.end(payload);
  });
}

async function sequential(target: Target, stream: boolean, count: number, samples: { ttfb: number[]; total: number[] }): Promise<void> {
  const agent = new Agent({ keepAlive: true, maxSockets: 1 });
  const payload = body(target, stream);
  for (let index = 0; index < count; index++) {
    const { ttfb, total } = await once(agent, target, payload);
    samples.ttfb.push(ttfb);
    samples.total.push(total);
  }
  agent.destroy();
}

async function throughput(
  target: Target,
  stream: boolean,
  seconds: number,
): Promise<{ rps: number; cpuPerRequest: number | null; errors: number }> {
  const before = cpuMicros(target.child?.pid);
  const result = await autocannon({
    url: `http://127.0.0.1:${target.port}${target.path}`,
    method: 'POST',
    headers: { ...target.headers, 'content-type': 'application/json' },
    body: body(target, stream),
    connections: 32,
    duration: seconds,
  });
  const after = cpuMicros(target.child?.pid);
  const total = result.requests.average * seconds;
  return {
    rps: Math.round(result.requests.average),
    cpuPerRequest: before !== null && after !== null && total > 0 ? Math.round((after - before) / total) : null,
    errors: result.non2xx + result.errors,
  };
}

/** One wave of `count` streamed requests started at once (one connection each): TTFB of each, and how many did not end in time. */
async function wave(
  agent: Agent,
  target: Target,
  count: number,
  timeoutMs: number,
): Promise<{ ttfb: number[]; stalled: number; failed: number; seconds: number }> {
  const payload = body(target, true);
  const ttfb: number[] = [];
  let stalled = 0;
  let failed = 0;
  const startedAt = process.hrtime.bigint();
  await Promise.all(
    Array.from({ length: count }, async () => {
      let timer: NodeJS.Timeout | undefined;
      const timeout = new Promise<'stalled'>((resolve) => (timer = setTimeout(() => resolve('stalled'), timeoutMs)));
      try {
        const result = await Promise.race([once(agent, target, payload), timeout]);
        if (result === 'stalled') stalled++;
        else ttfb.push(result.ttfb);
      } catch {
        failed++;
      } finally {
        clearTimeout(timer);
      }
    }),
  );
  return { ttfb, stalled, failed, seconds: Number(process.hrtime.bigint() - startedAt) / 1e9 };
}

/**
 * `count` concurrent streams, in `waves` waves after one warm-up wave that
 * opens the connections (so the listen backlog and TCP handshakes are not
 * what is measured): TTFB percentiles over every measured stream, and the
 * streams that did not end within `timeoutMs` (a stall) or failed.
 */
async function concurrentStreams(
  target: Target,
  count: number,
  waves: number,
  timeoutMs: number,
): Promise<{ ttfb: number[]; stalled: number; failed: number; seconds: number[] }> {
  const agent = new Agent({ keepAlive: true, maxSockets: count, maxFreeSockets: count });
  try {
    await wave(agent, target, count, timeoutMs);
    const all = { ttfb: [] as number[], stalled: 0, failed: 0, seconds: [] as number[] };
    for (let index = 0; index < waves; index++) {
      const result = await wave(agent, target, count, timeoutMs);
      all.ttfb.push(...result.ttfb);
      all.stalled += result.stalled;
      all.failed += result.failed;
      all.seconds.push(result.seconds);
    }
    return all;
  } finally {
    agent.destroy();
  }
}

const round = (value: number) => Math.round(value);

export default defineBench({
  name: 'gateway',
  description:
    'Model gateway overhead on one mock upstream (OpenAI chat completions): latency added over a direct call (p50/p99, sequential keep-alive requests), time to first byte when streaming, throughput (32 connections) and 512 concurrent streams, next to a minimal Node pass-through proxy and @portkey-ai/gateway',
  async run(context: BenchContext) {
    const latencyCount = context.quick ? 300 : 3000;
    const rounds = 3;
    const seconds = context.quick ? 2 : 6;
    const dataDir = await mkdtemp(path.join(os.tmpdir(), 'preloop-gateway-bench-'));
    const children: ChildProcess[] = [];
    const postgres = context.postgresUrl ? await createPostgresTestDatabase(context.postgresUrl) : null;
    try {
      const mock = await start(['mock']);
      children.push(mock.child);
      const upstream = `http://127.0.0.1:${mock.info.port}`;
      const targets: Target[] = [
        {
          name: 'direct to the mock',
          port: mock.info.port,
          path: '/v1/chat/completions',
          model: 'gpt-4o-mini',
          headers: { authorization: `Bearer ${upstreamKey}` },
          child: null,
        },
      ];
      const add = async (name: string, args: string[], gatewayTarget: boolean) => {
        const started = await start(args);
        children.push(started.child);
        targets.push({
          name,
          port: started.info.port,
          path: gatewayTarget ? '/openai/v1/chat/completions' : '/v1/chat/completions',
          model: gatewayTarget ? 'bench' : 'gpt-4o-mini',
          headers: { authorization: `Bearer ${gatewayTarget ? started.info.apiKey : upstreamKey}` },
          child: started.child,
        });
      };
      await add('node pass-through proxy', ['proxy', upstream], false);
      await add('gateway (sqlite file)', ['gateway', upstream, `sqlite:${path.join(dataDir, 'a.db')}`], true);
      await add(
        'gateway (sqlite file, auditCalls: failures)',
        ['gateway', upstream, `sqlite:${path.join(dataDir, 'd.db')}`, 'audit-failures'],
        true,
      );
      await add('gateway (sqlite file, account budget)', ['gateway', upstream, `sqlite:${path.join(dataDir, 'b.db')}`, 'budget'], true);
      await add('gateway (sqlite file, web adapter)', ['gateway', upstream, `sqlite:${path.join(dataDir, 'c.db')}`, 'web'], true);
      if (postgres) await add('gateway (postgres, account budget)', ['gateway', upstream, postgres.url, 'budget'], true);
      {
        // Portkey's OSS gateway, pointed at the same mock as an OpenAI-compatible custom host.
        const started = await start(['portkey']);
        children.push(started.child);
        targets.push({
          name: portkeyName,
          port: started.info.port,
          path: '/v1/chat/completions',
          model: 'gpt-4o-mini',
          headers: { authorization: `Bearer ${upstreamKey}`, 'x-portkey-provider': 'openai', 'x-portkey-custom-host': `${upstream}/v1` },
          child: started.child,
        });
      }

      context.log('warming up');
      for (const target of targets) {
        await sequential(target, false, 300, { ttfb: [], total: [] });
        await sequential(target, true, 300, { ttfb: [], total: [] });
      }
      const latency = new Map(
        targets.map((target) => [
          target.name,
          { plain: { ttfb: [] as number[], total: [] as number[] }, stream: { ttfb: [] as number[], total: [] as number[] } },
        ]),
      );
      for (let pass = 0; pass < rounds; pass++) {
        context.log(`latency round ${pass + 1}/${rounds}`);
        for (const target of targets) {
          await sequential(target, false, latencyCount / rounds, latency.get(target.name)!.plain);
          await sequential(target, true, latencyCount / rounds, latency.get(target.name)!.stream);
        }
      }
      const rates = new Map<string, { plain: Awaited<ReturnType<typeof throughput>>; stream: Awaited<ReturnType<typeof throughput>> }>();
      for (const target of targets) {
        context.log(`throughput: ${target.name}`);
        rates.set(target.name, { plain: await throughput(target, false, seconds), stream: await throughput(target, true, seconds) });
      }

      const streamCount = 512;
      const streamWaves = context.quick ? 1 : 3;
      const streams = new Map<string, Awaited<ReturnType<typeof concurrentStreams>>>();
      for (const target of targets) {
        context.log(`${streamCount} concurrent streams: ${target.name}`);
        streams.set(target.name, await concurrentStreams(target, streamCount, streamWaves, 30_000));
      }

      const direct = latency.get(targets[0]!.name)!;
      const proxyRate = rates.get('node pass-through proxy')!;
      const rows: BenchRow[] = [];
      for (const target of targets) {
        const samples = latency.get(target.name)!;
        const rate = rates.get(target.name)!;
        rows.push({
          case: target.name,
          'p50 µs': round(percentile(samples.plain.total, 50)),
          'p99 µs': round(percentile(samples.plain.total, 99)),
          'added p50 µs': round(percentile(samples.plain.total, 50) - percentile(direct.plain.total, 50)),
          'added p99 µs': round(percentile(samples.plain.total, 99) - percentile(direct.plain.total, 99)),
          'stream TTFB p50 µs': round(percentile(samples.stream.ttfb, 50)),
          'added TTFB p50 µs': round(percentile(samples.stream.ttfb, 50) - percentile(direct.stream.ttfb, 50)),
          'added TTFB p99 µs': round(percentile(samples.stream.ttfb, 99) - percentile(direct.stream.ttfb, 99)),
          'req/s': rate.plain.rps,
          'req/s vs proxy': Number((rate.plain.rps / proxyRate.plain.rps).toFixed(2)),
          'stream req/s': rate.stream.rps,
          'stream req/s vs proxy': Number((rate.stream.rps / proxyRate.stream.rps).toFixed(2)),
          'server CPU µs/req': rate.plain.cpuPerRequest,
          errors: rate.plain.errors + rate.stream.errors,
        });
      }
      const proxyStreams = streams.get('node pass-through proxy')!;
      const streamRows: BenchRow[] = targets.map((target) => {
        const wide = streams.get(target.name)!;
        return {
          case: `${streamCount} concurrent streams: ${target.name}`,
          'streams TTFB p50 µs': round(percentile(wide.ttfb, 50)),
          'streams TTFB p99 µs': round(percentile(wide.ttfb, 99)),
          'added TTFB p50 µs vs proxy': round(percentile(wide.ttfb, 50) - percentile(proxyStreams.ttfb, 50)),
          'added TTFB p99 µs vs proxy': round(percentile(wide.ttfb, 99) - percentile(proxyStreams.ttfb, 99)),
          'wave seconds (median)': Number(percentile(wide.seconds, 50).toFixed(3)),
          'streams measured': wide.ttfb.length + wide.stalled + wide.failed,
          stalled: wide.stalled,
          errors: wide.failed,
        };
      });
      rows.push(...streamRows);
      const proxyLatency = latency.get('node pass-through proxy')!;
      const overProxy = targets
        .filter((target) => target.name.startsWith('gateway'))
        .map((target) => {
          const samples = latency.get(target.name)!;
          const p50 = round(percentile(samples.plain.total, 50) - percentile(proxyLatency.plain.total, 50));
          const ttfb = round(percentile(samples.stream.ttfb, 50) - percentile(proxyLatency.stream.ttfb, 50));
          return `${target.name}: +${p50} µs p50, +${ttfb} µs TTFB p50`;
        });
      const portkeyLatency = latency.get(portkeyName)!;
      const portkeyOverProxy = `+${round(percentile(portkeyLatency.plain.total, 50) - percentile(proxyLatency.plain.total, 50))} µs p50, +${round(percentile(portkeyLatency.stream.ttfb, 50) - percentile(proxyLatency.stream.ttfb, 50))} µs TTFB p50`;
      return {
        rows,
        notes: [
          `Over the bare proxy (the same extra loopback hop, so this is the gateway's own work): ${overProxy.join('; ')}; ${portkeyName}: ${portkeyOverProxy}.`,
          `Latency: ${latencyCount} sequential requests per case and mode on one keep-alive connection, in ${rounds} interleaved rounds; "added" = this case minus the direct call, at the same percentile. TTFB = first response body byte of a streamed answer.`,
          `Throughput: autocannon, 32 connections, ${seconds} s per mode. The load generator, the mock and the server under test are separate processes sharing the machine's cores, so absolute req/s are bounded by the machine; compare the ratios. "server CPU µs/req" is the server process's CPU time per non-streaming request (from /proc).`,
          'Gateway cases: createNodeGateway (createGateway behind core\'s web adapter for "web adapter"); OpenAI ingress to an OpenAI-format alias (pass-through; streams are parsed and re-emitted event by event for usage metering); API key auth (cached), policy check, usage record and audit record per call, written off the request path in batches every 50 ms. "auditCalls: failures" drops the per-call audit record of successful calls. "account budget" adds the atomic reservation before the upstream call (a transaction on SQLite, a single statement on PostgreSQL) and its settlement after.',
          `${streamCount} concurrent streams: ${streamCount} streamed requests started at once on ${streamCount} keep-alive connections, ${streamWaves} wave(s) after a warm-up wave that opens the connections; TTFB over every stream of the measured waves, "added" against the pass-through proxy in the same run; "stalled" = a stream that had not ended after 30 s (the target: none, and added TTFB p50 ≤ 1 ms).`,
          'Node pass-through proxy: node:http + keep-alive agent (at most 1024 upstream sockets), bytes piped both ways, no parsing (the baseline).',
          `${portkeyName}: its published Node server (build/start-server.js --headless) in its own process, listen pinned to 127.0.0.1, same mock, headers x-portkey-provider: openai and x-portkey-custom-host: <mock>/v1, upstream key as Authorization; no config, cache, retries, hooks or logging backend (its defaults). Its dependency @hono/node-server is pinned to 1.13.8 by an npm override: with the 1.14+ versions its range resolves to, every streamed request fails with "TypeError: immutable" (Portkey-AI/gateway#1389). Its SSE relay waits 25 ms (setTimeout) before forwarding the first event, which is most of its streaming TTFB.`,
        ],
      };
    } finally {
      for (const child of children) child.kill('SIGTERM');
      await new Promise((resolve) => setTimeout(resolve, 300));
      await postgres?.drop().catch(() => {});
      await rm(dataDir, { recursive: true, force: true });
    }
  },
});
