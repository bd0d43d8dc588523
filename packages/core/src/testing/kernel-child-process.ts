/**
 * The child side of {@link startKernelProcess}: a kernel in its own process,
 * driven over the IPC channel, so a test can claim "the process does not die"
 * by watching its `'exit'`. Run by `startKernelProcess` (repository tests only: it needs `tsx`), never imported.
 *
 * @module
 */

import { sql } from 'kysely';
import { createPreloop } from '../kernel/create-preloop.js';
import { createLogger } from '../logger.js';
import { toStoreUnavailableError } from '../storage/store-unavailable.js';
import type { KernelProcessCommand } from './kernel-process.js';

const send = (message: unknown) => process.send?.(message);
const failure = (error: unknown) => ({
  ok: false,
  code: toStoreUnavailableError(error)?.code ?? (error as { code?: string })?.code ?? null,
  message: (error as Error)?.message ?? String(error),
});
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

const preloop = await createPreloop({
  database: process.env.PRELOOP_CHILD_DATABASE!,
  secretKey: process.env.PRELOOP_CHILD_SECRET_KEY!,
  logger: createLogger({ level: 'silent' }),
});
preloop.bus.subscribe('probe', (payload) => send({ type: 'bus', payload }));

let releaseHold: (() => void) | null = null;
let busy = false;
let busyLoop: Promise<void> | null = null;
const counts = { completed: 0, failed: 0 };

/** Transactions that keep a connection checked out between statements, so a restart finds one busy. */
const runBusy = async () => {
  while (busy) {
    try {
      await preloop.db.transaction().execute(async (trx) => {
        await sql`select 1`.execute(trx);
        await sleep(5);
        await sql`select 2`.execute(trx);
      });
      counts.completed++;
    } catch {
      counts.failed++;
      await sleep(20);
    }
  }
};

const handle = async (command: KernelProcessCommand): Promise<unknown> => {
  switch (command.cmd) {
    case 'hold':
      try {
        await preloop.db.transaction().execute(async (trx) => {
          await sql`select 1`.execute(trx);
          await new Promise<void>((resolve) => {
            releaseHold = resolve;
            send({ type: 'holding' });
          });
          await sql`select 2`.execute(trx);
        });
        return { ok: true };
      } catch (error) {
        return failure(error);
      }
    case 'release':
      releaseHold?.();
      releaseHold = null;
      return { ok: true };
    case 'query':
      try {
        await preloop.db.selectFrom('accounts').select('id').limit(1).execute();
        return { ok: true };
      } catch (error) {
        return failure(error);
      }
    case 'publish':
      try {
        await preloop.bus.publish('probe', command.payload);
        return { ok: true };
      } catch (error) {
        return failure(error);
      }
    case 'ready': {
      const response = await preloop.api(new Request('http://localhost/api/v1/health/ready'));
      return { ok: true, status: response.status, body: await response.json() };
    }
    case 'busy':
      busy = command.on;
      if (busy) busyLoop ??= runBusy().finally(() => (busyLoop = null));
      else await busyLoop;
      return { ok: true, ...counts };
    case 'close':
      busy = false;
      await busyLoop;
      await preloop.close();
      setImmediate(() => process.exit(0));
      return { ok: true };
  }
};

process.on('message', (message: { id: number } & KernelProcessCommand) => {
  void handle(message).then((result) => send({ type: 'reply', id: message.id, result }));
});
send({ type: 'started' });
