import type { Kysely } from 'kysely';
import { decodeCursor, pageLimit, toPage, type Page } from '../pagination/cursor-pagination.js';
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

/** The sort key of an audit cursor: `a:<seq>` (the chain position of the page's last record). */
const auditCursorKey = /^a:\d{1,15}$/;

/**
 * Lists audit records matching `query`, newest first (by chain position), with
 * an opaque cursor for the next page.
 *
 * @example
 * ```ts
 * const { items, nextCursor } = await queryAuditRecords(db, { accountId, action: 'tool.*', limit: 20 });
 * ```
 */
export async function queryAuditRecords(db: Kysely<KernelTables>, query: AuditQuery): Promise<Page<AuditRecord>> {
  const limit = pageLimit(query.limit);
  const beforeKey = decodeCursor(query.cursor, auditCursorKey);
  const beforeSeq = beforeKey === null ? null : Number(beforeKey.slice(2));
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
  const rows = (await select
    .orderBy('seq', 'desc')
    .limit(limit + 1)
    .execute()) as AuditRow[];
  return toPage(rows, limit, (row) => `a:${Number(row.seq)}`, toAuditRecord);
}

/**
 * The record `id` of an account; `NOT_FOUND` when there is none.
 *
 * @example
 * ```ts
 * const record = await getAuditRecord(db, accountId, 'aud_0193…');
 * ```
 */
export async function getAuditRecord(db: Kysely<KernelTables>, accountId: string, id: string): Promise<AuditRecord> {
  const row = await db.selectFrom('audit_records').selectAll().where('account_id', '=', accountId).where('id', '=', id).executeTakeFirst();
  if (!row) throw new PreloopError('NOT_FOUND', `No audit record ${String(id).slice(0, 100)}.`);
  return toAuditRecord(row);
}
