import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { createLogger, createPreloop, type Preloop } from '@preloop/core';
import { testDialects, testSecretKey } from '@preloop/core/testing';
import { describe, expect, it } from 'vitest';
import { approvals } from './approvals-plugin.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.resolve(here, '../../..');
const count = 10;
const timeoutSeconds = 6;

/** Starts the child kernel, waits for its pending requests, then kills it with SIGKILL. */
async function runAndKill(database: string): Promise<Array<{ id: string; status: string; expiresAt: number }>> {
  const child = spawn(
    process.execPath,
    [
      '--conditions=@preloop/source',
      '--import',
      'tsx',
      path.join(here, 'test-child-kernel.ts'),
      database,
      String(count),
      String(timeoutSeconds),
    ],
    {
      cwd: root,
      env: { ...process.env, PRELOOP_SECRET_KEY: testSecretKey },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let output = '';
  let errors = '';
  child.stderr.on('data', (chunk) => (errors += chunk));
  const tickets = await new Promise<Array<{ id: string; status: string; expiresAt: number }>>((resolve, reject) => {
    child.stdout.on('data', (chunk) => {
      output += chunk;
      const line = output.split('\n')[0];
      if (output.includes('\n')) resolve(JSON.parse(line!));
    });
    child.on('exit', (code) => reject(new Error(`the child kernel exited (${code}) before printing: ${errors}`)));
  });
  const exited = new Promise<NodeJS.Signals | null>((resolve) => child.on('exit', (_code, signal) => resolve(signal)));
  child.kill('SIGKILL');
  expect(await exited).toBe('SIGKILL');
  return tickets;
}

describe.each(testDialects())('pending requests survive kill -9 on $name', (dialect) => {
  it('keeps them pending with their deadlines after a restart, then expires them on time', async () => {
    const directory = await mkdtemp(path.join(tmpdir(), 'preloop-approvals-'));
    const database =
      dialect.name === 'sqlite' ? { url: `sqlite:${path.join(directory, 'preloop.db')}`, drop: async () => {} } : await dialect.create();
    let restarted: Preloop | null = null;
    try {
      const tickets = await runAndKill(database.url);
      expect(tickets).toHaveLength(count);
      expect(tickets.every((ticket) => ticket.status === 'pending')).toBe(true);

      restarted = await createPreloop({
        database: database.url,
        secretKey: testSecretKey,
        logger: createLogger({ level: 'silent' }),
        plugins: [approvals({ workflows: { restart: { approvers: { roles: ['approver'] }, timeoutSeconds } } })],
      });
      const engine = restarted.service('approvals');
      expect(Date.now()).toBeLessThan(tickets[0]!.expiresAt);
      for (const ticket of tickets) {
        const view = await engine.get(restarted.accountId, ticket.id);
        expect(view).toMatchObject({ status: 'pending', expiresAt: ticket.expiresAt });
      }
      // Nobody waits: the restarted scheduler alone must expire them, on time.
      const expiredAt = new Map<string, number>();
      restarted.events.on('approval-updated', (event) => {
        if (event.status === 'expired') expiredAt.set(event.id, Date.now());
      });
      const last = Math.max(...tickets.map((ticket) => ticket.expiresAt));
      await new Promise((resolve) => setTimeout(resolve, Math.max(0, last - Date.now()) + 2500));
      for (const ticket of tickets) {
        expect(await engine.status(ticket.id, restarted.accountId)).toMatchObject({ status: 'expired', reason: 'timeout' });
        const at = expiredAt.get(ticket.id)!;
        expect(at).toBeGreaterThanOrEqual(ticket.expiresAt);
        expect(at - ticket.expiresAt).toBeLessThan(2000); // the precise timer, not the 15 s sweep
      }
    } finally {
      await restarted?.close();
      await database.drop();
      await rm(directory, { recursive: true, force: true });
    }
  }, 60_000);
});
