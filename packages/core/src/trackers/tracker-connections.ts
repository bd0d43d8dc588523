/**
 * Tracker connections: one connected GitHub/GitLab/Jira account or app per
 * row, per Preloop account, with its settings in the row and its secrets in
 * the secret store; and the cached {@link TrackerClient} of each connection,
 * dropped on every instance when the connection changes.
 *
 * @module
 */

import type { Kysely } from 'kysely';
import type { Bus } from '../bus/bus.js';
import { busReconnectedChannel } from '../bus/bus.js';
import type { Tracker, TrackerClient } from '../contracts/tracker.js';
import { PreloopError, isPreloopError } from '../errors.js';
import { createId, createToken } from '../ids.js';
import type { SecretStore } from '../secrets/secret-store.js';
import { formatPath } from '../api/validate.js';
import type { KernelTables } from '../storage/schema.js';
import type { TrackerTables } from './tracker-tables.js';
import { createTrackerUserCredentials, type TrackerUserCredentials } from './tracker-user-credentials.js';

/** The Bus channel on which a changed connection is announced (`{ accountId, connectionId }`). */
export const trackerConnectionsBusChannel = 'tracker-connections';

/** The name of the secret (in the secret store) a connection's webhooks are verified with. */
export const webhookSecretName = 'webhookSecret';

/** A tracker connection as the API shows it: never a secret value. */
export interface TrackerConnection {
  /** `trk_…` */
  id: string;
  accountId: string;
  /** The tracker's id (`github`, `gitlab`, `jira`). */
  tracker: string;
  /** A slug unique in the account; the connection's tools are `<name>.get_issue`, … */
  name: string;
  /** The tracker's settings (validated by its `settingsSchema`). */
  settings: Record<string, unknown>;
  /** The names of the secrets stored for it (values are never shown), the webhook secret included. */
  secretNames: string[];
  /** `active`, or `error` after a failed test or connect (`lastError` says why). */
  status: 'active' | 'error';
  lastError: string | null;
  createdAt: number;
  updatedAt: number;
}

/** What creates a connection. */
export interface CreateTrackerConnectionInput {
  tracker: string;
  name: string;
  settings?: Record<string, unknown>;
  secrets?: Record<string, string>;
  /** The secret webhook deliveries are signed with; generated when omitted (and answered once). */
  webhookSecret?: string;
}

/** What changes a connection; secrets given are replaced (others kept). */
export interface UpdateTrackerConnectionInput {
  name?: string;
  settings?: Record<string, unknown>;
  secrets?: Record<string, string>;
  /** A new webhook secret, or `true` to generate one (answered once). */
  webhookSecret?: string | true;
}

/** The tracker connections of every account (`preloop.trackers`). */
export interface TrackerConnections {
  /** The trackers installed by plugins. */
  readonly installed: readonly Tracker[];
  /** The installed tracker `id`; `NOT_FOUND` naming the installed ones when absent. */
  tracker(id: string): Tracker;
  list(accountId: string): Promise<TrackerConnection[]>;
  /** `NOT_FOUND` when the account has no such connection. */
  get(accountId: string, id: string): Promise<TrackerConnection>;
  /** The connection `id` whatever its account (webhook intake); null when none. */
  find(id: string): Promise<TrackerConnection | null>;
  /** Validates settings and secrets with the tracker's schemas; answers the webhook secret once. */
  create(accountId: string, input: CreateTrackerConnectionInput): Promise<TrackerConnection & { webhookSecret: string }>;
  update(accountId: string, id: string, change: UpdateTrackerConnectionInput): Promise<TrackerConnection & { webhookSecret?: string }>;
  /** Removes the connection and its secrets; `NOT_FOUND` when absent. */
  delete(accountId: string, id: string): Promise<void>;
  /**
   * The connection's client, built once per connection and instance and
   * dropped (here and on every other instance) when the connection changes.
   * Used by the tracker tools, the admin routes and the issue sync.
   */
  client(accountId: string, id: string): Promise<TrackerClient>;
  /** The secret deliveries of connection `id` must be signed with. */
  webhookSecret(connection: TrackerConnection): Promise<string>;
  /** Runs the client's `test()` and records the outcome as the connection's status. */
  test(accountId: string, id: string): Promise<{ ok: true; identity: string } | { ok: false; error: { code: string; message: string } }>;
  /** Users' own credentials of the connections (console create and comment write as the user where one is linked). */
  readonly userCredentials: TrackerUserCredentials;
  /** Calls `listener` after a connection of `accountId` was created, changed or deleted (here or elsewhere). */
  subscribe(listener: (accountId: string) => void): () => void;
  close(): void;
}

/** Options of {@link createTrackerConnections}. */
export interface TrackerConnectionsOptions {
  /** The kernel's database (with the `tracker_connections` table). */
  db: Kysely<KernelTables>;
  /** Where the connections' secrets (and webhook secrets) are kept. */
  secrets: SecretStore;
  /** Announces changed connections to every instance. */
  bus: Bus;
  /** The trackers plugins contributed. */
  trackers: readonly Tracker[];
  /** The fetch clients use. @default globalThis.fetch */
  fetch?: typeof fetch;
  /** Called (on the instance that made it) after a connection of `accountId` was created, changed or deleted. */
  onChange?: (accountId: string) => Promise<void>;
}

const slugPattern = /^[a-z0-9](?:[a-z0-9-]{0,38}[a-z0-9])?$/;
const secretKey = (connectionId: string, name: string) => `tracker:${connectionId}:${name}`;

type Row = TrackerTables['tracker_connections'];

function toConnection(row: Row): TrackerConnection {
  return {
    id: row.id,
    accountId: row.account_id,
    tracker: row.tracker,
    name: row.name,
    settings: JSON.parse(row.settings) as Record<string, unknown>,
    secretNames: JSON.parse(row.secret_names) as string[],
    status: row.status === 'error' ? 'error' : 'active',
    lastError: row.last_error,
    createdAt: Number(row.created_at),
    updatedAt: Number(row.updated_at),
  };
}

/**
 * Creates the registry of tracker connections over the kernel's database,
 * secret store and Bus.
 *
 * @example
 * ```ts
 * const connection = await preloop.trackers.create(accountId, {
 *   tracker: 'github', name: 'acme-github', settings: { owner: 'acme' }, secrets: { token: 'ghp_…' },
 * });
 * const client = await preloop.trackers.client(accountId, connection.id);
 * const issue = await client.getIssue({ project: 'acme/api', number: '12' });
 * ```
 */
export function createTrackerConnections(options: TrackerConnectionsOptions): TrackerConnections {
  const { secrets, bus } = options;
  const db = options.db.withTables<TrackerTables>();
  const byId = new Map(options.trackers.map((tracker) => [tracker.id, tracker]));
  const clients = new Map<string, Promise<TrackerClient>>();
  const listeners = new Set<(accountId: string) => void>();
  const off = bus.subscribe(trackerConnectionsBusChannel, (payload) => {
    const signal = payload as { accountId?: unknown; connectionId?: unknown } | null;
    if (typeof signal?.connectionId === 'string') clients.delete(signal.connectionId);
    if (typeof signal?.accountId === 'string') for (const listener of listeners) listener(signal.accountId);
  });
  const offReconnected = bus.subscribe(busReconnectedChannel, () => clients.clear());

  const tracker = (id: string): Tracker => {
    const found = byId.get(id);
    if (!found)
      throw new PreloopError('NOT_FOUND', `No tracker "${id}" is installed (installed: ${[...byId.keys()].join(', ') || 'none'}).`, {
        status: 404,
      });
    return found;
  };
  const row = async (accountId: string, id: string) => {
    const found = await db
      .selectFrom('tracker_connections')
      .selectAll()
      .where('account_id', '=', accountId)
      .where('id', '=', id)
      .executeTakeFirst();
    if (!found) throw new PreloopError('NOT_FOUND', `No tracker connection ${id}.`);
    return found;
  };
  const checked = <T>(
    schema: { safeParse(value: unknown): { success: boolean; data?: unknown; error?: unknown } },
    value: unknown,
    what: string,
  ): T => {
    const result = schema.safeParse(value);
    if (result.success) return result.data as T;
    const issues = (result.error as { issues?: { path: PropertyKey[]; message: string }[] }).issues ?? [];
    const details = issues.map((issue) => ({
      path: `${what}${issue.path.length ? `.${formatPath(issue.path)}` : ''}`,
      message: issue.message,
    }));
    throw new PreloopError(
      'VALIDATION_ERROR',
      details.map((detail) => `${detail.path}: ${detail.message}`).join('; ') || `${what}: invalid`,
      {
        details,
      },
    );
  };
  const announce = async (accountId: string, connectionId: string) => {
    clients.delete(connectionId);
    await bus.publish(trackerConnectionsBusChannel, { accountId, connectionId });
    await options.onChange?.(accountId);
  };
  const readSecrets = async (connection: TrackerConnection) => {
    const values: Record<string, string> = {};
    for (const name of connection.secretNames)
      if (name !== webhookSecretName) values[name] = await secrets.get(connection.accountId, secretKey(connection.id, name));
    return values;
  };
  const checkName = (name: string) => {
    if (!slugPattern.test(name))
      throw new PreloopError(
        'VALIDATION_ERROR',
        'name: must be a slug of 1–40 lowercase letters, digits and dashes (it names the tools, `<name>.get_issue`).',
        { details: [{ path: 'name', message: 'must be a slug' }] },
      );
  };

  const userCredentials = createTrackerUserCredentials({
    secrets,
    bus,
    async connect(accountId, connectionId, values) {
      const connection = toConnection(await row(accountId, connectionId));
      const chosen = tracker(connection.tracker);
      return chosen.connect({
        settings: checked(chosen.settingsSchema, connection.settings, 'settings'),
        secrets: checked(chosen.secretsSchema, values, 'secrets'),
        ...(options.fetch ? { fetch: options.fetch } : {}),
      });
    },
  });

  const registry: TrackerConnections = {
    installed: options.trackers,
    tracker,
    userCredentials,
    async list(accountId) {
      const rows = await db.selectFrom('tracker_connections').selectAll().where('account_id', '=', accountId).orderBy('name').execute();
      return rows.map(toConnection);
    },
    async get(accountId, id) {
      return toConnection(await row(accountId, id));
    },
    async find(id) {
      const found = await db.selectFrom('tracker_connections').selectAll().where('id', '=', id).executeTakeFirst();
      return found ? toConnection(found) : null;
    },
    async create(accountId, input) {
      const chosen = tracker(input.tracker);
      checkName(input.name);
      const settings = checked<Record<string, unknown>>(chosen.settingsSchema, input.settings ?? {}, 'settings');
      const values = checked<Record<string, string>>(chosen.secretsSchema, input.secrets ?? {}, 'secrets');
      const taken = await db
        .selectFrom('tracker_connections')
        .select('id')
        .where('account_id', '=', accountId)
        .where('name', '=', input.name)
        .executeTakeFirst();
      if (taken) throw new PreloopError('CONFLICT', `A tracker connection named "${input.name}" exists.`);
      const id = createId('trk');
      const webhookSecret = input.webhookSecret ?? createToken(32);
      const names = [...Object.keys(values), webhookSecretName];
      for (const [name, value] of Object.entries(values)) await secrets.set(accountId, secretKey(id, name), value);
      await secrets.set(accountId, secretKey(id, webhookSecretName), webhookSecret);
      const now = Date.now();
      const created: Row = {
        id,
        account_id: accountId,
        tracker: chosen.id,
        name: input.name,
        settings: JSON.stringify(settings),
        secret_names: JSON.stringify(names),
        status: 'active',
        last_error: null,
        created_at: now,
        updated_at: now,
      };
      try {
        await db.insertInto('tracker_connections').values(created).execute();
      } catch (error) {
        for (const name of names) await secrets.delete(accountId, secretKey(id, name)).catch(() => false);
        throw new PreloopError('CONFLICT', `A tracker connection named "${input.name}" exists.`, { cause: error });
      }
      await announce(accountId, id);
      return { ...toConnection(created), webhookSecret };
    },
    async update(accountId, id, change) {
      const current = toConnection(await row(accountId, id));
      const chosen = tracker(current.tracker);
      if (change.name !== undefined) checkName(change.name);
      const settings =
        change.settings === undefined
          ? current.settings
          : checked<Record<string, unknown>>(chosen.settingsSchema, change.settings, 'settings');
      let names = current.secretNames;
      if (change.secrets !== undefined) {
        const merged = { ...(await readSecrets(current)), ...change.secrets };
        const values = checked<Record<string, string>>(chosen.secretsSchema, merged, 'secrets');
        for (const [name, value] of Object.entries(change.secrets))
          if (name in values) await secrets.set(accountId, secretKey(id, name), value);
        names = [...new Set([...Object.keys(values), webhookSecretName])];
      }
      const webhookSecret = change.webhookSecret === true ? createToken(32) : change.webhookSecret;
      if (webhookSecret !== undefined) await secrets.set(accountId, secretKey(id, webhookSecretName), webhookSecret);
      try {
        await db
          .updateTable('tracker_connections')
          .set({
            name: change.name ?? current.name,
            settings: JSON.stringify(settings),
            secret_names: JSON.stringify(names),
            status: 'active',
            last_error: null,
            updated_at: Date.now(),
          })
          .where('account_id', '=', accountId)
          .where('id', '=', id)
          .execute();
      } catch (error) {
        throw new PreloopError('CONFLICT', `A tracker connection named "${change.name}" exists.`, { cause: error });
      }
      await announce(accountId, id);
      const updated = await registry.get(accountId, id);
      return change.webhookSecret === true ? { ...updated, webhookSecret: webhookSecret as string } : updated;
    },
    async delete(accountId, id) {
      const current = toConnection(await row(accountId, id));
      await db.deleteFrom('tracker_connections').where('account_id', '=', accountId).where('id', '=', id).execute();
      for (const name of current.secretNames) await secrets.delete(accountId, secretKey(id, name));
      await userCredentials.forgetConnection(accountId, id);
      await announce(accountId, id);
    },
    client(accountId, id) {
      const cached = clients.get(id);
      if (cached) return cached;
      const built = (async () => {
        const connection = toConnection(await row(accountId, id));
        const chosen = tracker(connection.tracker);
        return chosen.connect({
          settings: checked(chosen.settingsSchema, connection.settings, 'settings'),
          secrets: await readSecrets(connection),
          ...(options.fetch ? { fetch: options.fetch } : {}),
        });
      })();
      clients.set(id, built);
      built.catch(() => {
        if (clients.get(id) === built) clients.delete(id);
      });
      return built;
    },
    webhookSecret(connection) {
      return secrets.get(connection.accountId, secretKey(connection.id, webhookSecretName));
    },
    async test(accountId, id) {
      let outcome: Awaited<ReturnType<TrackerConnections['test']>>;
      try {
        const { identity } = await (await registry.client(accountId, id)).test();
        outcome = { ok: true, identity };
      } catch (error) {
        if (isPreloopError(error, 'NOT_FOUND') && !(await registry.find(id))) throw error;
        outcome = {
          ok: false,
          error: isPreloopError(error)
            ? { code: error.code, message: error.message }
            : { code: 'TRACKER_UNAVAILABLE', message: 'The tracker could not be reached.' },
        };
      }
      await db
        .updateTable('tracker_connections')
        .set({ status: outcome.ok ? 'active' : 'error', last_error: outcome.ok ? null : `${outcome.error.code}: ${outcome.error.message}` })
        .where('account_id', '=', accountId)
        .where('id', '=', id)
        .execute();
      return outcome;
    },
    subscribe(listener) {
      listeners.add(listener);
      return () => void listeners.delete(listener);
    },
    close() {
      off();
      offReconnected();
      userCredentials.close();
      clients.clear();
      listeners.clear();
    },
  };
  return registry;
}
