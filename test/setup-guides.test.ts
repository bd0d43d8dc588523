/**
 * The set-up examples of the getting-started, embedding and gateway guides,
 * run as written: each starts a server (on a free port, an in-memory
 * database), prints where it listens, and answers there.
 */

import { readFile, rm } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { docExamples, startDocExample, type DocExample } from '@preloop/core/testing';
import { afterAll, describe, expect, it } from 'vitest';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
// Inside the repository (ignored by git), so the examples resolve the workspace packages.
const directory = path.join(root, '.data', `setup-guides-${process.pid}`);
const env = { PORT: '0', DATABASE_URL: ':memory:', PRELOOP_SECRET_KEY: 'setup-guides-test-secret-key-0123456789' };

async function examplesOf(guide: string): Promise<DocExample[]> {
  return docExamples(await readFile(path.join(root, 'docs', guide), 'utf8'));
}

/** Starts `example`, waits for the URL it prints, and hands it to `check`. */
async function serve(example: DocExample, printed: RegExp, check: (url: string) => Promise<void>): Promise<void> {
  const server = await startDocExample(example, { root, directory, env, until: printed });
  try {
    await check(server.match[1]!);
  } finally {
    await server.stop();
  }
}

afterAll(async () => {
  await rm(directory, { recursive: true, force: true });
});

describe('docs/getting-started.md', async () => {
  const examples = await examplesOf('getting-started.md');

  it('has the embedded admin API example', () => {
    expect(examples.map((example) => example.name)).toEqual(['embedded admin API']);
  });

  it('the embedded admin API answers health and refuses an anonymous user list', async () => {
    await serve(examples[0]!, /admin API on (http:\/\/\S+)\/api\/v1/, async (url) => {
      expect(await (await fetch(`${url}/api/v1/health`)).json()).toMatchObject({ status: 'ok' });
      expect((await fetch(`${url}/api/v1/users`)).status).toBe(401);
      // No admin route: the host's own 404.
      expect((await fetch(`${url}/elsewhere`)).status).toBe(404);
    });
  }, 60_000);
});

describe('docs/embedding.md', async () => {
  const examples = await examplesOf('embedding.md');

  it('has the Node http example', () => {
    expect(examples.map((example) => example.name)).toEqual(['node http']);
  });

  it('the Node http example serves the admin API and hands the rest on', async () => {
    await serve(examples[0]!, /admin API on (http:\/\/\S+)\/api\/v1/, async (url) => {
      expect(await (await fetch(`${url}/api/v1/health`)).json()).toMatchObject({ status: 'ok' });
      const other = await fetch(`${url}/elsewhere`);
      expect(other.status).toBe(404);
      expect(await other.text()).toBe('not found');
    });
  }, 60_000);
});

describe('docs/gateway-guide.md', async () => {
  const examples = await examplesOf('gateway-guide.md');

  it('has the set-up example', () => {
    expect(examples.map((example) => example.name)).toEqual(['gateway setup']);
  });

  it('the gateway starts as written and refuses a call without a credential in the ingress shape', async () => {
    await serve(examples[0]!, /model gateway on (http:\/\/\S+)/, async (url) => {
      const call = await fetch(`${url}/openai/v1/chat/completions`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ model: 'fast', messages: [{ role: 'user', content: 'Hello' }] }),
      });
      expect(call.status).toBe(401);
      expect((await call.json()).error).toMatchObject({ code: 'invalid_api_key' });
      const anthropic = await fetch(`${url}/anthropic/v1/messages`, { method: 'POST', body: '{}' });
      expect(await anthropic.json()).toMatchObject({ type: 'error', error: { type: 'authentication_error' } });
    });
  }, 60_000);
});
