import { z } from 'zod';
import type { AdminRoute } from './define-route.js';

/**
 * Builds the OpenAPI 3.1 document of the admin API from the routes' zod schemas.
 *
 * @example
 * ```ts
 * const document = buildOpenApiDocument(routes);
 * ```
 */
export function buildOpenApiDocument(routes: readonly AdminRoute[]): Record<string, unknown> {
  const paths: Record<string, Record<string, unknown>> = {};
  for (const route of routes) {
    const path = `/api/v1${route.path.replace(/:([A-Za-z0-9_]+)/g, '{$1}')}`;
    const pathSchemas = route.params ? ((toSchema(route.params) as { properties?: Record<string, unknown> }).properties ?? {}) : {};
    const parameters = [...route.path.matchAll(/:([A-Za-z0-9_]+)/g)].map((match) => ({
      name: match[1],
      in: 'path',
      required: true,
      schema: (pathSchemas[match[1]!] ?? { type: 'string' }) as never,
    }));
    if (route.query) {
      const schema = toSchema(route.query) as { properties?: Record<string, unknown>; required?: string[] };
      for (const [name, property] of Object.entries(schema.properties ?? {})) {
        parameters.push({ name, in: 'query', required: (schema.required ?? []).includes(name), schema: property as never });
      }
    }
    const operation: Record<string, unknown> = {
      summary: route.summary,
      tags: [route.tag],
      operationId: `${route.method.toLowerCase()}${route.path.replace(/[/:]+([a-z])/g, (_, c: string) => c.toUpperCase()).replace(/[^A-Za-z0-9]/g, '')}`,
      security: route.access === 'public' ? [] : [{ bearer: [] }, { cookie: [] }],
      parameters,
      responses: {
        [String(route.status ?? 200)]: {
          description: 'Success',
          ...(route.response ? { content: { 'application/json': { schema: toSchema(route.response) } } } : {}),
        },
        default: { description: 'Error', content: { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } } },
      },
    };
    if (route.body) operation.requestBody = { required: true, content: { 'application/json': { schema: toSchema(route.body) } } };
    (paths[path] ??= {})[route.method.toLowerCase()] = operation;
  }
  return {
    openapi: '3.1.0',
    info: { title: 'Preloop admin API', version: '1' },
    paths,
    components: {
      securitySchemes: {
        bearer: { type: 'http', scheme: 'bearer', description: 'An API key with the admin:read or admin:write scope.' },
        cookie: { type: 'apiKey', in: 'cookie', name: 'preloop_session' },
      },
      schemas: {
        Error: {
          type: 'object',
          required: ['error'],
          properties: {
            error: {
              type: 'object',
              required: ['code', 'message'],
              properties: { code: { type: 'string' }, message: { type: 'string' }, details: {} },
            },
          },
        },
      },
    },
  };
}

function toSchema(schema: z.ZodType): unknown {
  try {
    return z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any' });
  } catch {
    return {};
  }
}
