import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { approvals } from '@preloop/approvals';
import { createLogger, createPreloop, type Preloop } from '@preloop/core';
import { testDialects, testSecretKey } from '@preloop/core/testing';
import { describe, expect, it } from 'vitest';
import { crashTestApprovals } from './crash-test-support.js';
import { createWebhookSecret, verifyWebhook, webhook } from './index.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.resolve(here, '../../../..');
const secret = createWebhookSecret();
const requests = 4;
const approvers = ['alice', 'bob'];

/** A Standard Webhooks receiver that holds every delivery unanswered while `hold` is set, and records each arrival. */
async function startReceiver() {
  const arrivals: Array<{ id: string; answered: boolean }> = [];
  const held: ServerResponse[] = [];
  let firstArrival!: () => void;
  const first = new Promise<void>((resolve) => (firstArrival = resolve));
  const state = { hold: true };
  const server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const { id } = verifyWebhook(request.headers as Record<string, string>, Buffer.concat(chunks).toString('utf8'), [secret]);
      const arrival = { id, answered: false };
      arrivals.push(arrival);
      firstArrival();
      if (state.hold) return void held.push(response);
      arrival.answered = true;
      response.writeHead(204).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hooks`,
    arrivals,
    first,
    state,
    close: () => {
      server.closeAllConnections();
      return new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** Starts a child kernel delivering to `url`; resolves with the JSON line it prints. */
function startChild(database: string, url: string, mode: 'create' | 'serve'): { child: ChildProcess; output: Promise<unknown> } {
  const child = spawn(
    process.execPath,
    ['--conditions=@preloop/source', '--import', 'tsx', path.join(here, 'crash-test-child.ts'), database, url, mode, String(requests)],
    {
      cwd: root,
      env: { ...process.env, PRELOOP_SECRET_KEY: testSecretKey, PRELOOP_WEBHOOK_SECRET: secret },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let text = '';
  let errors = '';
  child.stderr!.on('data', (chunk) => (errors += chunk));
  const output = new Promise<unknown>((resolve, reject) => {
    child.stdout!.on('data', (chunk) => {
      text += chunk;
      if (text.includes('\n')) resolve(JSON.parse(text.split('\n')[0]!));
    });
    child.on('exit', (code) => reject(new Error(`the child kernel exited (${code}): ${errors}`)));
  });
  return { child, output };
}

async function kill(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((resolve) => child.on('exit', resolve));
  child.kill('SIGKILL');
  await exited;
}

describe.each(testDialects())('notification outbox across kill -9 on $name', (dialect) => {
  it('loses no delivery and answers none twice: a killed instance’s deliveries are sent by two others under the same idempotency keys', async () => {
    const directory = await mkdtemp(path.join(tmpdir(), 'preloop-outbox-'));
    const database =
      dialect.name === 'sqlite' ? { url: `sqlite:${path.join(directory, 'preloop.db')}`, drop: async () => {} } : await dialect.create();
    const receiver = await startReceiver();
    const children: ChildProcess[] = [];
    let survivor: Preloop | null = null;
    try {
      // The approvers, written by a kernel without notifiers.
      const setup = await createPreloop({
        database: database.url,
        secretKey: testSecretKey,
        logger: createLogger({ level: 'silent' }),
        plugins: [approvals(crashTestApprovals)],
      });
      for (const name of approvers)
        await setup.identity.users.create(setup.accountId, { email: `${name}@example.com`, name, role: 'approver' });
      await setup.close();

      // Instance A creates the requests and starts delivering; the receiver holds every delivery, and A dies mid-delivery.
      const a = startChild(database.url, receiver.url, 'create');
      children.push(a.child);
      const ids = (await a.output) as string[];
      await receiver.first;
      await kill(a.child);
      const heldBeforeTheCrash = new Set(receiver.arrivals.map((arrival) => arrival.id));
      expect(heldBeforeTheCrash.size).toBeGreaterThan(0);
      receiver.state.hold = false;

      // Two instances take over: B in another process, and this one.
      const b = startChild(database.url, receiver.url, 'serve');
      children.push(b.child);
      await b.output;
      survivor = await createPreloop({
        database: database.url,
        secretKey: testSecretKey,
        logger: createLogger({ level: 'silent' }),
        plugins: [approvals(crashTestApprovals), webhook({ url: receiver.url, secret })],
      });
      const engine = survivor.service('approvals');
      await engine.notificationsIdle();

      const deliveries = (await Promise.all(ids.map((id) => engine.deliveries(survivor!.accountId, id)))).flat();
      expect(deliveries).toHaveLength(requests * approvers.length);
      expect(deliveries.every((delivery) => delivery.status === 'sent')).toBe(true);
      const answered = receiver.arrivals.filter((arrival) => arrival.answered).map((arrival) => arrival.id);
      // Every delivery answered exactly once, under its own id; the ones in doubt at the crash were sent again under the same id.
      expect(answered.sort()).toEqual(deliveries.map((delivery) => delivery.id).sort());
      for (const id of heldBeforeTheCrash) expect(answered).toContain(id);
    } finally {
      for (const child of children) await kill(child);
      await survivor?.close();
      await receiver.close();
      await database.drop();
      await rm(directory, { recursive: true, force: true });
    }
  }, 90_000);
});
