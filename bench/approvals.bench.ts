import { approvals, type ApprovalEngine } from '@preloop/approvals';
import { createLogger, createMemoryBus, createPostgresBus, createPreloop, type Bus, type Preloop, type Principal } from '@preloop/core';
import { createPostgresTestDatabase } from '@preloop/core/testing';
import { defineBench, percentile, type BenchContext, type BenchRow } from './harness.js';

const secretKey = 'bench-secret-key-0123456789abcdef0123456789abcdef';
const workflows = { bench: { approvers: { roles: ['approver' as const] }, timeoutSeconds: 3600 } };

function kernel(database: string): Promise<Preloop> {
  // A long poll interval: any fast wake-up below comes from the Bus, not from polling.
  return createPreloop({
    database,
    secretKey,
    logger: createLogger({ level: 'silent' }),
    plugins: [approvals({ workflows, pollIntervalMs: 60_000 })],
  });
}

function requester(preloop: Preloop): Principal {
  return {
    type: 'api_key',
    id: 'key_bench',
    accountId: preloop.accountId,
    name: 'bench agent',
    role: null,
    userId: null,
    apiKeyId: 'key_bench',
    agentId: null,
    runtimeSessionId: null,
    teamIds: [],
    scopes: ['mcp'],
  };
}

async function approverOf(preloop: Preloop): Promise<Principal> {
  const user = await preloop.identity.users.create(preloop.accountId, {
    email: `approver-${Date.now()}@example.com`,
    name: 'approver',
    role: 'approver',
  });
  return {
    type: 'user',
    id: user.id,
    accountId: preloop.accountId,
    name: user.name,
    role: 'approver',
    userId: user.id,
    apiKeyId: null,
    agentId: null,
    runtimeSessionId: null,
    teamIds: [],
    scopes: [],
  };
}

const ms = (value: number) => Math.round(value * 1000) / 1000;

/**
 * Times `iterations` rounds of: create a request on `waiter`, start `wait`, then
 * decide it on `decider`. Reports decide → wait resolves (end to end: the
 * decide's transaction and audit writes included) and signal → wait resolves
 * (from the moment the deciding instance announces the change).
 */
async function measureWake(name: string, waiterKernel: Preloop, deciderKernel: Preloop, iterations: number): Promise<BenchRow> {
  const waiter: ApprovalEngine = waiterKernel.service('approvals');
  const decider: ApprovalEngine = deciderKernel.service('approvals');
  const approver = await approverOf(waiterKernel);
  const principal = requester(waiterKernel);
  const endToEnd: number[] = [];
  const fromSignal: number[] = [];
  const decideOnly: number[] = [];
  let announcedAt = 0;
  let announcedId = '';
  deciderKernel.events.on('approval-updated', (event) => {
    if (event.status === 'approved') {
      announcedAt = performance.now();
      announcedId = event.id;
    }
  });
  for (let i = 0; i < iterations + 5; i += 1) {
    const ticket = await waiter.request({
      principal,
      tool: { name: 'deploy', definitionHash: null },
      args: { i, name },
      workflow: 'bench',
    });
    const waiting = waiter.wait(ticket.id).then(() => performance.now());
    const started = performance.now();
    await decider.decide({ accountId: waiterKernel.accountId, requestId: ticket.id, actor: approver, decision: 'approve', channel: 'api' });
    const decided = performance.now();
    const resolved = await waiting;
    if (i < 5) continue; // warm-up
    if (announcedId !== ticket.id) throw new Error('the change was not announced');
    endToEnd.push(resolved - started);
    fromSignal.push(resolved - announcedAt);
    decideOnly.push(decided - started);
  }
  return {
    case: name,
    'decide→wait p50 ms': ms(percentile(endToEnd, 50)),
    'decide→wait p99 ms': ms(percentile(endToEnd, 99)),
    'signal→wait p50 ms': ms(percentile(fromSignal, 50)),
    'signal→wait p99 ms': ms(percentile(fromSignal, 99)),
    'decide call p50 ms': ms(percentile(decideOnly, 50)),
    iterations,
  };
}

/** The baseline: a raw Bus publish → receive round trip from `from` to `to`. */
async function measureBus(name: string, from: Bus, to: Bus, iterations: number): Promise<BenchRow> {
  const samples: number[] = [];
  let pending: ((at: number) => void) | null = null;
  const unsubscribe = to.subscribe('bench-baseline', () => pending?.(performance.now()));
  for (let i = 0; i < iterations + 5; i += 1) {
    const received = new Promise<number>((resolve) => (pending = resolve));
    const started = performance.now();
    await from.publish('bench-baseline', { i });
    const at = await received;
    if (i >= 5) samples.push(at - started);
  }
  unsubscribe();
  return {
    case: name,
    'publish→receive p50 ms': ms(percentile(samples, 50)),
    'publish→receive p99 ms': ms(percentile(samples, 99)),
    iterations,
  };
}

export default defineBench({
  name: 'approvals',
  description:
    'Approval decided → wait resolves, one instance (SQLite, PostgreSQL) and across two instances on PostgreSQL, against a raw Bus round trip',
  async run(ctx: BenchContext) {
    const iterations = ctx.quick ? 30 : 300;
    const rows: BenchRow[] = [];
    const notes: string[] = [];

    const memoryBus = createMemoryBus();
    rows.push(await measureBus('baseline: memory Bus publish→receive', memoryBus, memoryBus, iterations));
    await memoryBus.close();
    ctx.log('sqlite, one instance');
    const sqlite = await kernel(':memory:');
    try {
      rows.push(await measureWake('one instance (sqlite)', sqlite, sqlite, iterations));
    } finally {
      await sqlite.close();
    }

    if (ctx.postgresUrl) {
      const database = await createPostgresTestDatabase(ctx.postgresUrl);
      const busA = await createPostgresBus({ url: database.url });
      const busB = await createPostgresBus({ url: database.url });
      let a: Preloop | null = null;
      let b: Preloop | null = null;
      try {
        rows.push(await measureBus('baseline: PostgreSQL Bus publish→receive, two connections', busB, busA, iterations));
        ctx.log('postgres, one instance');
        a = await kernel(database.url);
        rows.push(await measureWake('one instance (postgres)', a, a, iterations));
        ctx.log('postgres, two instances');
        b = await kernel(database.url);
        rows.push(await measureWake('two instances (postgres): wait on A, decide on B', a, b, iterations));
      } finally {
        await b?.close();
        await a?.close();
        await busA.close();
        await busB.close();
        await database.drop();
      }
    } else {
      notes.push('No PostgreSQL configured: set PRELOOP_TEST_POSTGRES_URL for the PostgreSQL and two-instance cases.');
    }
    notes.push(
      'decide→wait: from the approver’s decide call to the waiting call resolving (includes the decide transaction and its audit writes).',
      'signal→wait: from the deciding instance announcing the change (event + Bus publish) to the wait resolving: the Bus hop plus one database re-read.',
      'The waits poll only every 60 s here, so every wake-up measured came through the Bus.',
    );
    return { rows, notes };
  },
});
