import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { createPreloop } from '../kernel/create-preloop.js';
import type { Preloop } from '../kernel/preloop.js';
import { createLogger } from '../logger.js';
import { definePlugin } from '../plugins/define-plugin.js';
import { PreloopError } from '../errors.js';
import { defineRoute, type AdminRoute } from './define-route.js';

const thing = z.object({ id: z.string(), size: z.number() });

/** One public route per way an answer can match or miss its contract. */
const routes = [
  defineRoute({
    method: 'GET',
    path: '/right',
    summary: 'Right',
    tag: 't',
    access: 'public',
    response: thing,
    handler: () => ({ id: 'a', size: 1 }),
  }),
  // A handler typed against its schema does not compile either (`defineRoute` types its data by `response`).
  defineRoute({
    method: 'GET',
    path: '/wrong-type',
    summary: 'Wrong type',
    tag: 't',
    access: 'public',
    response: thing,
    // @ts-expect-error size must be a number
    handler: () => ({ id: 'a', size: '1' }),
  }),
  defineRoute({
    method: 'GET',
    path: '/extra-field',
    summary: 'Extra',
    tag: 't',
    access: 'public',
    response: z.object({ items: z.array(thing) }),
    handler: () => ({ items: [{ id: 'a', size: 1, secret: 'x' }] }),
  }),
  defineRoute({
    method: 'GET',
    path: '/undeclared-404',
    summary: '404',
    tag: 't',
    access: 'public',
    response: thing,
    handler: () => {
      throw new PreloopError('NOT_FOUND', 'No thing.');
    },
  }),
  defineRoute({
    method: 'GET',
    path: '/declared-404',
    summary: '404',
    tag: 't',
    access: 'public',
    response: thing,
    errors: [404],
    handler: () => {
      throw new PreloopError('NOT_FOUND', 'No thing.');
    },
  }),
  defineRoute({
    method: 'DELETE',
    path: '/gone',
    summary: '204',
    tag: 't',
    access: 'public',
    response: null,
    status: 204,
    handler: () => undefined,
  }),
  defineRoute({
    method: 'GET',
    path: '/page',
    summary: 'Page',
    tag: 't',
    access: 'public',
    response: { mediaType: 'text/html' },
    handler: () => new Response('<p>hi</p>', { headers: { 'content-type': 'text/html; charset=utf-8' } }),
  }),
  defineRoute({
    method: 'GET',
    path: '/text-not-json',
    summary: 'Text',
    tag: 't',
    access: 'public',
    response: thing,
    handler: () => new Response('hi', { headers: { 'content-type': 'text/plain' } }),
  }),
  // A route built without TypeScript may leave `response` out: documented without a body, never checked.
  {
    method: 'GET',
    path: '/legacy',
    summary: 'No contract yet',
    tag: 't',
    access: 'public',
    handler: () => ({ anything: true }),
  } as unknown as AdminRoute,
];

const lines: string[] = [];
let checked: Preloop;
let unchecked: Preloop;
beforeAll(async () => {
  const plugins = [definePlugin({ id: 'contract', routes })];
  checked = await createPreloop({
    database: ':memory:',
    logger: createLogger({ level: 'error', write: (line) => lines.push(line) }),
    plugins,
    validateResponses: true,
  });
  unchecked = await createPreloop({ database: ':memory:', logger: createLogger({ level: 'silent' }), plugins });
});
afterAll(async () => {
  await checked.close();
  await unchecked.close();
});

const call = (preloop: Preloop, path: string, method = 'GET') => preloop.api(new Request(`http://localhost/api/v1${path}`, { method }));

describe('response validation (validateResponses)', () => {
  it('lets answers the contract describes through untouched', async () => {
    expect(await (await call(checked, '/right')).json()).toEqual({ id: 'a', size: 1 });
    expect((await call(checked, '/gone', 'DELETE')).status).toBe(204);
    expect(await (await call(checked, '/page')).text()).toBe('<p>hi</p>');
    const notFound = await call(checked, '/declared-404');
    expect(notFound.status).toBe(404);
    expect((await notFound.json()).error.code).toBe('NOT_FOUND');
  });

  it('turns a body of the wrong type into a logged 500 naming the route and the field', async () => {
    const response = await call(checked, '/wrong-type');
    expect(response.status).toBe(500);
    const { error } = await response.json();
    expect(error.code).toBe('RESPONSE_SCHEMA_MISMATCH');
    expect(error.message).toContain('GET /wrong-type answered 200');
    expect(error.details).toMatchObject({ route: 'GET /wrong-type', status: 200, issues: [{ path: 'size' }] });
    expect(lines.some((line) => line.includes('does not match its route contract') && line.includes('GET /wrong-type'))).toBe(true);
  });

  it('refuses a field the schema does not declare, an undeclared status and a media type not declared', async () => {
    const extra = (await (await call(checked, '/extra-field')).json()).error;
    expect(extra.code).toBe('RESPONSE_SCHEMA_MISMATCH');
    expect(extra.details.issues[0].path).toBe('items[0].secret');
    const undeclared = (await (await call(checked, '/undeclared-404')).json()).error;
    expect(undeclared.code).toBe('RESPONSE_SCHEMA_MISMATCH');
    expect(undeclared.message).toContain('status 404 is not declared');
    const text = (await (await call(checked, '/text-not-json')).json()).error;
    expect(text.message).toContain('answered text/plain where the contract declares JSON');
  });

  it('checks nothing when off, and skips a route that declares no response yet', async () => {
    expect(await (await call(unchecked, '/wrong-type')).json()).toEqual({ id: 'a', size: '1' });
    expect((await call(unchecked, '/undeclared-404')).status).toBe(404);
    expect(await (await call(checked, '/legacy')).json()).toEqual({ anything: true });
  });
});
