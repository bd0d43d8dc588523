import { Validator } from '@seriousme/openapi-schema-validator';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPreloop } from '../kernel/create-preloop.js';
import type { Preloop } from '../kernel/preloop.js';
import { createLogger } from '../logger.js';
import { routeContract } from './route-contract.js';
import { coreRoutes } from './routes/index.js';

interface Operation {
  security: unknown[];
  responses: Record<string, { content?: Record<string, unknown> }>;
  requestBody?: unknown;
}

let preloop: Preloop;
let document: { paths: Record<string, Record<string, Operation>> };
beforeAll(async () => {
  preloop = await createPreloop({ database: ':memory:', logger: createLogger({ level: 'silent' }) });
  document = await (await preloop.api(new Request('http://localhost/api/v1/openapi.json'))).json();
});
afterAll(() => preloop.close());

const operationOf = (route: (typeof coreRoutes)[number]) =>
  document.paths[`/api/v1${route.path.replace(/:([A-Za-z0-9_]+)/g, '{$1}')}`]?.[route.method.toLowerCase()];

describe('OpenAPI document of the admin API', () => {
  it('is a valid OpenAPI 3.1 document', async () => {
    const result = await new Validator().validate(document as never);
    expect(result.errors ?? []).toEqual([]);
    expect(result.valid).toBe(true);
    // The validator does refuse a broken document: a response without its description.
    const broken = structuredClone(document) as unknown as {
      paths: Record<string, Record<string, { responses: Record<string, { description?: string }> }>>;
    };
    delete broken.paths['/api/v1/users']!.get!.responses['200']!.description;
    expect((await new Validator().validate(broken as never)).valid).toBe(false);
  });

  it('declares a response for every core route', () => {
    expect(coreRoutes.filter((route) => route.response === undefined).map((route) => `${route.method} ${route.path}`)).toEqual([]);
  });

  it('lists every core route with every status it may answer, its body and its security', () => {
    for (const route of coreRoutes) {
      const operation = operationOf(route);
      expect(operation, `${route.method} ${route.path}`).toBeDefined();
      expect(Object.keys(operation!.responses).map(Number)).toEqual([...routeContract(route).keys()]);
      expect(operation!.security.length === 0).toBe(route.access === 'public');
      expect(operation!.requestBody !== undefined).toBe(route.body !== undefined);
    }
  });

  it('shares the one error body and describes success bodies and their statuses', () => {
    const getUser = document.paths['/api/v1/users/{id}']!.get!;
    expect(getUser.responses['404']!.content!['application/json']).toEqual({ schema: { $ref: '#/components/schemas/Error' } });
    expect(getUser.responses['401']).toBeDefined();
    expect(getUser.responses['200']!.content!['application/json']).toMatchObject({ schema: { type: 'object' } });
    expect(document.paths['/api/v1/users/{id}']!.delete!.responses['204']!.content).toBeUndefined();
    expect(Object.keys(document.paths['/api/v1/health/live']!.get!.responses)).not.toContain('401');
  });
});
