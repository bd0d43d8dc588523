import { z } from 'zod';
import type { AdminRoute } from './define-route.js';
import { errorBodySchema, routeContract, type StatusContract } from './route-contract.js';

const reasons: Record<number, string> = {
  200: 'OK',
  201: 'Created',
  202: 'Accepted',
  204: 'No content',
  400: 'Invalid request: the body, query or a path parameter does not match (the error names the field)',
  401: 'Authentication required or refused',
  403: 'Forbidden: role, scope, principal type or origin',
  404: 'Not found',
  409: 'Conflict with the current state',
  410: 'Gone',
  413: 'Body too large',
  429: 'Too many requests (Retry-After says when to retry)',
  500: 'Internal error',
  502: 'Upstream error',
  503: 'A store or dependency is unavailable (Retry-After says when to retry)',
};

/**
 * Builds the OpenAPI 3.1 document of the admin API from the routes' zod
 * schemas: for each route its path, query and path parameters, request body,
 * security, and every status it may answer with its body (see `routeContract`).
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
    const pathSchemas = route.params
      ? ((toSchema(route.params, 'input') as { properties?: Record<string, unknown> }).properties ?? {})
      : {};
    const parameters = [...route.path.matchAll(/:([A-Za-z0-9_]+)/g)].map((match) => ({
      name: match[1],
      in: 'path',
      required: true,
      schema: (pathSchemas[match[1]!] ?? { type: 'string' }) as never,
    }));
    if (route.query) {
      const schema = toSchema(route.query, 'input') as { properties?: Record<string, unknown>; required?: string[] };
      for (const [name, property] of Object.entries(schema.properties ?? {})) {
        parameters.push({ name, in: 'query', required: (schema.required ?? []).includes(name), schema: property as never });
      }
    }
    const responses: Record<string, unknown> = {};
    for (const [status, contract] of routeContract(route)) responses[String(status)] = toResponseObject(status, contract);
    const operation: Record<string, unknown> = {
      summary: route.summary,
      tags: [route.tag],
      operationId: `${route.method.toLowerCase()}${route.path.replace(/[/:]+([a-z])/g, (_, c: string) => c.toUpperCase()).replace(/[^A-Za-z0-9]/g, '')}`,
      security: route.access === 'public' ? [] : [{ bearer: [] }, { cookie: [] }],
      parameters,
      responses,
    };
    if (route.body) {
      const content: Record<string, unknown> = { 'application/json': { schema: toSchema(route.body, 'input') } };
      if (route.acceptForm) content['application/x-www-form-urlencoded'] = { schema: toSchema(route.body, 'input') };
      operation.requestBody = { required: !route.body.safeParse(undefined).success, content };
    }
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
      schemas: { Error: toSchema(errorBodySchema, 'output') },
    },
  };
}

function toResponseObject(status: number, contract: StatusContract): Record<string, unknown> {
  const content: Record<string, unknown> = {};
  if (contract.json === errorBodySchema) content['application/json'] = { schema: { $ref: '#/components/schemas/Error' } };
  else if (contract.json) content['application/json'] = { schema: toSchema(contract.json, 'output') };
  for (const media of contract.media)
    content[media.mediaType] = media.description
      ? { schema: { type: 'string', description: media.description } }
      : { schema: { type: 'string' } };
  return { description: reasons[status] ?? `Status ${status}`, ...(Object.keys(content).length > 0 ? { content } : {}) };
}

/** The JSON Schema of a zod schema: what a client sends (`input`) or receives (`output`). */
function toSchema(schema: z.ZodType, io: 'input' | 'output'): Record<string, unknown> {
  try {
    const { $schema: _dialect, ...jsonSchema } = z.toJSONSchema(schema, { io, unrepresentable: 'any' }) as Record<string, unknown>;
    return jsonSchema;
  } catch {
    return {};
  }
}
