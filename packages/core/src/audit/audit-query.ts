import type { Kysely } from 'kysely';
import type { Page } from '../api/respond.js';
import { PreloopError } from '../errors.js';
import type { KernelTables } from '../storage/schema.js';
import { toAuditRecord, type AuditRow } from './audit-rows.js';
import type { AuditRecord } from './audit-types.js';

/** Filters of an audit query. Results come newest first. */
export interface AuditQuery {
  /** The account whose records to list. */
  accountId: string;
  /** An exact action (`api-key.create`), or a prefix ending in `*` (`api-key.*`). */
  action?: string;
  /** The acting principal's id. */
  actorId?: string;
  /** The target's type. */
  targetType?: string;
  /** The target's id. */
  targetId?: string;
  /** The outcome (`success`, `failure`, `denied`, `pending`…). */
  outcome?: string;
  /** The runtime session. */
  runtimeSessionId?: string;
  /** Earliest time, epoch milliseconds, inclusive. */
  from?: number;
  /** Latest time, epoch milliseconds, exclusive. */
  to?: number;
  /** The `nextCursor` of the previous page. */
  cursor?: string | null;
  /** Page size, 1–200. @default 50 */
  limit?: number;
}

/** The default page size of audit queries. */
export const defaultAuditPageLimit = 50;
/** The largest page size of audit queries. */
export const maxAuditPageLimit = 200;

/**
 * Lists audit records matching `query`, newest first (by chain position), with
 * an opaque cursor for the next page.
 *
 * @example
 * ```ts
 * const { items, nextCursor } = await queryAuditRecords(db, { accountId, action: 'tool.*', limit: 20 });
 * ```
 */
export async function queryAuditRecords(database: Kysely<any>, query: AuditQuery): Promise<Page<AuditRecord>> {
  const db = database as Kysely<Pick<KernelTables, 'audit_records'>>;
  const limit = query.limit === undefined || !Number.isFinite(query.limit) ? defaultAuditPageLimit : Math.min(maxAuditPageLimit, Math.max(1, Math.trunc(query.limit)));
  const beforeSeq = decodeAuditCursor(query.cursor);
  let select = db.selectFrom('audit_records').selectAll().where('account_id', '=', query.accountId);
  if (query.action) {
    if (query.action.endsWith('*')) {
      const prefix = query.action.slice(0, -1);
      if (prefix) select = select.where((eb) => eb(eb.fn('substr', ['action', eb.lit(1), eb.lit(prefix.length)]), '=', prefix));
    } else {
      select = select.where('action', '=', query.action);
    }
  }
  if (query.actorId) select = select.where('actor_id', '=', query.actorId);
  if (query.targetType) select = select.where('target_type', '=', query.targetType);
  if (query.targetId) select = select.where('target_id', '=', query.targetId);
  if (query.outcome) select = select.where('outcome', '=', query.outcome);
  if (query.runtimeSessionId) select = select.where('runtime_session_id', '=', query.runtimeSessionId);
  if (query.from !== undefined) select = select.where('time', '>=', query.from);
  if (query.to !== undefined) select = select.where('time', '<', query.to);
  if (beforeSeq !== null) select = select.where('seq', '<', beforeSeq);
  const rows = (await select.orderBy('seq', 'desc').limit(limit + 1).execute()) as AuditRow[];
  const items = rows.slice(0, limit).map(toAuditRecord);
  const last = items[items.length - 1];
  return { items, nextCursor: rows.length > limit && last ? encodeAuditCursor(last.seq) : null };
}

/**
 * The record `id` of an account; `NOT_FOUND` when there is none.
 *
 * @example
 * ```ts
 * const record = await getAuditRecord(db, accountId, 'aud_0193…');
 * ```
 */
export async function getAuditRecord(database: Kysely<any>, accountId: string, id: string): Promise<AuditRecord> {
  const db = database as Kysely<Pick<KernelTables, 'audit_records'>>;
  const row = await db.selectFrom('audit_records').selectAll().where('account_id', '=', accountId).where('id', '=', id).executeTakeFirst();
  if (!row) throw new PreloopError('NOT_FOUND', `No audit record ${String(id).slice(0, 100)}.`);
  return toAuditRecord(row);
}

/**
 * Encodes a chain position as an opaque cursor.
 *
 * @example
 * ```ts
 * encodeAuditCursor(42); // "YTo0Mg"
 * ```
 */
export function encodeAuditCursor(seq: number): string {
  return Buffer.from(`a:${seq}`, 'utf8').toString('base64url');
}

/**
 * Decodes a cursor made by {@link encodeAuditCursor}; a malformed one is a 400 naming `cursor`.
 *
 * @example
 * ```ts
 * decodeAuditCursor('YTo0Mg'); // 42
 * ```
 */
export function decodeAuditCursor(cursor: string | null | undefined): number | null {
  if (cursor === null || cursor === undefined || cursor === '') return null;
  const match = /^[A-Za-z0-9_-]{1,40}$/.test(cursor) ? /^a:(\d{1,15})$/.exec(Buffer.from(cursor, 'base64url').toString('utf8')) : null;
  if (!match) {
    throw new PreloopError('VALIDATION_ERROR', 'Invalid query: cursor: not a cursor returned by this list', {
      details: { issues: [{ path: 'cursor', message: 'not a cursor returned by this list' }] },
    });
  }
  return Number(match[1]);
}
