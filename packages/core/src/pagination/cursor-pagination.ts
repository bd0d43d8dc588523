import { z } from 'zod';
import { PreloopError } from '../errors.js';

/**
 * The shape of every paginated list Preloop returns (admin API, identity, audit,
 * approvals, gateway usage): a page of items and the cursor of the next page
 * (`null` on the last page).
 */
export interface Page<T> {
  items: T[];
  nextCursor: string | null;
}

/** Options of a paginated list: an opaque cursor and a page size. */
export interface ListOptions {
  /** The `nextCursor` of the previous page; omitted for the first page. */
  cursor?: string | null;
  /** Page size, from 1 to {@link maxPageLimit}. @default 50 */
  limit?: number;
}

/** The default page size of every list. */
export const defaultPageLimit = 50;
/** The largest page size of every list. */
export const maxPageLimit = 200;

/**
 * The `?cursor=&limit=` query of every list route, as a zod shape to spread into
 * the route's query schema: `cursor` up to 400 characters, `limit` 1–200
 * (default 50). Out-of-range values are a 400 naming the parameter.
 *
 * @example
 * ```ts
 * const query = z.strictObject({ status: z.string().optional(), ...pageQueryShape });
 * ```
 */
export const pageQueryShape = {
  cursor: z.string().max(400).optional().describe('The nextCursor of the previous page'),
  limit: z.coerce.number().int().min(1).max(maxPageLimit).default(defaultPageLimit).describe('Page size'),
};

/** What a sort key may look like unless a list says otherwise: an id. */
const idPattern = /^[A-Za-z0-9_-]{1,100}$/;
/** An encoded cursor: base64url, bounded. */
const cursorPattern = /^[A-Za-z0-9_-]{1,400}$/;

/**
 * Encodes the sort key of a page's last item (an id, or a list's own key such
 * as `a:42`) as an opaque cursor (base64url).
 *
 * @example
 * ```ts
 * encodeCursor('usr_0193…'); // "dXNyXzAxOTM…"
 * ```
 */
export function encodeCursor(sortKey: string): string {
  return Buffer.from(sortKey, 'utf8').toString('base64url');
}

/**
 * Decodes a cursor made by {@link encodeCursor}: the sort key, or `null` for
 * none (first page). A cursor that is not base64url, or whose key does not
 * match `accept` (an id by default), is a 400 `VALIDATION_ERROR` naming `cursor`.
 *
 * @example
 * ```ts
 * const afterId = decodeCursor(query.cursor);
 * const beforeSeq = decodeCursor(query.cursor, /^a:\d{1,15}$/);
 * ```
 */
export function decodeCursor(cursor: string | null | undefined, accept: RegExp = idPattern): string | null {
  if (cursor === null || cursor === undefined || cursor === '') return null;
  const sortKey = cursorPattern.test(cursor) ? Buffer.from(cursor, 'base64url').toString('utf8') : null;
  if (sortKey === null || !accept.test(sortKey)) {
    throw new PreloopError('VALIDATION_ERROR', 'Invalid query: cursor: not a cursor returned by this list', {
      details: { issues: [{ path: 'cursor', message: 'not a cursor returned by this list' }] },
    });
  }
  return sortKey;
}

/**
 * Clamps a requested page size to 1–{@link maxPageLimit}, defaulting to
 * {@link defaultPageLimit} (also for `NaN`).
 *
 * @example
 * ```ts
 * pageLimit(undefined); // 50
 * pageLimit(1000); // 200
 * ```
 */
export function pageLimit(limit: number | undefined): number {
  if (limit === undefined || !Number.isFinite(limit)) return defaultPageLimit;
  return Math.min(maxPageLimit, Math.max(1, Math.trunc(limit)));
}

/**
 * Builds a page from `rows` fetched with `limit + 1`: the extra row, when
 * present, only says there is a next page, whose cursor is the sort key of the
 * page's last row.
 *
 * @example
 * ```ts
 * const rows = await query.orderBy('id', 'desc').limit(limit + 1).execute();
 * return toPage(rows, limit, (row) => row.id, toUser);
 * ```
 */
export function toPage<Row, Item>(rows: Row[], limit: number, sortKey: (row: Row) => string, map: (row: Row) => Item): Page<Item> {
  const hasMore = rows.length > limit;
  const pageRows = hasMore ? rows.slice(0, limit) : rows;
  return {
    items: pageRows.map(map),
    nextCursor: hasMore && pageRows.length > 0 ? encodeCursor(sortKey(pageRows[pageRows.length - 1]!)) : null,
  };
}
