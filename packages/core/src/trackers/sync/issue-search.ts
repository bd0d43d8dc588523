import { sql, type Expression, type Kysely, type SqlBool } from 'kysely';
import { decodeCursor, encodeCursor, pageLimit, type Page } from '../../pagination/cursor-pagination.js';
import type { DialectName } from '../../storage/database.js';
import { toFts5Query } from './full-text-query.js';
import { toStoredIssue, type IssueStoreTables, type StoredIssue, type StoredIssueKind } from './issue-tables.js';

/** How a search sorts: last update, creation, or full-text relevance (only with `text`). */
export type IssueSort = 'updated' | 'created' | 'relevance';

/** What {@link searchIssues} takes; every given field narrows. */
export interface IssueQuery {
  /** Tracker id (`github`, `gitlab`, `jira`). */
  tracker?: string;
  connectionId?: string;
  /** Project key (`owner/repo`, `group/project`, `PROJ`). */
  project?: string;
  /** @default 'open' */
  state?: 'open' | 'closed' | 'merged' | 'all';
  /** Items carrying this label (case-insensitive). */
  label?: string;
  /** Items assigned to this login (case-insensitive). */
  assignee?: string;
  /** Web-search syntax: words (all must match, stemmed), `"a phrase"`, `a or b`, `-excluded`. */
  text?: string;
  /** @default 'issue' */
  kind?: StoredIssueKind | 'all';
  /** @default 'relevance' with `text`, else 'updated' (newest first) */
  sort?: IssueSort;
  cursor?: string | null;
  /** @default 50 */
  limit?: number;
}

const cursorShape = /^(?:[uc]:\d{1,16}:[A-Za-z0-9_-]{1,100}|r:\d{1,9})$/;

type Db = Kysely<IssueStoreTables>;

/** `lower(column) LIKE '%"value"%'` over a JSON list column: the list holds `value` (case-insensitive), on both dialects. */
function jsonListHas(column: 'tracker_issues.labels' | 'tracker_issues.assignees', value: string): Expression<SqlBool> {
  const pattern = `%${JSON.stringify(value.toLowerCase()).replace(/[\\%_]/g, (character) => `\\${character}`)}%`;
  return sql<SqlBool>`lower(${sql.ref(column)}) like ${pattern} escape '\\'`;
}

/**
 * Searches the issue store: filters, full-text (SQLite FTS5 or PostgreSQL
 * `websearch_to_tsquery` over a weighted `tsvector`; titles count more than
 * bodies), sort and cursor pagination. Newest first for `updated`/`created`
 * (a keyset cursor); `relevance` pages by position.
 *
 * @example
 * ```ts
 * const page = await searchIssues(db, 'sqlite', accountId, { text: 'login crash', state: 'open' });
 * ```
 */
export async function searchIssues(db: Db, dialect: DialectName, accountId: string, query: IssueQuery): Promise<Page<StoredIssue>> {
  const limit = pageLimit(query.limit);
  const text = query.text?.trim() || undefined;
  const sort: IssueSort = query.sort ?? (text ? 'relevance' : 'updated');
  const sortKey = sort === 'relevance' && !text ? 'updated' : sort;
  const after = decodeCursor(query.cursor, cursorShape);

  let select = db.selectFrom('tracker_issues').where('tracker_issues.account_id', '=', accountId);
  const kind = query.kind ?? 'issue';
  if (kind !== 'all') select = select.where('tracker_issues.kind', '=', kind);
  if (query.tracker) select = select.where('tracker_issues.tracker', '=', query.tracker);
  if (query.connectionId) select = select.where('tracker_issues.connection_id', '=', query.connectionId);
  if (query.project) select = select.where('tracker_issues.project', '=', query.project);
  const state = query.state ?? 'open';
  if (state !== 'all') select = select.where('tracker_issues.state', '=', state);
  if (query.label) select = select.where(jsonListHas('tracker_issues.labels', query.label));
  if (query.assignee) select = select.where(jsonListHas('tracker_issues.assignees', query.assignee));

  let score = sql<number>`0`;
  if (text && dialect === 'postgres') {
    const tsquery = sql`websearch_to_tsquery('english', ${text})`;
    select = select.where(sql<SqlBool>`search_vector @@ ${tsquery}`);
    score = sql<number>`ts_rank(search_vector, ${tsquery})`;
  } else if (text) {
    const { include, exclude } = toFts5Query(text);
    if (!include && !exclude) return { items: [], nextCursor: null };
    if (include) {
      select = select.where(
        sql<SqlBool>`tracker_issues.doc_id in (select rowid from tracker_issues_fts where tracker_issues_fts match ${include})`,
      );
      // bm25 is smaller for better matches; negated so both dialects sort by a score, highest first. Titles weigh 10×.
      score = sql<number>`(select -bm25(tracker_issues_fts, 10.0, 1.0) from tracker_issues_fts where tracker_issues_fts match ${include} and rowid = tracker_issues.doc_id)`;
    }
    if (exclude)
      select = select.where(
        sql<SqlBool>`tracker_issues.doc_id not in (select rowid from tracker_issues_fts where tracker_issues_fts match ${exclude})`,
      );
  }

  const rows = select.selectAll('tracker_issues').select(score.as('score'));
  if (sortKey === 'relevance') {
    const offset = after ? Number(after.slice(2)) : 0;
    const found = await rows
      .orderBy('score', 'desc')
      .orderBy('tracker_issues.updated_at', 'desc')
      .orderBy('tracker_issues.id', 'desc')
      .limit(limit + 1)
      .offset(offset)
      .execute();
    const hasMore = found.length > limit;
    return {
      items: found.slice(0, limit).map(toStoredIssue),
      nextCursor: hasMore ? encodeCursor(`r:${offset + limit}`) : null,
    };
  }
  const column = sortKey === 'created' ? 'tracker_issues.created_at' : 'tracker_issues.updated_at';
  let keyed = rows;
  if (after) {
    const [, time, id] = after.match(/^[uc]:(\d+):(.+)$/) ?? [];
    if (time !== undefined && id !== undefined)
      keyed = keyed.where((eb) =>
        eb.or([eb(column, '<', Number(time)), eb.and([eb(column, '=', Number(time)), eb('tracker_issues.id', '<', id)])]),
      );
  }
  const found = await keyed
    .orderBy(column, 'desc')
    .orderBy('tracker_issues.id', 'desc')
    .limit(limit + 1)
    .execute();
  const hasMore = found.length > limit;
  const items = found.slice(0, limit);
  const last = items[items.length - 1];
  const prefix = sortKey === 'created' ? 'c' : 'u';
  return {
    items: items.map(toStoredIssue),
    nextCursor:
      hasMore && last ? encodeCursor(`${prefix}:${Number(sortKey === 'created' ? last.created_at : last.updated_at)}:${last.id}`) : null,
  };
}
