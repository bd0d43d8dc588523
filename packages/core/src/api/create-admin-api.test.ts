import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { createPreloop } from '../kernel/create-preloop.js';
import type { Preloop } from '../kernel/preloop.js';
import { createLogger } from '../logger.js';
import { definePlugin } from '../plugins/define-plugin.js';
import { defineRoute } from './define-route.js';

const echo = defineRoute({
  method: 'POST',
  path: '/echo',
  summary: 'Echo',
  tag: 'test',
  access: 'public',
  acceptForm: true,
  body: z.strictObject({ word: z.string().min(2) }),
  response: z.object({ said: z.string() }),
  handler: ({ body }) => ({ said: body.word }),
});

/** A signed-webhook style route: it reads the exact bytes itself. */
const raw = defineRoute({
  method: 'POST',
  path: '/raw',
  summary: 'Raw body',
  tag: 'test',
  access: 'public',
  rawBody: true,
  response: z.object({ bytes: z.string(), body: z.null() }),
  handler: async ({ request, body }) => ({ bytes: await request.text(), body: body ?? null }),
});

let preloop: Preloop;
beforeAll(async () => {
  preloop = await createPreloop({
    database: ':memory:',
    logger: createLogger({ level: 'silent' }),
    bodyLimitBytes: 2048,
    plugins: [definePlugin({ id: 'echo', routes: [echo, raw] })],
  });
});
afterAll(() => preloop.close());

const post = (body: string, type = 'application/json') =>
  preloop.api(new Request('http://localhost/api/v1/echo', { method: 'POST', headers: { 'content-type': type }, body }));

describe('admin API boundary', () => {
  it('validates bodies, naming the field, and accepts a form post where the route opts in', async () => {
    expect(await (await post(JSON.stringify({ word: 'hello' }))).json()).toEqual({ said: 'hello' });
    const bad = await post(JSON.stringify({ word: 'x', extra: 1 }));
    expect(bad.status).toBe(400);
    const error = (await bad.json()).error;
    expect(error.code).toBe('VALIDATION_ERROR');
    expect(error.message).toContain('word');
    expect(error.details.issues.map((issue: { path: string }) => issue.path)).toContain('word');
    expect(await (await post('word=form', 'application/x-www-form-urlencoded')).json()).toEqual({ said: 'form' });
  });

  it('answers malformed JSON with 400 and an oversize body with 413, as JSON errors', async () => {
    const malformed = await post('{"word":');
    expect(malformed.status).toBe(400);
    expect((await malformed.json()).error.message).toMatch(/Malformed JSON/);
    const large = await post(JSON.stringify({ word: 'x'.repeat(5000) }));
    expect(large.status).toBe(413);
    expect((await large.json()).error.code).toBe('PAYLOAD_TOO_LARGE');
  });

  it('answers an unknown route with a JSON 404 and serves the OpenAPI document with plugin routes', async () => {
    const missing = await preloop.api(new Request('http://localhost/api/v1/nowhere'));
    expect(missing.status).toBe(404);
    expect((await missing.json()).error.code).toBe('NOT_FOUND');
    const document = await (await preloop.api(new Request('http://localhost/api/v1/openapi.json'))).json();
    expect(document.paths['/api/v1/echo'].post.requestBody.content['application/json'].schema.properties.word.minLength).toBe(2);
    expect(document.paths['/api/v1/users/{id}'].get.parameters[0]).toMatchObject({ name: 'id', in: 'path' });
  });

  it('leaves the body unread for a rawBody route, so the handler sees the exact bytes', async () => {
    const bytes = 'payload=%7B%22a%22%3A+1%7D&x=%2A';
    const answer = await preloop.api(
      new Request('http://localhost/api/v1/raw', {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: bytes,
      }),
    );
    expect(await answer.json()).toEqual({ bytes, body: null });
  });

  it('refuses a rawBody route that is authenticated or has a body schema, at start-up', async () => {
    for (const route of [defineRoute({ ...raw, access: { role: 'admin' } }), defineRoute({ ...raw, body: z.object({}) })]) {
      await expect(
        createPreloop({
          database: ':memory:',
          logger: createLogger({ level: 'silent' }),
          plugins: [definePlugin({ id: 'raw', routes: [route] })],
        }),
      ).rejects.toThrow(/rawBody is only allowed on public routes/);
    }
  });

  it('refuses form bodies on authenticated routes at start-up', async () => {
    const unsafe = defineRoute({ ...echo, access: { role: 'admin' } });
    await expect(
      createPreloop({
        database: ':memory:',
        logger: createLogger({ level: 'silent' }),
        plugins: [definePlugin({ id: 'unsafe', routes: [unsafe] })],
      }),
    ).rejects.toThrow(/acceptForm is only allowed on public routes/);
  });
});
