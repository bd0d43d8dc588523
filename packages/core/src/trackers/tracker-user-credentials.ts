/**
 * Per-user credentials of a tracker connection: a console user links their own
 * token to a connection, so what they create and comment from the console is
 * written as them at the tracker. The secrets live in the secret store (one
 * entry per connection and user); the client built from them is cached per
 * (connection, user) and dropped on every instance when the link or the
 * connection changes.
 *
 * @module
 */

import type { Bus } from '../bus/bus.js';
import { busReconnectedChannel } from '../bus/bus.js';
import type { TrackerClient } from '../contracts/tracker.js';
import { PreloopError, isPreloopError } from '../errors.js';
import type { SecretStore } from '../secrets/secret-store.js';

/** The Bus channel on which a changed link is announced (`{ connectionId, userId }`). */
export const trackerUserCredentialsBusChannel = 'tracker-user-credentials';

/** Whether a user has linked their own credential to a connection; never the secret. */
export type TrackerUserCredential = { linked: false } | { linked: true; identity: string; linkedAt: number };

/** The users' own credentials of tracker connections (`preloop.trackers.userCredentials`). */
export interface TrackerUserCredentials {
  /** Whether `userId` linked a credential to the connection, and the identity it tested as. */
  get(accountId: string, connectionId: string, userId: string): Promise<TrackerUserCredential>;
  /**
   * Validates `secrets` with the tracker's `secretsSchema`, tests them against
   * the tracker (`client.test()`), then stores them. A refused credential is
   * `TRACKER_CREDENTIAL_REFUSED` (400) and nothing is stored.
   */
  link(
    accountId: string,
    connectionId: string,
    userId: string,
    secrets: Record<string, string>,
  ): Promise<{ linked: true; identity: string; linkedAt: number }>;
  /** Removes the user's credential; false when none was linked. */
  unlink(accountId: string, connectionId: string, userId: string): Promise<boolean>;
  /** The client acting as `userId` on the connection, or null when the user linked none. */
  client(accountId: string, connectionId: string, userId: string): Promise<TrackerClient | null>;
  /** Deletes every user's credential of a connection (when it is disconnected). */
  forgetConnection(accountId: string, connectionId: string): Promise<void>;
  close(): void;
}

/** Options of {@link createTrackerUserCredentials}. */
export interface TrackerUserCredentialsOptions {
  /** Where each user's secrets are kept (`tracker:<connectionId>:user:<userId>`, one JSON value). */
  secrets: SecretStore;
  /** Announces a changed link to every instance. */
  bus: Bus;
  /**
   * Builds a client of connection `connectionId` (its tracker and settings)
   * with `secrets`, validated by the tracker's `secretsSchema`; `NOT_FOUND`
   * when the account has no such connection.
   */
  connect(accountId: string, connectionId: string, secrets: Record<string, string>): Promise<TrackerClient>;
}

interface Stored {
  secrets: Record<string, string>;
  identity: string;
  linkedAt: number;
}

const prefixOf = (connectionId: string) => `tracker:${connectionId}:user:`;
const secretName = (connectionId: string, userId: string) => `${prefixOf(connectionId)}${userId}`;

/**
 * Creates the registry of users' own tracker credentials over the secret
 * store and the Bus.
 *
 * @example
 * ```ts
 * const users = createTrackerUserCredentials({ secrets, bus, connect });
 * await users.link(accountId, connectionId, userId, { token: 'ghp_…' });
 * const client = (await users.client(accountId, connectionId, userId)) ?? (await trackers.client(accountId, connectionId));
 * ```
 */
export function createTrackerUserCredentials(options: TrackerUserCredentialsOptions): TrackerUserCredentials {
  const { secrets, bus } = options;
  const clients = new Map<string, Promise<TrackerClient | null>>();
  const cacheKey = (connectionId: string, userId: string) => `${connectionId}\u0000${userId}`;
  const dropConnection = (connectionId: string) => {
    for (const key of clients.keys()) if (key.startsWith(`${connectionId}\u0000`)) clients.delete(key);
  };
  const offLinks = bus.subscribe(trackerUserCredentialsBusChannel, (payload) => {
    const signal = payload as { connectionId?: unknown; userId?: unknown } | null;
    if (typeof signal?.connectionId !== 'string') return;
    if (typeof signal.userId === 'string') clients.delete(cacheKey(signal.connectionId, signal.userId));
    else dropConnection(signal.connectionId);
  });
  // A changed connection (settings, base URL) rebuilds its users' clients too.
  const offConnections = bus.subscribe('tracker-connections', (payload) => {
    const signal = payload as { connectionId?: unknown } | null;
    if (typeof signal?.connectionId === 'string') dropConnection(signal.connectionId);
  });
  const offReconnected = bus.subscribe(busReconnectedChannel, () => clients.clear());

  const read = async (accountId: string, connectionId: string, userId: string): Promise<Stored | null> => {
    const name = secretName(connectionId, userId);
    if (!(await secrets.has(accountId, name))) return null;
    try {
      return JSON.parse(await secrets.get(accountId, name)) as Stored;
    } catch (error) {
      if (isPreloopError(error, 'NOT_FOUND')) return null;
      throw error;
    }
  };
  const announce = async (connectionId: string, userId?: string) => {
    if (userId === undefined) dropConnection(connectionId);
    else clients.delete(cacheKey(connectionId, userId));
    await bus.publish(trackerUserCredentialsBusChannel, userId === undefined ? { connectionId } : { connectionId, userId });
  };

  return {
    async get(accountId, connectionId, userId) {
      const stored = await read(accountId, connectionId, userId);
      return stored ? { linked: true, identity: stored.identity, linkedAt: stored.linkedAt } : { linked: false };
    },
    async link(accountId, connectionId, userId, values) {
      const client = await options.connect(accountId, connectionId, values);
      let identity: string;
      try {
        ({ identity } = await client.test());
      } catch (error) {
        if (isPreloopError(error) && ['TRACKER_FORBIDDEN', 'TRACKER_NOT_FOUND', 'TRACKER_INVALID_INPUT'].includes(error.code))
          throw new PreloopError(
            'TRACKER_CREDENTIAL_REFUSED',
            `secrets: the tracker refused this credential (${error.code}: ${error.message}).`,
            {
              status: 400,
              details: [{ path: 'secrets', message: `refused by the tracker (${error.code})` }],
            },
          );
        throw error;
      }
      const stored: Stored = { secrets: values, identity, linkedAt: Date.now() };
      await secrets.set(accountId, secretName(connectionId, userId), JSON.stringify(stored));
      await announce(connectionId, userId);
      return { linked: true, identity, linkedAt: stored.linkedAt };
    },
    async unlink(accountId, connectionId, userId) {
      const removed = await secrets.delete(accountId, secretName(connectionId, userId));
      await announce(connectionId, userId);
      return removed;
    },
    client(accountId, connectionId, userId) {
      const key = cacheKey(connectionId, userId);
      const cached = clients.get(key);
      if (cached) return cached;
      const built = (async () => {
        const stored = await read(accountId, connectionId, userId);
        return stored ? options.connect(accountId, connectionId, stored.secrets) : null;
      })();
      clients.set(key, built);
      built.catch(() => {
        if (clients.get(key) === built) clients.delete(key);
      });
      return built;
    },
    async forgetConnection(accountId, connectionId) {
      const prefix = prefixOf(connectionId);
      for (const secret of await secrets.list(accountId)) if (secret.name.startsWith(prefix)) await secrets.delete(accountId, secret.name);
      await announce(connectionId);
    },
    close() {
      offLinks();
      offConnections();
      offReconnected();
      clients.clear();
    },
  };
}
