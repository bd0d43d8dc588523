/**
 * Admin routes of tracker connections: the installed trackers, connections
 * (create, list, get, update, delete), a connection's test and its projects.
 *
 * @module
 */

import { z } from 'zod';
import { defineRoute, type AdminRoute } from '../api/define-route.js';
import { pageOf } from '../api/route-contract.js';
import { requirePrincipal } from '../api/routes/identity/route-helpers.js';
import type { Preloop } from '../kernel/preloop.js';
import type { Principal } from '../identity/principal.js';
import { PreloopError } from '../errors.js';
import type { TrackerConnection } from './tracker-connections.js';
import { trackerWebhookRoute } from './tracker-webhook-route.js';

const settingsRecord = z.record(z.string(), z.unknown());
const secretsRecord = z.record(z.string().min(1).max(100), z.string().min(1).max(16_384));

/** One installed tracker, as `GET /trackers` lists it. */
export const installedTrackerSchema = z.strictObject({
  id: z.string(),
  displayName: z.string(),
  pullRequests: z.boolean(),
  /** The JSON Schema of the connection settings (null when it cannot be expressed). */
  settingsJsonSchema: settingsRecord.nullable(),
  /** The JSON Schema of the connection secrets (null when it cannot be expressed). */
  secretsJsonSchema: settingsRecord.nullable(),
});

/** A tracker connection, as the API shows it (never a secret value). */
export const trackerConnectionSchema = z.strictObject({
  id: z.string(),
  tracker: z.string(),
  name: z.string(),
  settings: settingsRecord,
  secretNames: z.array(z.string()),
  status: z.enum(['active', 'error']),
  lastError: z.string().nullable(),
  /** Where the tracker sends webhook deliveries (the path below the server's origin). */
  webhookPath: z.string(),
  createdAt: z.number(),
  updatedAt: z.number(),
});

/** A connection just created (or whose webhook secret was just rotated): the webhook secret, shown once. */
export const trackerConnectionWithSecretSchema = trackerConnectionSchema.extend({ webhookSecret: z.string() });

/** What `PATCH /trackers/connections/:id` answers: the connection, with `webhookSecret` when it was just rotated. */
export const updatedTrackerConnectionSchema = trackerConnectionSchema.extend({ webhookSecret: z.string().optional() });

/** Body of `POST /trackers/connections`. */
export const createTrackerConnectionBody = z.strictObject({
  tracker: z.string().min(1).max(100),
  name: z.string().min(1).max(40),
  settings: settingsRecord.optional(),
  secrets: secretsRecord.optional(),
  webhookSecret: z.string().min(16).max(200).optional(),
});

/** Body of `PATCH /trackers/connections/:id`. */
export const updateTrackerConnectionBody = z.strictObject({
  name: z.string().min(1).max(40).optional(),
  settings: settingsRecord.optional(),
  secrets: secretsRecord.optional(),
  /** A webhook secret of your own, or `true` for a new generated one (answered once). */
  webhookSecret: z.union([z.string().min(16).max(200), z.literal(true)]).optional(),
});

/** What `POST /trackers/connections/:id/test` answers. */
export const trackerTestSchema = z.union([
  z.strictObject({ ok: z.literal(true), identity: z.string() }),
  z.strictObject({ ok: z.literal(false), error: z.strictObject({ code: z.string(), message: z.string() }) }),
]);

/** A project as `GET /trackers/connections/:id/projects` lists it. */
export const trackerProjectSchema = z.strictObject({ id: z.string(), key: z.string(), name: z.string(), url: z.string() });

/** Query of `GET /trackers/connections/:id/projects`. */
export const trackerProjectsQuery = z.strictObject({
  cursor: z.string().max(500).optional(),
  limit: z.coerce.number().int().min(1).max(100).optional(),
});

/** What `GET`/`PUT /trackers/connections/:id/my-credential` answer: whether the caller linked their own credential, and as whom it tested; never the secret. */
export const myTrackerCredentialSchema = z.union([
  z.strictObject({ linked: z.literal(false) }),
  z.strictObject({ linked: z.literal(true), identity: z.string(), linkedAt: z.number() }),
]);

/** Body of `PUT /trackers/connections/:id/my-credential`: the tracker's secrets (validated by its `secretsSchema`). */
export const linkMyTrackerCredentialBody = z.strictObject({ secrets: secretsRecord });

/** The console user behind `principal`; a credential of its own belongs to a person, not to an API key's or agent's id. */
function userOf(principal: Principal | null): Principal & { userId: string } {
  const self = requirePrincipal(principal);
  if (!self.userId || self.agentId)
    throw new PreloopError('FORBIDDEN', 'Only a console user can link their own tracker credential.', { status: 403 });
  return self as Principal & { userId: string };
}

const recordLink = (preloop: Preloop, principal: Principal, action: string, connection: TrackerConnection, identity: string | null) =>
  preloop.audit.record({
    actor: principal,
    action,
    target: { type: 'tracker_connection', id: connection.id },
    outcome: 'success',
    data: { name: connection.name, tracker: connection.tracker, userId: principal.userId, identity },
  });

const jsonSchemaOf = (schema: z.ZodType): Record<string, unknown> | null => {
  try {
    return z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any' }) as Record<string, unknown>;
  } catch {
    return null;
  }
};

function view(preloop: Preloop, connection: TrackerConnection) {
  const { accountId: _accountId, ...rest } = connection;
  return { ...rest, webhookPath: `${preloop.options.basePath ?? ''}/api/v1/trackers/webhooks/${connection.id}` };
}

const record = (preloop: Preloop, principal: Principal, action: string, connection: { id: string; name: string; tracker: string }) =>
  preloop.audit.record({
    actor: principal,
    action,
    target: { type: 'tracker_connection', id: connection.id },
    outcome: 'success',
    data: { name: connection.name, tracker: connection.tracker },
  });

/** Tracker connections and webhook intake. */
export const trackerRoutes: AdminRoute[] = [
  defineRoute({
    method: 'GET',
    path: '/trackers',
    summary: 'List the installed trackers',
    tag: 'trackers',
    access: { role: 'viewer' },
    response: z.strictObject({ items: z.array(installedTrackerSchema) }),
    handler: ({ preloop }) => ({
      items: preloop.trackers.installed.map((tracker) => ({
        id: tracker.id,
        displayName: tracker.displayName,
        pullRequests: tracker.pullRequests,
        settingsJsonSchema: jsonSchemaOf(tracker.settingsSchema),
        secretsJsonSchema: jsonSchemaOf(tracker.secretsSchema),
      })),
    }),
  }),
  defineRoute({
    method: 'GET',
    path: '/trackers/connections',
    summary: 'List tracker connections',
    tag: 'trackers',
    access: { role: 'viewer' },
    response: z.strictObject({ items: z.array(trackerConnectionSchema) }),
    async handler({ preloop, principal }) {
      const connections = await preloop.trackers.list(requirePrincipal(principal).accountId);
      return { items: connections.map((connection) => view(preloop, connection)) };
    },
  }),
  defineRoute({
    method: 'POST',
    path: '/trackers/connections',
    summary: 'Connect a tracker (the webhook secret is answered once)',
    tag: 'trackers',
    access: { role: 'admin' },
    body: createTrackerConnectionBody,
    status: 201,
    response: trackerConnectionWithSecretSchema,
    errors: [404, 409],
    async handler({ preloop, principal, body }) {
      const self = requirePrincipal(principal);
      const created = await preloop.trackers.create(self.accountId, body);
      await record(preloop, self, 'tracker-connection.create', created);
      return { ...view(preloop, created), webhookSecret: created.webhookSecret };
    },
  }),
  defineRoute({
    method: 'GET',
    path: '/trackers/connections/:id',
    summary: 'Get a tracker connection',
    tag: 'trackers',
    access: { role: 'viewer' },
    response: trackerConnectionSchema,
    errors: [404],
    async handler({ preloop, principal, params }) {
      return view(preloop, await preloop.trackers.get(requirePrincipal(principal).accountId, params.id!));
    },
  }),
  defineRoute({
    method: 'PATCH',
    path: '/trackers/connections/:id',
    summary: 'Change a tracker connection (secrets given are replaced; webhookSecret: true rotates it)',
    tag: 'trackers',
    access: { role: 'admin' },
    body: updateTrackerConnectionBody,
    response: updatedTrackerConnectionSchema,
    errors: [404, 409],
    async handler({ preloop, principal, params, body }) {
      const self = requirePrincipal(principal);
      const updated = await preloop.trackers.update(self.accountId, params.id!, body);
      await record(preloop, self, 'tracker-connection.update', updated);
      return updated.webhookSecret ? { ...view(preloop, updated), webhookSecret: updated.webhookSecret } : view(preloop, updated);
    },
  }),
  defineRoute({
    method: 'DELETE',
    path: '/trackers/connections/:id',
    summary: 'Disconnect a tracker (its secrets are deleted and its tools disappear)',
    tag: 'trackers',
    access: { role: 'admin' },
    status: 204,
    response: null,
    errors: [404],
    async handler({ preloop, principal, params }) {
      const self = requirePrincipal(principal);
      const connection = await preloop.trackers.get(self.accountId, params.id!);
      await preloop.trackers.delete(self.accountId, connection.id);
      await record(preloop, self, 'tracker-connection.delete', connection);
      return null;
    },
  }),
  defineRoute({
    method: 'POST',
    path: '/trackers/connections/:id/test',
    summary: 'Test a tracker connection’s credential (records the outcome as its status)',
    tag: 'trackers',
    access: { role: 'admin' },
    response: trackerTestSchema,
    errors: [404],
    handler: ({ preloop, principal, params }) => preloop.trackers.test(requirePrincipal(principal).accountId, params.id!),
  }),
  defineRoute({
    method: 'GET',
    path: '/trackers/connections/:id/projects',
    summary: 'List the projects (repositories) a tracker connection can reach',
    tag: 'trackers',
    access: { role: 'viewer' },
    query: trackerProjectsQuery,
    response: pageOf(trackerProjectSchema),
    errors: [404, 429, 502],
    async handler({ preloop, principal, params, query }) {
      const client = await preloop.trackers.client(requirePrincipal(principal).accountId, params.id!);
      const page = await client.listProjects(query);
      return { items: page.items.map(({ raw: _raw, ...project }) => project), nextCursor: page.nextCursor };
    },
  }),
  defineRoute({
    method: 'GET',
    path: '/trackers/connections/:id/my-credential',
    summary: 'Whether you linked your own credential to a tracker connection, and its identity (never the secret)',
    tag: 'trackers',
    access: { role: 'viewer' },
    response: myTrackerCredentialSchema,
    errors: [403, 404],
    async handler({ preloop, principal, params }) {
      const self = userOf(principal);
      const connection = await preloop.trackers.get(self.accountId, params.id!);
      return preloop.trackers.userCredentials.get(self.accountId, connection.id, self.userId);
    },
  }),
  defineRoute({
    method: 'PUT',
    path: '/trackers/connections/:id/my-credential',
    summary:
      'Link your own credential to a tracker connection (tested against the tracker first); console create and comment then write as you',
    tag: 'trackers',
    access: { role: 'approver' },
    body: linkMyTrackerCredentialBody,
    response: myTrackerCredentialSchema,
    errors: [403, 404, 429, 502],
    async handler({ preloop, principal, params, body }) {
      const self = userOf(principal);
      const connection = await preloop.trackers.get(self.accountId, params.id!);
      const linked = await preloop.trackers.userCredentials.link(self.accountId, connection.id, self.userId, body.secrets);
      await recordLink(preloop, self, 'tracker-connection.user-credential.link', connection, linked.identity);
      return linked;
    },
  }),
  defineRoute({
    method: 'DELETE',
    path: '/trackers/connections/:id/my-credential',
    summary: 'Unlink your own credential from a tracker connection (create and comment write through the connection again)',
    tag: 'trackers',
    access: { role: 'viewer' },
    status: 204,
    response: null,
    errors: [403, 404],
    async handler({ preloop, principal, params }) {
      const self = userOf(principal);
      const connection = await preloop.trackers.get(self.accountId, params.id!);
      if (await preloop.trackers.userCredentials.unlink(self.accountId, connection.id, self.userId))
        await recordLink(preloop, self, 'tracker-connection.user-credential.unlink', connection, null);
      return null;
    },
  }),
  trackerWebhookRoute,
];
