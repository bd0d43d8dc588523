/**
 * Duplicate detection of the unified issue store: embeddings of title + body
 * computed through our own gateway (a model alias backed by a local
 * OpenAI-compatible embeddings upstream), stored as float32 bytes on both
 * dialects, compared by cosine similarity; and a clean `available: false`
 * when no embeddings model is configured or the gateway refuses.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { serve } from '@preloop/core/node';
import { createTestPreloop, testDialects, type TestPreloop } from '@preloop/core/testing';
import type { Preloop, TrackerIssue } from '@preloop/core';
import { createGateway, gateway } from '@preloop/gateway';
import { openai } from '@preloop/plugin-openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const upstreamKey = 'sk-embeddings-upstream-key';

/** A bag-of-words embedding: each word (crudely stemmed) adds to one of 64 dimensions. */
function embed(text: string): number[] {
  const vector = new Array(64).fill(0);
  for (const word of text.toLowerCase().match(/[a-z]+/g) ?? []) {
    if (word.length < 3) continue;
    const stem = word.replace(/(es|s|ing|ed)$/, '');
    let hash = 7;
    for (const character of stem) hash = (hash * 31 + character.charCodeAt(0)) % 64;
    vector[hash] += 1;
  }
  return vector;
}

async function startEmbeddingsUpstream(): Promise<{ url: string; inputs: string[]; close(): Promise<void> }> {
  const inputs: string[] = [];
  const server: Server = createServer(async (request, response) => {
    const chunks: Buffer[] = [];
    for await (const chunk of request) chunks.push(chunk as Buffer);
    const body = JSON.parse(Buffer.concat(chunks).toString('utf8'));
    if (request.headers.authorization !== `Bearer ${upstreamKey}` || request.url !== '/v1/embeddings') {
      response.writeHead(401, { 'content-type': 'application/json' }).end(JSON.stringify({ error: { message: 'no' } }));
      return;
    }
    const list: string[] = Array.isArray(body.input) ? body.input : [body.input];
    inputs.push(...list);
    const data = list.map((input, index) => {
      const vector = embed(input);
      return {
        object: 'embedding',
        index,
        embedding: body.encoding_format === 'base64' ? Buffer.from(new Float32Array(vector).buffer).toString('base64') : vector,
      };
    });
    response
      .writeHead(200, { 'content-type': 'application/json' })
      .end(JSON.stringify({ object: 'list', data, model: body.model, usage: { prompt_tokens: list.length, total_tokens: list.length } }));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    inputs,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

const issue = (number: number, title: string, body: string): TrackerIssue => ({
  id: `src-${number}`,
  project: 'acme/web',
  number: String(number),
  key: `acme/web#${number}`,
  title,
  body,
  state: 'open',
  labels: [],
  assignees: [],
  author: null,
  url: `https://tracker.example/acme/web/issues/${number}`,
  createdAt: number,
  updatedAt: number,
  closedAt: null,
  raw: {},
});

describe.each(testDialects())('similar issues through the gateway on $name', (dialect) => {
  let test: TestPreloop;
  let preloop: Preloop;
  let upstream: Awaited<ReturnType<typeof startEmbeddingsUpstream>>;
  let server: { url: string; close(): Promise<void> };
  let adminKey: string;
  const ids: string[] = [];

  beforeAll(async () => {
    upstream = await startEmbeddingsUpstream();
    test = await createTestPreloop(dialect, {
      plugins: [gateway({ reclaimIntervalMs: 0 }), openai()],
      policy: { version: 1, defaults: { tools: 'deny', models: { allow: ['embed'] } } },
    });
    preloop = test.preloop;
    await preloop
      .service('gateway')
      .models.create(
        preloop.accountId,
        { alias: 'embed', provider: 'openai', model: 'text-embedding-3-small', baseUrl: `${upstream.url}/v1`, apiKey: upstreamKey },
        { type: 'system', name: 'test' },
      );
    server = await serve({ handler: createGateway(preloop), port: 0 });
    const admin = await preloop.identity.users.create(preloop.accountId, { email: 'admin@example.com', name: 'Admin', role: 'admin' });
    adminKey = (await preloop.identity.apiKeys.create(preloop.accountId, { name: 'admin', scopes: ['admin:read'], userId: admin.id })).key;
    const source = { accountId: preloop.accountId, connectionId: 'trk_test', tracker: 'github' };
    for (const [number, title, body] of [
      [1, 'Login page crashes on Safari', 'Opening the login page in Safari crashes the tab.'],
      [2, 'Safari crash on the login page', 'The login page crashes when opened in Safari.'],
      [3, 'Add a dark mode to settings', 'Users want a dark theme for the settings screen.'],
    ] as const)
      ids.push((await preloop.issues.store.upsert(source, issue(number, title, body))).id);
  });
  afterAll(async () => {
    await server.close();
    await test.cleanup();
    await upstream.close();
  });

  const similar = async (id: string) => {
    const response = await preloop.api(
      new Request(`http://localhost/api/v1/issues/${id}/similar`, { headers: { authorization: `Bearer ${adminKey}` } }),
    );
    expect(response.status).toBe(200);
    return response.json();
  };

  it('says why there are no similar issues when no embeddings model is configured', async () => {
    preloop.issues.similarity.configure(null);
    expect(await similar(ids[0]!)).toEqual({
      available: false,
      reason: expect.stringMatching(/No embeddings model is configured/),
      items: [],
    });
    expect(upstream.inputs).toEqual([]);
  });

  it('finds the duplicate through the gateway, stores the vectors, and embeds again only what changed', async () => {
    preloop.issues.similarity.configure({ model: 'embed', gateway: server.url });
    const answer = await similar(ids[0]!);
    expect(answer.available).toBe(true);
    expect(answer.model).toBe('embed');
    expect(answer.items.map((item: { issue: { number: string } }) => item.issue.number)).toEqual(['2']);
    expect(answer.items[0].score).toBeGreaterThan(0.8);
    expect(upstream.inputs).toHaveLength(3);
    // Stored vectors: asking again calls the gateway for nothing and scores the same.
    const again = await similar(ids[0]!);
    expect(again.items).toEqual(answer.items);
    expect(upstream.inputs).toHaveLength(3);
    // The spend is the kernel's runtime session's, audited like any model call.
    const sessions = await preloop.identity.runtimeSessions.list(preloop.accountId, {});
    expect(sessions.items.map((session) => session.name)).toContain('issue similarity');
    // An edited issue is embedded again (and only it).
    await preloop.issues.store.upsert(
      { accountId: preloop.accountId, connectionId: 'trk_test', tracker: 'github' },
      issue(3, 'Safari login page crashes', 'Crashes on the login page in Safari.'),
    );
    const edited = await similar(ids[0]!);
    expect(edited.items.map((item: { issue: { number: string } }) => item.issue.number).sort()).toEqual(['2', '3']);
    expect(upstream.inputs).toHaveLength(4);
  });

  it('answers available: false with the reason when the gateway refuses the model', async () => {
    preloop.issues.similarity.configure({ model: 'not-a-model', gateway: createGateway(preloop) });
    const answer = await similar(ids[1]!);
    expect(answer).toEqual({ available: false, reason: expect.stringMatching(/not-a-model/), items: [] });
  });
});
