import type { Kysely } from 'kysely';
import type { KernelTables } from '../../storage/schema.js';
import { parseJsonColumn } from '../../storage/schema.js';

/**
 * Row types of the issue store's tables (migration `0011-tracker-issues`), as
 * Kysely sees them. Times are epoch milliseconds; JSON columns hold text.
 */
export type IssueStoreTables = {
  tracker_issues: {
    /** SQLite only: the FTS5 rowid. */
    doc_id?: number;
    id: string;
    account_id: string;
    connection_id: string;
    tracker: string;
    kind: string;
    project: string;
    number: string;
    source_id: string;
    key: string;
    title: string;
    body: string;
    state: string;
    labels: string;
    assignees: string;
    author: string | null;
    url: string;
    created_at: number;
    updated_at: number;
    closed_at: number | null;
    merged_at: number | null;
    source_branch: string | null;
    target_branch: string | null;
    draft: number;
    /** JSON list of the issue numbers a pull request's title or body refers to (`#12`, `PROJ-12`). */
    linked_numbers: string;
    raw: string;
    synced_at: number;
    comments_synced_at: number | null;
  };
  tracker_issue_comments: {
    id: string;
    account_id: string;
    issue_id: string;
    source_id: string;
    body: string;
    author: string | null;
    url: string;
    created_at: number;
    updated_at: number;
    raw: string;
  };
  tracker_sync_state: {
    connection_id: string;
    project: string;
    account_id: string;
    status: string;
    cursor: string | null;
    imported: number;
    started_at: number | null;
    finished_at: number | null;
    last_synced_at: number | null;
    retry_at: number | null;
    error: string | null;
    updated_at: number;
  };
  tracker_sync_leases: { name: string; holder: string; expires_at: number };
  tracker_issue_embeddings: {
    issue_id: string;
    account_id: string;
    connection_id: string;
    project: string;
    model: string;
    content_hash: string;
    vector: Uint8Array;
    created_at: number;
  };
};

/** Whether a stored item is an issue or a pull/merge request. */
export type StoredIssueKind = 'issue' | 'pull_request';

/** An issue or pull request as the issue store holds it (the tracker's own object is in {@link StoredIssueDetail.raw}). */
export interface StoredIssue {
  /** Our id (`tis_…`), stable across syncs. */
  id: string;
  connectionId: string;
  /** The tracker's id (`github`, `gitlab`, `jira`). */
  tracker: string;
  kind: StoredIssueKind;
  project: string;
  number: string;
  /** The tracker's own id. */
  sourceId: string;
  key: string;
  title: string;
  body: string;
  state: 'open' | 'closed' | 'merged';
  labels: string[];
  assignees: string[];
  author: string | null;
  url: string;
  createdAt: number;
  updatedAt: number;
  closedAt: number | null;
  mergedAt: number | null;
  draft: boolean;
  sourceBranch: string | null;
  targetBranch: string | null;
  /** When the store last wrote it. */
  syncedAt: number;
}

/** A stored comment. */
export interface StoredComment {
  id: string;
  issueId: string;
  sourceId: string;
  body: string;
  author: string | null;
  url: string;
  createdAt: number;
  updatedAt: number;
}

/** An issue with its comments, the pull requests that refer to it, and the tracker's object. */
export interface StoredIssueDetail extends StoredIssue {
  comments: StoredComment[];
  /** Pull requests in the same project whose title or body names this issue (`#12`, `Fixes #12`). */
  linkedPullRequests: StoredIssue[];
  /** When the comments were last read whole from the tracker (null: only those webhooks brought). */
  commentsSyncedAt: number | null;
  raw: unknown;
}

type IssueRow = IssueStoreTables['tracker_issues'];

/**
 * Maps a `tracker_issues` row to a {@link StoredIssue}.
 *
 * @example
 * ```ts
 * const issue = toStoredIssue(row);
 * ```
 */
export function toStoredIssue(row: Omit<IssueRow, 'raw' | 'linked_numbers'> & Partial<IssueRow>): StoredIssue {
  return {
    id: row.id,
    connectionId: row.connection_id,
    tracker: row.tracker,
    kind: row.kind as StoredIssueKind,
    project: row.project,
    number: row.number,
    sourceId: row.source_id,
    key: row.key,
    title: row.title,
    body: row.body,
    state: row.state as StoredIssue['state'],
    labels: parseJsonColumn<string[]>(row.labels, []),
    assignees: parseJsonColumn<string[]>(row.assignees, []),
    author: row.author,
    url: row.url,
    createdAt: Number(row.created_at),
    updatedAt: Number(row.updated_at),
    closedAt: row.closed_at === null ? null : Number(row.closed_at),
    mergedAt: row.merged_at === null ? null : Number(row.merged_at),
    draft: Number(row.draft) === 1,
    sourceBranch: row.source_branch,
    targetBranch: row.target_branch,
    syncedAt: Number(row.synced_at),
  };
}

/**
 * Maps a `tracker_issue_comments` row to a {@link StoredComment}.
 *
 * @example
 * ```ts
 * const comment = toStoredComment(row);
 * ```
 */
export function toStoredComment(row: IssueStoreTables['tracker_issue_comments']): StoredComment {
  return {
    id: row.id,
    issueId: row.issue_id,
    sourceId: row.source_id,
    body: row.body,
    author: row.author,
    url: row.url,
    createdAt: Number(row.created_at),
    updatedAt: Number(row.updated_at),
  };
}

/**
 * The kernel's database typed with the issue store's tables only (the store
 * never reads kernel tables; Kysely's `withTables` keeps both, which a
 * `Kysely<IssueStoreTables>` parameter does not accept).
 *
 * @example
 * ```ts
 * const store = createIssueStore({ db: issueTables(preloop.db), dialect: preloop.dialect });
 * ```
 */
export function issueTables(db: Kysely<KernelTables>): Kysely<IssueStoreTables> {
  return db.withTables<IssueStoreTables>() as unknown as Kysely<IssueStoreTables>;
}
