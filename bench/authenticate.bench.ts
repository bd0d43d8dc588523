import { createHash } from 'node:crypto';
import { createPreloop } from '../packages/core/src/kernel/create-preloop.js';
import type { Preloop } from '../packages/core/src/kernel/preloop.js';
import { createRuntimeCredentials } from '../packages/core/src/identity/runtime-credentials.js';
import { createLogger } from '../packages/core/src/logger.js';
import { createPostgresTestDatabase } from '../packages/core/src/testing/test-databases.js';
import { defineBench, percentile, sampleMicros, type BenchContext, type BenchRow } from './harness.js';

const secretKey = 'bench-secret-key-0123456789abcdef0123456789abcdef';

interface Credentials {
  apiKey: Request;
  runtimeCredential: Request;
  cookie: Request;
  key: string;
  token: string;
}

/** Seeds an owner with an API key and a console session, and an agent with a running session. */
async function seed(preloop: Preloop): Promise<Credentials> {
  const accountId = preloop.accountId;
  const user = await preloop.identity.users.create(accountId, {
    email: `bench-${Date.now()}@example.com`,
    name: 'Bench',
    role: 'owner',
    password: 'bench password 123',
  });
  const { key } = await preloop.identity.apiKeys.create(accountId, {
    name: 'bench',
    scopes: ['mcp', 'gateway', 'admin:read'],
    userId: user.id,
  });
  const agent = await preloop.identity.agents.enroll(accountId, { name: 'bench agent', kind: 'custom' });
  const { credential } = await preloop.identity.runtimeSessions.start(accountId, { agentId: agent.id, name: 'bench run' });
  const login = await preloop.identity.consoleSessions.login(user.email, 'bench password 123');
  return {
    key,
    token: credential.token,
    apiKey: new Request('http://localhost/mcp', { headers: { authorization: `Bearer ${key}` } }),
    runtimeCredential: new Request('http://localhost/mcp', { headers: { authorization: `Bearer ${credential.token}` } }),
    cookie: new Request('http://localhost/api/v1/auth/me', { headers: { cookie: `preloop_session=${login!.token}` } }),
  };
}

function row(name: string, samples: number[], baselineMedian: number): BenchRow {
  const median = percentile(samples, 50);
  return {
    case: name,
    'median µs': Number(median.toFixed(2)),
    'p99 µs': Number(percentile(samples, 99).toFixed(2)),
    'ratio to SHA-256': Number((median / baselineMedian).toFixed(1)),
    samples: samples.length,
  };
}

async function measure(preloop: Preloop, dialect: string, context: BenchContext): Promise<BenchRow[]> {
  const credentials = await seed(preloop);
  const warm = context.quick ? 2_000 : 20_000;
  const cold = context.quick ? 300 : 3_000;
  const cases: Array<[string, Request]> = [
    ['API key', credentials.apiKey],
    ['runtime credential', credentials.runtimeCredential],
    ['session cookie', credentials.cookie],
  ];
  for (const [name, request] of cases) {
    if (!(await preloop.authenticate(request))) throw new Error(`${name} did not authenticate`);
  }

  // Baseline, measured in the same run: hashing the key alone.
  await sampleMicros(warm, () => createHash('sha256').update(credentials.key).digest('hex'));
  const baseline = await sampleMicros(warm, () => createHash('sha256').update(credentials.key).digest('hex'));
  const baselineMedian = percentile(baseline, 50);
  const rows: BenchRow[] = [row(`SHA-256 of the key (baseline, ${dialect})`, baseline, baselineMedian)];

  if (dialect === 'sqlite') {
    // The JWT check alone, without the verified-token memo: what a runtime credential costs the first time it is seen.
    const verifier = createRuntimeCredentials({ secretKey, verifiedTokenCacheSize: 0 });
    await sampleMicros(Math.min(warm, 500), () => verifier.verify(credentials.token));
    rows.push(
      row(
        'runtime credential JWT verification alone (jose HS256, first sight)',
        await sampleMicros(warm, () => verifier.verify(credentials.token)),
        baselineMedian,
      ),
    );
  }
  for (const [name, request] of cases) {
    context.log(`${dialect}: ${name}`);
    await sampleMicros(Math.min(warm, 500), () => preloop.authenticate(request));
    rows.push(row(`${name}, cached (${dialect})`, await sampleMicros(warm, () => preloop.authenticate(request)), baselineMedian));
    rows.push(
      row(
        `${name}, uncached: database lookup (${dialect})`,
        await sampleMicros(cold, () => {
          preloop.identity.clearCache();
          return preloop.authenticate(request);
        }),
        baselineMedian,
      ),
    );
  }
  return rows;
}

export default defineBench({
  name: 'authenticate',
  description: 'Cost of preloop.authenticate() per request: API key, runtime credential (JWT) and session cookie, cached and uncached',
  async run(context) {
    const rows: BenchRow[] = [];
    const logger = createLogger({ level: 'silent' });
    const sqlite = await createPreloop({ database: ':memory:', secretKey, logger });
    try {
      rows.push(...(await measure(sqlite, 'sqlite', context)));
    } finally {
      await sqlite.close();
    }
    if (context.postgresUrl) {
      const database = await createPostgresTestDatabase(context.postgresUrl);
      const postgres = await createPreloop({ database: database.url, secretKey, logger });
      try {
        rows.push(...(await measure(postgres, 'postgres', context)));
      } finally {
        await postgres.close();
        await database.drop();
      }
    }
    return {
      rows,
      notes: [
        'Each row times one preloop.authenticate(request) call on a reused Request; the baseline is SHA-256 of the same key, timed in the same run.',
        'Cached: the credential cache (30 s TTL, dropped on revoke/suspend/disable/end through the Bus) answers. Uncached: the cache is cleared before each call, so it pays the database lookup (one indexed query, plus team ids for users).',
        'A runtime credential pays its HS256 JWT verification (jose, pinned to HS256) the first time it is seen; afterwards a memo keyed by its SHA-256 re-checks only expiry and audience. The session/agent database check is the cached part.',
        'PostgreSQL is on the same machine (loopback); a remote database adds its round trip to the uncached rows only.',
      ],
    };
  },
});
