import { expect, it } from 'vitest';
import { describePostgres } from '../testing/describe-postgres.js';
import { startKernelProcess, type KernelProcess } from '../testing/kernel-process.js';
import { startPrivatePostgres } from '../testing/private-postgres.js';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function eventually(probe: () => Promise<boolean>, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await probe())) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await sleep(200);
  }
}

/** Collects the Bus messages a kernel process receives on the `probe` channel. */
function busMessages(kernel: KernelProcess): unknown[] {
  const received: unknown[] = [];
  kernel.child.on('message', (message: { type?: string; payload?: unknown }) => {
    if (message?.type === 'bus') received.push(message.payload);
  });
  return received;
}

// A real restart of a real server (pg_ctl restart, fast shutdown: every connection is cut) on a
// private cluster this test creates and removes; the shared server is never touched. The suite
// runs wherever PostgreSQL tests run (CI sets PRELOOP_TEST_POSTGRES_URL).
describePostgres('PostgreSQL restarts under two running instances', () => {
  it('both processes survive three restarts mid-transaction, become ready again, and their Bus delivers again', async () => {
    const server = await startPrivatePostgres();
    const kernels: KernelProcess[] = [];
    try {
      // One after the other: the first migrates the fresh database.
      kernels.push(await startKernelProcess(server.url));
      kernels.push(await startKernelProcess(server.url));
      const [first, second] = kernels as [KernelProcess, KernelProcess];
      const received = busMessages(first);
      for (const kernel of kernels) await kernel.request({ cmd: 'busy', on: true });
      for (let round = 1; round <= 3; round++) {
        await sleep(300);
        await server.restart();
        for (const kernel of kernels) expect(kernel.exited(), kernel.stderr()).toBeNull();
        for (const kernel of kernels) await eventually(async () => (await kernel.request({ cmd: 'ready' })).status === 200);
        await eventually(async () => {
          await second.request({ cmd: 'publish', payload: { round } });
          await sleep(200);
          return received.some((payload) => (payload as { round?: number })?.round === round);
        });
      }
      for (const kernel of kernels) {
        const counts = await kernel.request({ cmd: 'busy', on: false });
        // The work loop kept going between restarts.
        expect(counts.completed as number).toBeGreaterThan(0);
        expect(kernel.exited(), kernel.stderr()).toBeNull();
      }
    } finally {
      for (const kernel of kernels) await kernel.stop();
      await server.remove();
    }
  }, 120_000);
});
