import { PreloopError } from '../errors.js';
import type { Page } from '../api/respond.js';

/** Options of every identity list: an opaque cursor and a page size. */
export interface ListOptions {
  /** The `nextCursor` of the previous page; omitted for the first page. */
  cursor?: string | null;
  /** Page size, from 1 to 200. @default 50 */
  limit?: number;
}

/** The default page size of list endpoints. */
export const defaultPageLimit = 50;
/** The largest page size of list endpoints. */
export const maxPageLimit = 200;

const idPattern = /^[A-Za-z0-9_-]{1,100}$/;

/**
 * Encodes the last sort key of a page (an id) as an opaque cursor (base64url).
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
 * Decodes a cursor made by {@link encodeCursor}; a malformed one is a 400 naming `cursor`.
 *
 * @example
 * ```ts
 * const afterId = decodeCursor(query.cursor);
 * ```
 */
export function decodeCursor(cursor: string | null | undefined): string | null {
  if (cursor === null || cursor === undefined || cursor === '') return null;
  const sortKey = /^[A-Za-z0-9_-]+$/.test(cursor) ? Buffer.from(cursor, 'base64url').toString('utf8') : '';
  if (!idPattern.test(sortKey)) {
    throw new PreloopError('VALIDATION_ERROR', 'Invalid query: cursor: not a cursor returned by this list', {
      details: { issues: [{ path: 'cursor', message: 'not a cursor returned by this list' }] },
    });
  }
  return sortKey;
}

/**
 * Clamps a requested page size to 1–200, defaulting to 50.
 *
 * @example
 * ```ts
 * pageLimit(undefined); // 50
 * ```
 */
export function pageLimit(limit: number | undefined): number {
  if (limit === undefined || !Number.isFinite(limit)) return defaultPageLimit;
  return Math.min(maxPageLimit, Math.max(1, Math.trunc(limit)));
}

/**
 * Builds a page from `rows` fetched with `limit + 1`: the extra row, when
 * present, only says there is a next page.
 *
 * @example
 * ```ts
 * const rows = await query.limit(limit + 1).execute();
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
