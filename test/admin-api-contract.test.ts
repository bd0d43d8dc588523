import { Validator } from '@seriousme/openapi-schema-validator';
import { approvals } from '@preloop/approvals';
import { flows } from '@preloop/flows';
import { createLogger, createPreloop, routeContract, type AdminRoute, type Preloop, type PreloopPlugin } from '@preloop/core';
import { gateway } from '@preloop/gateway';
import { mcp } from '@preloop/mcp';
import { anthropic } from '@preloop/plugin-anthropic';
import { email, smtpTransportFromUrl } from '@preloop/plugin-email';
import { openai } from '@preloop/plugin-openai';
import { push } from '@preloop/plugin-push';
import { slack } from '@preloop/plugin-slack';
import { createWebhookSecret, webhook } from '@preloop/plugin-webhook';
import type { ApprovalRoutes } from '@preloop/approvals/api';
import type { FlowRoutes } from '@preloop/flows/api';
import type { GatewayRoutes } from '@preloop/gateway/api';
import type { McpRoutes } from '@preloop/mcp/api';
import type { PushRoutes } from '@preloop/plugin-push/api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

// The admin API contract of a kernel with every first-party plugin: each plugin route declares every status it answers, and the OpenAPI document validates.

interface Operation {
  responses: Record<string, { content?: Record<string, { schema?: unknown }> }>;
  requestBody?: unknown;
}

const plugins: PreloopPlugin[] = [
  approvals({ publicUrl: 'https://preloop.example.com' }),
  mcp({ rescanIntervalMs: 0 }),
  gateway(),
  openai(),
  anthropic(),
  webhook({ url: 'http://127.0.0.1:9/hook', secret: createWebhookSecret() }),
  // Nothing is sent: no approval is requested while this file runs.
  slack({
    botToken: 'xoxb-contract-test',
    signingSecret: 'contract-test-signing-secret',
    workspaceId: 'T0CONTRACT',
    apiUrl: 'http://127.0.0.1:9/api/',
  }),
  email({ from: 'approvals@example.com', transport: smtpTransportFromUrl('smtp://127.0.0.1:9', 'contract test') }),
  push({ webPush: { subject: 'mailto:ops@example.com' } }),
  flows({ baseUrl: 'http://127.0.0.1:9', scheduleIntervalMs: 0 }),
];

let preloop: Preloop;
let routes: AdminRoute[];
let document: { paths: Record<string, Record<string, Operation>> };
beforeAll(async () => {
  preloop = await createPreloop({ database: ':memory:', logger: createLogger({ level: 'silent' }), plugins });
  routes = preloop.plugins.flatMap((plugin) => (typeof plugin.routes === 'function' ? plugin.routes(preloop) : (plugin.routes ?? [])));
  document = await (await preloop.api(new Request('http://localhost/api/v1/openapi.json'))).json();
});
afterAll(() => preloop?.close());

const pathOf = (route: AdminRoute) => `/api/v1${route.path.replace(/:([A-Za-z0-9_]+)/g, '{$1}')}`;
const label = (route: AdminRoute) => `${route.method} ${route.path}`;

describe('the admin API contract with every plugin', () => {
  it('is a valid OpenAPI 3.1 document listing every plugin route', async () => {
    const result = await new Validator().validate(document as never);
    expect(result.errors ?? []).toEqual([]);
    expect(result.valid).toBe(true);
    expect(routes.length).toBeGreaterThan(30);
    expect(routes.filter((route) => !document.paths[pathOf(route)]?.[route.method.toLowerCase()]).map(label)).toEqual([]);
  });

  it('declares the body of every plugin route for every status it answers', () => {
    expect(routes.filter((route) => route.response === undefined).map(label)).toEqual([]);
    for (const route of routes) {
      const contract = routeContract(route);
      const operation = document.paths[pathOf(route)]![route.method.toLowerCase()]!;
      expect(Object.keys(operation.responses).map(Number), label(route)).toEqual([...contract.keys()]);
      for (const [status, expected] of contract) {
        const content = operation.responses[String(status)]!.content ?? {};
        // Each status answers a described JSON body, a named media type, or nothing (204).
        expect(expected.json !== null || expected.media.length > 0 || expected.empty, `${label(route)} ${status}`).toBe(true);
        if (expected.json) expect(content['application/json']?.schema, `${label(route)} ${status}`).toBeDefined();
        for (const media of expected.media) expect(content[media.mediaType], `${label(route)} ${status} ${media.mediaType}`).toBeDefined();
      }
      expect(operation.requestBody !== undefined, label(route)).toBe(route.body !== undefined);
    }
  });

  it('describes success bodies with their fields and shares the one error body', () => {
    const detail = document.paths['/api/v1/approvals/{id}']!.get!;
    expect(detail.responses['200']!.content!['application/json']!.schema).toMatchObject({
      type: 'object',
      properties: { viewer: { type: 'object' }, voteList: { type: 'array' } },
    });
    expect(detail.responses['404']!.content!['application/json']).toEqual({ schema: { $ref: '#/components/schemas/Error' } });
    const link = document.paths['/api/v1/approvals/{id}/links/{token}']!;
    expect(Object.keys(link.get!.responses['410']!.content!)).toEqual(['text/html']);
    expect(Object.keys(link.post!.responses['410']!.content!).sort()).toEqual(['application/json', 'text/html']);
    expect(document.paths['/api/v1/tools/{name}']!.get!.responses['200']!.content!['application/json']!.schema).toMatchObject({
      properties: { diff: {}, liveDefinition: {} },
    });
    expect(document.paths['/api/v1/budgets/{id}']!.delete!.responses['204']!.content).toBeUndefined();
    expect(document.paths['/api/v1/usage/summary']!.get!.responses['200']!.content!['application/json']!.schema).toMatchObject({
      properties: { rows: { type: 'array' } },
    });
  });

  it('ships the /api entries as types only: importing them yields no run-time value', async () => {
    const entries = [
      await import('@preloop/approvals/api'),
      await import('@preloop/mcp/api'),
      await import('@preloop/gateway/api'),
      await import('@preloop/plugin-push/api'),
      await import('@preloop/flows/api'),
    ];
    expect(entries.map((entry) => Object.keys(entry))).toEqual([[], [], [], [], []]);
  });

  it('keys each /api entry’s route map by routes the plugins register', () => {
    // Typed by the maps' keys: a key removed from a map, or a map key whose route is gone, fails here.
    const mapped: Record<keyof ApprovalRoutes | keyof McpRoutes | keyof GatewayRoutes | keyof PushRoutes | keyof FlowRoutes, true> = {
      'GET /approvals': true,
      'GET /approvals/readiness': true,
      'GET /approvals/:id': true,
      'POST /approvals/:id/decide': true,
      'POST /approvals/:id/cancel': true,
      'POST /approvals/:id/resolve-execution': true,
      'POST /approvals/:id/links': true,
      'GET /approvals/:id/arguments': true,
      'GET /approvals/:id/deliveries': true,
      'GET /approvals/:id/links/:token': true,
      'POST /approvals/:id/links/:token': true,
      'GET /notification-preferences': true,
      'PUT /notification-preferences': true,
      'GET /notification-preferences/:userId': true,
      'PUT /notification-preferences/:userId': true,
      'GET /mcp-servers': true,
      'POST /mcp-servers': true,
      'GET /mcp-servers/:id': true,
      'PATCH /mcp-servers/:id': true,
      'DELETE /mcp-servers/:id': true,
      'POST /mcp-servers/:id/scan': true,
      'GET /tools': true,
      'GET /tools/:name': true,
      'POST /tools/:name/approve-pin': true,
      'GET /tools/:name/stats': true,
      'GET /models': true,
      'POST /models': true,
      'GET /models/:alias': true,
      'PATCH /models/:alias': true,
      'DELETE /models/:alias': true,
      'GET /budgets/status': true,
      'GET /budgets': true,
      'POST /budgets': true,
      'GET /budgets/:id': true,
      'PATCH /budgets/:id': true,
      'DELETE /budgets/:id': true,
      'GET /usage/summary': true,
      'GET /usage': true,
      'GET /runtime-sessions/:id/gateway-events': true,
      'POST /devices/pairings': true,
      'POST /devices': true,
      'GET /devices': true,
      'PATCH /devices/:id': true,
      'DELETE /devices/:id': true,
      'GET /push/config': true,
      'GET /flows': true,
      'POST /flows': true,
      'GET /flows/runtimes': true,
      'GET /executions': true,
      'POST /flows/preview': true,
      'POST /flows/schedule-preview': true,
      'POST /flows/hooks/:id': true,
      'GET /flows/:id': true,
      'PUT /flows/:id': true,
      'POST /flows/:id/enabled': true,
      'DELETE /flows/:id': true,
      'POST /flows/:id/webhook-secret': true,
      'POST /flows/:id/run': true,
      'GET /flows/:id/executions': true,
      'GET /executions/:id': true,
      'POST /executions/:id/cancel': true,
      'POST /executions/:id/retry': true,
      'GET /executions/:id/logs': true,
    };
    const registered = new Set(routes.map(label));
    expect(Object.keys(mapped).filter((key) => !registered.has(key))).toEqual([]);
  });
});
