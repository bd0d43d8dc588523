/**
 * Bytes the database grows by per gateway call, by table: model calls through
 * the in-process gateway handler (an in-process upstream answering like
 * OpenAI), on a SQLite file, measured with SQLite's `dbstat` (pages of each
 * table and its indexes). Then the same database after the retention prune.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { createLogger, createPreloop } from '@preloop/core';
import { createGateway, gateway } from '@preloop/gateway';
import { defaultMockReply, type MockRequest } from '../packages/gateway/test-fixtures/mock-upstream.js';
import { openAIProviderForTests } from '../packages/gateway/test-fixtures/test-providers.js';
import { sqliteConnectionOf } from '../packages/core/src/storage/database.js';
import { defineBench, type BenchRow } from './harness.js';

const stubFetch: typeof fetch = async (input, init) => {
  const body = JSON.parse(String(init?.body ?? 'null'));
  const reply = defaultMockReply({ path: new URL(String(input)).pathname, body, headers: {} } as MockRequest);
  if ('json' in reply)
    return new Response(JSON.stringify(reply.json), { status: reply.status ?? 200, headers: { 'content-type': 'application/json' } });
  throw new Error('unexpected reply');
};

/** A chat request of a coding agent's size class: a system prompt and a short exchange (about 1.3 KB of JSON). */
const request = {
  model: 'gpt',
  messages: [
    { role: 'system', content: 'You are a careful coding assistant. '.repeat(12) },
    {
      role: 'user',
      content:
        'Refactor the function below to use async/await and keep its behaviour.\n' +
        'function f(x) { return g(x).then((y) => h(y)); }\n'.repeat(6),
    },
    { role: 'assistant', content: 'Here is the refactored function. '.repeat(5) },
    { role: 'user', content: 'Now add error handling.' },
  ],
};

interface Case {
  name: string;
  session: boolean;
  capture: boolean;
  auditCalls: 'all' | 'failures';
}

const cases: Case[] = [
  { name: 'API key, default options', session: false, capture: false, auditCalls: 'all' },
  { name: 'runtime session (gateway event + activity)', session: true, capture: false, auditCalls: 'all' },
  { name: 'runtime session, capture.bodies on', session: true, capture: true, auditCalls: 'all' },
  { name: "API key, auditCalls: 'failures'", session: false, capture: false, auditCalls: 'failures' },
];

export default defineBench({
  name: 'record-size',
  description: 'Database bytes per gateway call by table (SQLite file, dbstat), and after the retention prune',
  async run({ quick, log }) {
    const calls = quick ? 500 : 5000;
    const rows: BenchRow[] = [];
    const dir = await mkdtemp(path.join(os.tmpdir(), 'preloop-record-size-'));
    try {
      for (const entry of cases) {
        const file = path.join(dir, `${rows.length}.db`);
        const preloop = await createPreloop({
          database: `sqlite:${file}`,
          secretKey: 'record-size-bench-secret-key-0123456789abcdef',
          logger: createLogger({ level: 'silent' }),
          plugins: [gateway({ reclaimIntervalMs: 0, retention: { intervalMs: 0 } })],
          policy: { version: 1, defaults: { tools: 'deny', models: { allow: ['*'] } } },
        });
        const runtime = preloop.service('gateway');
        (runtime.providers as Map<string, unknown>).set('openai', openAIProviderForTests);
        await runtime.models.create(
          preloop.accountId,
          { alias: 'gpt', provider: 'openai', model: 'gpt-4o-mini', baseUrl: 'http://upstream.test/v1' },
          { type: 'system' },
        );
        const agent = await preloop.identity.agents.enroll(preloop.accountId, { name: 'bench agent', kind: 'custom' });
        const token = entry.session
          ? (await preloop.identity.runtimeSessions.start(preloop.accountId, { agentId: agent.id, name: 'bench' })).credential.token
          : (await preloop.identity.apiKeys.create(preloop.accountId, { name: 'bench', scopes: ['gateway'] })).key;
        const handler = createGateway(preloop, { fetch: stubFetch, capture: { bodies: entry.capture }, auditCalls: entry.auditCalls });
        const sqlite = sqliteConnectionOf(preloop.db)!;
        const sizes = () =>
          new Map(
            (
              sqlite
                .prepare(
                  'select coalesce(i.tbl_name, s.name) as tbl, sum(s.pgsize) as bytes from dbstat s left join sqlite_master i on i.name = s.name group by tbl',
                )
                .all() as Array<{ tbl: string; bytes: number }>
            ).map((row) => [row.tbl, row.bytes]),
          );
        const fileBytes = () =>
          (sqlite.prepare('pragma page_count').pluck().get() as number) * (sqlite.prepare('pragma page_size').pluck().get() as number);
        await runtime.flush();
        const before = sizes();
        const beforeFile = fileBytes();
        for (let i = 0; i < calls; i++) {
          const response = await handler(
            new Request('http://gateway.test/openai/v1/chat/completions', {
              method: 'POST',
              headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
              body: JSON.stringify(request),
            }),
          );
          if (response.status !== 200) throw new Error(`call ${i}: ${response.status} ${await response.text()}`);
          await response.text();
        }
        await runtime.flush();
        const after = sizes();
        const perCall = (table: string) => Math.round(((after.get(table) ?? 0) - (before.get(table) ?? 0)) / calls);
        const row: BenchRow = {
          case: entry.name,
          'total B/call': Math.round((fileBytes() - beforeFile) / calls),
          audit_records: perCall('audit_records'),
          audit_checkpoints: perCall('audit_checkpoints'),
          gateway_usage: perCall('gateway_usage'),
          gateway_events: perCall('gateway_events'),
          runtime_session_activity: perCall('runtime_session_activity'),
        };
        // Retention: everything is young, so prune as if 31 days (bodies) and 401 days (usage) had passed.
        if (entry.capture) {
          const used = () =>
            (sqlite
              .prepare(
                "select sum(pgsize - unused) from dbstat where name in ('gateway_events', 'gateway_events_session', 'gateway_events_time') or name like 'sqlite_autoindex_gateway_events%'",
              )
              .pluck()
              .get() as number) ?? 0;
          const usedBefore = used();
          await runtime.prune(Date.now() + 31 * 86_400_000);
          row['gateway_events used B/call, after bodies cleared'] = Math.round((used() / usedBefore) * perCall('gateway_events'));
        }
        rows.push(row);
        log(`${entry.name}: ${JSON.stringify(row)}`);
        await preloop.close();
      }
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
    return {
      rows,
      notes: [
        `${calls} non-streaming chat calls per case through createGateway (in-process upstream), ${JSON.stringify(request).length} B request body; bytes are SQLite pages (dbstat) of each table with its indexes, divided by the calls.`,
        'A pruned row frees its pages for reuse; the file itself shrinks only with VACUUM (SQLite) or VACUUM FULL / pg_repack (PostgreSQL).',
      ],
    };
  },
});
