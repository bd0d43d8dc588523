import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { seedUser, type SeededUser } from '../identity/identity-test-support.js';
import type { Preloop } from '../kernel/preloop.js';
import { createTestPreloop, type TestPreloop } from '../testing/create-test-preloop.js';
import { testDialects } from '../testing/test-databases.js';
import type { AdminRoute } from './define-route.js';
import { coreRoutes } from './routes/index.js';
import { findUnsafeText, hasUnsafeText } from './unsafe-text.js';

/** Strings holding at least one NUL or lone surrogate, somewhere (for JSON bodies). */
const unsafeString = fc
  .tuple(
    fc.string({ maxLength: 8 }),
    fc.constantFrom('\u0000', '\ud800', '\udbff', '\udc00', '\udfff', 'x\u0000y'),
    fc.string({ maxLength: 8 }),
  )
  .map(([before, bad, after]) => `${before}${bad}${after}`);

/** Strings holding a NUL (for paths and query strings: a URL cannot carry a lone surrogate, it arrives as U+FFFD). */
const unsafeUrlString = fc
  .tuple(fc.string({ maxLength: 8 }), fc.string({ maxLength: 8 }))
  .map(([before, after]) => `${before.replace(/[\ud800-\udfff]/g, '')}\u0000${after.replace(/[\ud800-\udfff]/g, '')}`);

/** Adds an unsafe `extra` member when the shaped value ended up without unsafe text (a schema without free strings). */
const withUnsafe = (value: unknown, extra: string): unknown =>
  findUnsafeText(value) ? value : { ...(value !== null && typeof value === 'object' && !Array.isArray(value) ? value : {}), filter: extra };

type JsonSchema = {
  type?: string | string[];
  properties?: Record<string, JsonSchema>;
  required?: string[];
  items?: JsonSchema;
  enum?: unknown[];
  const?: unknown;
  anyOf?: JsonSchema[];
  oneOf?: JsonSchema[];
  allOf?: JsonSchema[];
  minimum?: number;
  minItems?: number;
};

/**
 * A value shaped like `schema` whose strings come from `text`, so the request
 * passes the shape checks and the unsafe text would reach the database.
 */
function shaped(schema: JsonSchema | undefined, text: fc.Arbitrary<string>, depth = 0): fc.Arbitrary<unknown> {
  if (!schema || depth > 4) return text;
  if (schema.const !== undefined) return fc.constant(schema.const);
  if (schema.enum) return fc.constantFrom(...schema.enum);
  const choices = schema.anyOf ?? schema.oneOf;
  if (choices) return fc.oneof(...choices.map((choice) => shaped(choice, text, depth + 1)));
  if (schema.allOf?.length) return shaped(schema.allOf[0], text, depth + 1);
  const type = Array.isArray(schema.type) ? schema.type.find((t) => t !== 'null') : schema.type;
  switch (type) {
    case 'object': {
      const properties = schema.properties ?? {};
      const model: Record<string, fc.Arbitrary<unknown>> = {};
      for (const [name, property] of Object.entries(properties)) model[name] = shaped(property, text, depth + 1);
      return fc.record(model, {
        requiredKeys: Object.keys(properties).filter((name) => (schema.required ?? []).includes(name) || Math.random() < 2),
      });
    }
    case 'array':
      return fc.array(shaped(schema.items, text, depth + 1), { minLength: Math.max(1, schema.minItems ?? 1), maxLength: 2 });
    case 'integer':
    case 'number':
      return fc.constant(Math.max(1, schema.minimum ?? 1));
    case 'boolean':
      return fc.boolean();
    default:
      return text;
  }
}

const inputSchema = (schema: z.ZodType | undefined): JsonSchema | undefined =>
  schema ? (z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any' }) as JsonSchema) : undefined;

/** One request to `route` whose path, query or body carries unsafe text. */
function unsafeRequest(route: AdminRoute): fc.Arbitrary<{ path: string; query: Record<string, unknown>; body: unknown }> {
  const params = [...route.path.matchAll(/:([A-Za-z0-9_]+)/g)].map((match) => match[1]!);
  const safe = fc.constantFrom('x1', 'abc');
  const where = fc.constantFrom(
    ...(['path', 'query', 'body'] as const).filter((part) =>
      // A raw-body route (a signed webhook) reads its body as opaque bytes: its signature, not a schema, decides.
      part === 'path' ? params.length > 0 : part === 'query' ? true : !route.rawBody && (route.body || route.method !== 'GET'),
    ),
  );
  return where.chain((part) =>
    fc.record({
      path: fc
        .tuple(...params.map(() => (part === 'path' ? unsafeUrlString : safe)))
        .map((values) =>
          params.reduce((path, name, index) => path.replace(`:${name}`, encodeURIComponent(values[index] as string)), route.path),
        ),
      query:
        part === 'query'
          ? fc
              .tuple(shaped(inputSchema(route.query) ?? { type: 'object' }, unsafeUrlString), unsafeUrlString)
              .map(([value, extra]) => withUnsafe(value, extra) as Record<string, unknown>)
          : fc.constant({}),
      body:
        part === 'body'
          ? fc
              .tuple(
                shaped(inputSchema(route.body) ?? { type: 'object', properties: { name: {} }, required: ['name'] }, unsafeString),
                unsafeString,
              )
              .map(([value, extra]) => withUnsafe(value, extra))
          : route.body
            ? shaped(inputSchema(route.body), safe)
            : fc.constant(undefined),
    }),
  );
}

const toQueryString = (query: Record<string, unknown>): string => {
  const search = new URLSearchParams();
  for (const [name, value] of Object.entries(query))
    if (value !== undefined && value !== null) search.set(name, String(Array.isArray(value) ? value[0] : value));
  const text = search.toString();
  return text ? `?${text}` : '';
};

describe('unsafe text', () => {
  it('finds NUL and lone surrogates in strings and keys, and accepts well-formed pairs', () => {
    expect(hasUnsafeText('a\u0000')).toBe(true);
    expect(hasUnsafeText('\ud800')).toBe(true);
    expect(hasUnsafeText('x\udc00')).toBe(true);
    expect(hasUnsafeText('\ud83d\ude00 ok')).toBe(false);
    expect(findUnsafeText({ users: [{ name: 'ok' }, { name: 'a\u0000' }] })?.path).toBe('users[1].name');
    expect(findUnsafeText({ 'k\u0000': 1 })?.message).toMatch(/key/);
    fc.assert(fc.property(fc.string({ unit: 'grapheme' }), (text) => !hasUnsafeText(text.replaceAll('\u0000', ''))));
  });
});

describe.each(testDialects())('admin API refuses unsafe text on $name', (dialect) => {
  let test: TestPreloop;
  let preloop: Preloop;
  let owner: SeededUser;
  beforeAll(async () => {
    test = await createTestPreloop(dialect);
    preloop = test.preloop;
    owner = await seedUser(preloop, 'owner');
  });
  afterAll(() => test.cleanup());

  const call = (route: AdminRoute, input: { path: string; query: Record<string, unknown>; body: unknown }) =>
    preloop.api(
      new Request(`http://localhost/api/v1${input.path}${toQueryString(input.query)}`, {
        method: route.method,
        headers: { authorization: `Bearer ${owner.key}`, ...(input.body === undefined ? {} : { 'content-type': 'application/json' }) },
        body: input.body === undefined ? undefined : JSON.stringify(input.body),
      }),
    );

  it('a NUL in a user name is a 400 naming the field, and nothing is written (it was a 500 on PostgreSQL)', async () => {
    const response = await call(coreRoutes.find((route) => route.method === 'POST' && route.path === '/users')!, {
      path: '/users',
      query: {},
      body: { email: 'nul@example.com', name: 'Ada\u0000', role: 'viewer' },
    });
    expect(response.status).toBe(400);
    expect((await response.json()).error).toMatchObject({ code: 'VALIDATION_ERROR', details: { issues: [{ path: 'name' }] } });
    expect(await preloop.identity.users.findByEmail('nul@example.com')).toBeNull();
    const filtered = await preloop.api(
      new Request('http://localhost/api/v1/audit?action=a%00b', { headers: { authorization: `Bearer ${owner.key}` } }),
    );
    expect(filtered.status).toBe(400);
  });

  // Every core route, every part of the request: an unsafe string is always a 400, never a 500.
  it.each(
    coreRoutes
      .filter((route) => route.access !== 'public' || route.body || route.method !== 'GET')
      .map((route) => [`${route.method} ${route.path}`, route] as const),
  )('%s', async (_name, route) => {
    const forbidden = route.access !== 'public' && route.access.principals !== undefined && !route.access.principals.includes('api_key');
    await fc.assert(
      fc.asyncProperty(unsafeRequest(route), async (input) => {
        const response = await call(route, input);
        const text = await response.text();
        expect(response.status, `${JSON.stringify(input)} → ${text.slice(0, 300)}`).toBe(forbidden ? 403 : 400);
        if (!forbidden) expect(JSON.parse(text).error.code).toBe('VALIDATION_ERROR');
      }),
      { numRuns: 8 },
    );
  });

  // Any well-formed input shaped like a route's schemas, or not: never a 500.
  const anyString = fc.oneof(
    fc.string({ maxLength: 12 }),
    fc.string({ unit: 'grapheme', maxLength: 12 }),
    fc.constantFrom('', ' ', '0', '-1', '1e309', 'null', '../x', '%', 'x'.repeat(300)),
  );
  it.each(
    coreRoutes
      .filter((route) => route.method !== 'GET' || route.query || route.path.includes(':'))
      .map((route) => [`${route.method} ${route.path}`, route] as const),
  )('no 500 from any well-formed input: %s', async (_name, route) => {
    const params = [...route.path.matchAll(/:([A-Za-z0-9_]+)/g)].map((match) => match[1]!);
    const text = anyString.map((value) => value.replace(/[\u0000\ud800-\udfff]/g, ''));
    const input = fc.record({
      path: fc
        .tuple(...params.map(() => text.filter((value) => value !== '')))
        .map((values) =>
          params.reduce((path, name, index) => path.replace(`:${name}`, encodeURIComponent(values[index] as string)), route.path),
        ),
      query: route.query
        ? (fc.option(shaped(inputSchema(route.query), text), { nil: {} }) as fc.Arbitrary<Record<string, unknown>>)
        : fc.constant({}),
      body: route.body ? fc.oneof(shaped(inputSchema(route.body), text), fc.jsonValue({ maxDepth: 2 })) : fc.constant(undefined),
    });
    await fc.assert(
      fc.asyncProperty(input, async (request) => {
        const response = await call(route, request);
        const body = await response.text();
        expect(response.status, `${JSON.stringify(request)} → ${body.slice(0, 300)}`).toBeLessThan(500);
      }),
      { numRuns: 15 },
    );
  });
});
