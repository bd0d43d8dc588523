import type { Kysely } from 'kysely';
import type { KernelTables } from '../storage/schema.js';
import type { AuditTrail } from '../audit/audit-trail.js';
import type { AuditRecordInput } from '../audit/audit-types.js';
import type { Bus } from '../bus/bus.js';
import type { PreloopEvents } from '../events/create-event-bus.js';
import type { Logger } from '../logger.js';
import type { DialectName } from '../storage/database.js';

/** Who performs an identity change: a principal, or the kernel itself (`{ type: 'system' }`, for example the CLI). */
export type IdentityActor = AuditRecordInput['actor'];

/** The actor used when a caller names none: the kernel itself. */
export const systemActor: IdentityActor = { type: 'system', name: 'preloop' };

/** The Bus channel on which identity changes are announced so every instance drops its cached credentials. */
export const identityBusChannel = 'identity';

/**
 * The payload published on {@link identityBusChannel}: the ids (key, user, agent,
 * runtime session, console session) whose cached credentials must be dropped,
 * or `clear` to drop everything.
 */
export type IdentityBusMessage = { kind: 'invalidate'; tags: string[] } | { kind: 'clear' };

/** More tags than this in one change are sent as a `clear` (Bus payloads stay small). */
const maxTagsPerMessage = 100;

/** What every identity store shares: the database, events, the Bus, the audit trail. */
export interface IdentityContext {
  db: Kysely<KernelTables>;
  dialect: DialectName;
  events: PreloopEvents;
  bus: Bus;
  audit: AuditTrail;
  logger: Logger | null;
  /**
   * Drops cached credentials tagged with any of `tags` on this instance at once,
   * then on every other instance through the Bus.
   */
  invalidate(tags: ReadonlyArray<string | null | undefined>): Promise<void>;
  /** Writes an audit record for an identity change. */
  record(input: AuditRecordInput): Promise<void>;
}

/**
 * Builds the shared context of the identity stores. `dropLocal` is the local
 * cache's invalidation, run before the Bus message goes out.
 *
 * @example
 * ```ts
 * const context = createIdentityContext({ db, dialect, events, bus, audit, logger: null }, (tags) => cache.invalidate(tags));
 * ```
 */
export function createIdentityContext(
  base: Omit<IdentityContext, 'invalidate' | 'record'>,
  dropLocal: (message: IdentityBusMessage) => void,
): IdentityContext {
  return {
    ...base,
    async invalidate(tags) {
      const ids = [...new Set(tags.filter((tag): tag is string => typeof tag === 'string' && tag !== ''))];
      if (ids.length === 0) return;
      const message: IdentityBusMessage = ids.length > maxTagsPerMessage ? { kind: 'clear' } : { kind: 'invalidate', tags: ids };
      dropLocal(message);
      try {
        await base.bus.publish(identityBusChannel, message);
      } catch (error) {
        // The change is committed; other instances still drop their cache entries when the TTL ends.
        base.logger?.warn('identity: could not publish a cache invalidation on the Bus', { error });
      }
    },
    async record(input) {
      await base.audit.record(input);
    },
  };
}

/**
 * True when `error` is a unique-constraint violation on SQLite or PostgreSQL.
 *
 * @example
 * ```ts
 * try { await insert(); } catch (error) { if (isUniqueViolation(error)) throw conflict(); throw error; }
 * ```
 */
export function isUniqueViolation(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return code === '23505' || code === 'SQLITE_CONSTRAINT_UNIQUE' || code === 'SQLITE_CONSTRAINT_PRIMARYKEY';
}

/**
 * Converts a 0/1 (or boolean) column to a boolean.
 *
 * @example
 * ```ts
 * toBoolean(row.disabled); // false
 * ```
 */
export function toBoolean(value: unknown): boolean {
  return value === true || value === 1 || value === '1';
}
