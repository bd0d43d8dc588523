import { sql, type Kysely, type SqlBool } from 'kysely';
import type { TrackerComment, TrackerIssue, TrackerPullRequest } from '../../contracts/tracker.js';
import { PreloopError } from '../../errors.js';
import { createId } from '../../ids.js';
import type { DialectName } from '../../storage/database.js';
import { searchIssues, type IssueQuery } from './issue-search.js';
import {
  toStoredComment,
  toStoredIssue,
  type IssueStoreTables,
  type StoredComment,
  type StoredIssue,
  type StoredIssueDetail,
  type StoredIssueKind,
} from './issue-tables.js';
import type { Page } from '../../pagination/cursor-pagination.js';

/** The connection an issue came through. */
export interface IssueSource {
  accountId: string;
  connectionId: string;
  /** The tracker's id (`github`, `gitlab`, `jira`). */
  tracker: string;
}

/** The unified issue store: upserts from sync and webhooks, reads and search for the admin API. */
export interface IssueStore {
  /**
   * Writes an issue or pull request; an older copy (smaller `updatedAt`) never
   * overwrites a newer one, so a late import page cannot undo a webhook.
   * Returns the stored item as it now stands. With `partial` (a webhook
   * event's incomplete item), empty fields keep what is stored.
   */
  upsert(
    source: IssueSource,
    item: TrackerIssue | TrackerPullRequest,
    kind?: StoredIssueKind,
    options?: { partial?: boolean },
  ): Promise<StoredIssue>;
  /** Writes a comment on a stored issue (newer wins, as for issues). */
  upsertComment(accountId: string, issueId: string, comment: TrackerComment): Promise<StoredComment>;
  /** Records that an issue's comments were read whole from the tracker. */
  markCommentsSynced(issueId: string, at: number): Promise<void>;
  /** One stored item with its comments and linked pull requests; `NOT_FOUND` (404) otherwise. */
  get(accountId: string, id: string): Promise<StoredIssueDetail>;
  /** The stored item for a tracker reference, or null. */
  find(connectionId: string, kind: StoredIssueKind, project: string, number: string): Promise<StoredIssue | null>;
  /** Filtered, sorted, paginated search (full-text on both dialects). */
  search(accountId: string, query: IssueQuery): Promise<Page<StoredIssue>>;
  /** Removes what the store holds of the account's connections that no longer exist (issues, comments, embeddings, sync state); answers how many issues went. */
  forgetRemovedConnections(accountId: string): Promise<number>;
}

/** Issue numbers a pull request refers to: `#12` (GitHub, GitLab) and `PROJ-12` (Jira). */
function linkedNumbers(text: string): string[] {
  const found = new Set<string>();
  for (const match of text.matchAll(/(?:^|[^\w/])#(\d{1,10})\b/g)) found.add(match[1]!);
  for (const match of text.matchAll(/\b([A-Z][A-Z0-9]{1,20}-\d{1,10})\b/g)) found.add(match[1]!);
  return [...found].slice(0, 50);
}

/**
 * A webhook event's partial item completed from the stored copy: its empty
 * fields (empty title or body, no labels or assignees, no author, no URL, no
 * times) mean "not sent" and keep the stored values.
 */
function completeFrom(item: TrackerIssue | TrackerPullRequest, stored: StoredIssue): TrackerIssue | TrackerPullRequest {
  const pull = 'sourceBranch' in item ? item : null;
  return {
    ...item,
    title: item.title || stored.title,
    body: item.body || stored.body,
    labels: item.labels?.length ? item.labels : stored.labels,
    assignees: item.assignees?.length ? item.assignees : stored.assignees,
    author: item.author ?? stored.author,
    url: item.url || stored.url,
    createdAt: item.createdAt || stored.createdAt,
    updatedAt: item.updatedAt || stored.updatedAt,
    ...(pull
      ? {
          sourceBranch: pull.sourceBranch || (stored.sourceBranch ?? ''),
          targetBranch: pull.targetBranch || (stored.targetBranch ?? ''),
          mergedAt: pull.mergedAt ?? stored.mergedAt,
        }
      : {}),
  } as TrackerIssue | TrackerPullRequest;
}

/** Escapes LIKE wildcards (the queries say `ESCAPE '\'`). */
export function escapeLike(value: string): string {
  return value.replace(/[\\%_]/g, (character) => `\\${character}`);
}

/**
 * Creates the issue store over the kernel's database.
 *
 * @example
 * ```ts
 * const store = createIssueStore({ db: preloop.db.withTables<IssueStoreTables>(), dialect: preloop.dialect });
 * await store.upsert({ accountId, connectionId, tracker: 'github' }, issue);
 * ```
 */
export function createIssueStore(options: {
  db: Kysely<IssueStoreTables>;
  dialect: DialectName;
  /** The clock. @default Date.now */
  now?: () => number;
}): IssueStore {
  const { db, dialect } = options;
  const now = options.now ?? Date.now;

  async function find(connectionId: string, kind: StoredIssueKind, project: string, number: string) {
    const row = await db
      .selectFrom('tracker_issues')
      .selectAll()
      .where('connection_id', '=', connectionId)
      .where('kind', '=', kind)
      .where('project', '=', project)
      .where('number', '=', number)
      .executeTakeFirst();
    return row ? toStoredIssue(row) : null;
  }

  return {
    async upsert(source, given, kind, upsertOptions = {}) {
      const itemKind: StoredIssueKind = kind ?? ('sourceBranch' in given ? 'pull_request' : 'issue');
      const stored = upsertOptions.partial ? await find(source.connectionId, itemKind, given.project, String(given.number)) : null;
      const item = stored ? completeFrom(given, stored) : given;
      const pull = itemKind === 'pull_request' ? (item as TrackerPullRequest) : null;
      const values = {
        id: createId('tis'),
        account_id: source.accountId,
        connection_id: source.connectionId,
        tracker: source.tracker,
        kind: itemKind,
        project: item.project,
        number: String(item.number),
        source_id: String(item.id),
        key: item.key,
        title: item.title,
        body: item.body ?? '',
        state: item.state,
        labels: JSON.stringify(item.labels ?? []),
        assignees: JSON.stringify(item.assignees ?? []),
        author: item.author ?? null,
        url: item.url,
        created_at: item.createdAt,
        updated_at: item.updatedAt,
        closed_at: item.closedAt ?? null,
        merged_at: pull?.mergedAt ?? null,
        source_branch: pull?.sourceBranch ?? null,
        target_branch: pull?.targetBranch ?? null,
        draft: pull?.draft ? 1 : 0,
        linked_numbers: JSON.stringify(pull ? linkedNumbers(`${item.title}\n${item.body ?? ''}`) : []),
        raw: JSON.stringify(item.raw ?? null),
        synced_at: now(),
      };
      const {
        id: _id,
        account_id: _account,
        connection_id: _connection,
        kind: _kind,
        project: _project,
        number: _number,
        raw: _raw,
        ...fields
      } = values;
      // A partial item's raw object is only what the event carried: the stored one is kept.
      const changed = stored ? fields : { ...fields, raw: values.raw };
      await db
        .insertInto('tracker_issues')
        .values(values)
        .onConflict((conflict) =>
          conflict
            .columns(['connection_id', 'kind', 'project', 'number'])
            .doUpdateSet(changed)
            .where('tracker_issues.updated_at', '<=', values.updated_at),
        )
        .execute();
      return (await find(source.connectionId, itemKind, values.project, values.number))!;
    },

    async upsertComment(accountId, issueId, comment) {
      const values = {
        id: createId('tic'),
        account_id: accountId,
        issue_id: issueId,
        source_id: String(comment.id),
        body: comment.body ?? '',
        author: comment.author ?? null,
        url: comment.url,
        created_at: comment.createdAt,
        updated_at: comment.updatedAt,
        raw: JSON.stringify(comment.raw ?? null),
      };
      const { id: _id, account_id: _account, issue_id: _issue, source_id: _source, ...changed } = values;
      await db
        .insertInto('tracker_issue_comments')
        .values(values)
        .onConflict((conflict) =>
          conflict
            .columns(['issue_id', 'source_id'])
            .doUpdateSet(changed)
            .where('tracker_issue_comments.updated_at', '<=', values.updated_at),
        )
        .execute();
      const row = await db
        .selectFrom('tracker_issue_comments')
        .selectAll()
        .where('issue_id', '=', issueId)
        .where('source_id', '=', values.source_id)
        .executeTakeFirstOrThrow();
      return toStoredComment(row);
    },

    async markCommentsSynced(issueId, at) {
      await db.updateTable('tracker_issues').set({ comments_synced_at: at }).where('id', '=', issueId).execute();
    },

    async get(accountId, id) {
      const row = await db
        .selectFrom('tracker_issues')
        .selectAll()
        .where('account_id', '=', accountId)
        .where('id', '=', id)
        .executeTakeFirst();
      if (!row) throw new PreloopError('NOT_FOUND', `No synced issue with id ${id}`);
      const comments = await db
        .selectFrom('tracker_issue_comments')
        .selectAll()
        .where('issue_id', '=', id)
        .orderBy('created_at', 'asc')
        .orderBy('id', 'asc')
        .execute();
      const linked =
        row.kind === 'issue'
          ? await db
              .selectFrom('tracker_issues')
              .selectAll()
              .where('connection_id', '=', row.connection_id)
              .where('project', '=', row.project)
              .where('kind', '=', 'pull_request')
              .where('linked_numbers', 'like', `%${escapeLike(JSON.stringify(row.number))}%`)
              .orderBy('updated_at', 'desc')
              .limit(50)
              .execute()
          : [];
      let raw: unknown = null;
      try {
        raw = JSON.parse(row.raw);
      } catch {
        raw = null;
      }
      return {
        ...toStoredIssue(row),
        comments: comments.map(toStoredComment),
        linkedPullRequests: linked.map(toStoredIssue),
        commentsSyncedAt: row.comments_synced_at === null ? null : Number(row.comments_synced_at),
        raw,
      };
    },

    find,

    search: (accountId, query) => searchIssues(db, dialect, accountId, query),

    async forgetRemovedConnections(accountId) {
      const removed = sql<SqlBool>`connection_id not in (select id from tracker_connections where account_id = ${accountId})`;
      await db
        .deleteFrom('tracker_issue_comments')
        .where('account_id', '=', accountId)
        .where('issue_id', 'in', db.selectFrom('tracker_issues').select('id').where('account_id', '=', accountId).where(removed))
        .execute();
      await db.deleteFrom('tracker_issue_embeddings').where('account_id', '=', accountId).where(removed).execute();
      await db.deleteFrom('tracker_sync_state').where('account_id', '=', accountId).where(removed).execute();
      const result = await db.deleteFrom('tracker_issues').where('account_id', '=', accountId).where(removed).executeTakeFirst();
      return Number(result.numDeletedRows);
    },
  };
}
