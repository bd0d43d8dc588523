import type { Kysely } from 'kysely';
import type { AuditTrail } from '../../audit/audit-trail.js';
import type { Bus } from '../../bus/bus.js';
import { isPreloopError } from '../../errors.js';
import type { PreloopEvents } from '../../events/create-event-bus.js';
import type { Identity } from '../../identity/create-identity.js';
import type { Principal } from '../../identity/principal.js';
import type { Logger } from '../../logger.js';
import type { TrackerClient } from '../../contracts/tracker.js';
import { createIssueSimilarity, type IssueSimilarity, type IssueSimilarityOptions } from './issue-similarity.js';
import { createIssueStore, type IssueStore } from './issue-store.js';
import { createIssueSync, type IssueSync, type IssueSyncConnections, type IssueSyncOptions } from './issue-sync.js';
import type { IssueStoreTables, StoredComment, StoredIssue, StoredIssueDetail } from './issue-tables.js';

/** Options of the issue store's sync (`createPreloop({ issues })`); all optional. */
export type IssuesOptions = Pick<
  IssueSyncOptions,
  'pageSize' | 'maxRateLimitRetries' | 'backoffMs' | 'maxWaitMs' | 'reconcileIntervalMs' | 'reconcileMarginMs' | 'leaseMs' | 'now' | 'sleep'
>;

/** A new issue from the console or the API. */
export interface CreateStoredIssueInput {
  connectionId: string;
  project: string;
  title: string;
  body?: string;
  labels?: string[];
  assignees?: string[];
}

/** The unified issues (`preloop.issues`): the store, its sync, duplicate detection, and writes through a connection. */
export interface Issues {
  readonly store: IssueStore;
  readonly sync: IssueSync;
  readonly similarity: IssueSimilarity;
  /** One stored issue with its comments (read from the tracker the first time) and linked pull requests. */
  get(accountId: string, id: string): Promise<StoredIssueDetail>;
  /** Creates the issue through the console user's own credential where linked (else the connection's), stores it, and audits it as `principal` with `credentialSource: 'user' | 'connection'`. */
  create(principal: Principal, input: CreateStoredIssueInput): Promise<StoredIssue>;
  /** Comments as the console user where they linked a credential (else through the connection), stores the comment, and audits it as `principal` with `credentialSource`. */
  comment(principal: Principal, issueId: string, body: string): Promise<StoredComment>;
  close(): void;
}

/**
 * Creates the unified issues over the kernel's database and tracker connections.
 *
 * @example
 * ```ts
 * const issues = createIssues({ db, dialect, connections: trackers, events, audit, identity, logger });
 * const page = await issues.store.search(accountId, { text: 'login crash' });
 * ```
 */
export function createIssues(context: {
  db: Kysely<IssueStoreTables>;
  dialect: 'sqlite' | 'postgres';
  connections: IssueSyncConnections & {
    /** Users' own credentials: console create and comment write through the signed-in user's client where one is linked. @default none (always the connection's) */
    userCredentials?: { client(accountId: string, connectionId: string, userId: string): Promise<TrackerClient | null> };
  };
  events: PreloopEvents;
  /** Carries the sync's progress and written issues to every instance. @default none (this instance only) */
  bus?: Bus;
  audit: AuditTrail;
  identity: Identity;
  logger: Logger;
  options?: IssuesOptions;
  /** Duplicate detection's embeddings model. @default null (none: `similar` answers `available: false`) */
  similarity?: IssueSimilarityOptions | null;
}): Issues {
  const { db, connections, audit } = context;
  const store = createIssueStore({ db, dialect: context.dialect, now: context.options?.now });
  const sync = createIssueSync({
    ...context.options,
    db,
    store,
    connections,
    events: context.events,
    logger: context.logger,
    ...(context.bus ? { bus: context.bus } : {}),
  });
  const similarity = createIssueSimilarity({
    db,
    store,
    identity: context.identity,
    logger: context.logger,
    options: context.similarity ?? null,
    now: context.options?.now,
  });
  // A disconnected tracker's issues leave the unified view (on every instance; the Bus tells them).
  const unsubscribe = connections.subscribe?.((accountId) => {
    store
      .forgetRemovedConnections(accountId)
      .catch((error) =>
        context.logger.warn('trackers: could not remove the issues of a deleted connection; the next change retries', { error }),
      );
  });

  // A console user acting in person writes as themself where they linked a credential;
  // API keys, agents and the MCP tools always write through the connection.
  async function clientFor(
    principal: Principal,
    connectionId: string,
  ): Promise<{ client: TrackerClient; credential: 'user' | 'connection' }> {
    if (principal.type === 'user' && principal.userId && connections.userCredentials) {
      const own = await connections.userCredentials.client(principal.accountId, connectionId, principal.userId);
      if (own) return { client: own, credential: 'user' };
    }
    return { client: await connections.client(principal.accountId, connectionId), credential: 'connection' };
  }

  async function audited<T>(
    principal: Principal,
    action: string,
    data: Record<string, unknown>,
    run: (data: Record<string, unknown>) => Promise<T & { id: string }>,
  ) {
    try {
      const result = await run(data);
      await audit.record({ actor: principal, action, target: { type: 'tracker_issue', id: result.id }, outcome: 'success', data });
      return result;
    } catch (error) {
      await audit.record({
        actor: principal,
        action,
        target: { type: 'tracker_connection', id: String(data.connectionId) },
        outcome: 'failure',
        data: { ...data, error: isPreloopError(error) ? error.code : 'INTERNAL_ERROR' },
      });
      throw error;
    }
  }

  return {
    store,
    sync,
    similarity,
    async get(accountId, id) {
      const detail = await store.get(accountId, id);
      if (detail.commentsSyncedAt !== null) return detail;
      try {
        const client = await connections.client(accountId, detail.connectionId);
        let cursor: string | undefined;
        let read = 0;
        do {
          const page = await client.listComments({ project: detail.project, number: detail.number }, { cursor, limit: 100 });
          for (const comment of page.items) await store.upsertComment(accountId, id, comment);
          read += page.items.length;
          cursor = page.nextCursor ?? undefined;
        } while (cursor && read < 1000);
        await store.markCommentsSynced(id, Date.now());
        return await store.get(accountId, id);
      } catch (error) {
        context.logger.info("trackers: could not read an issue's comments from its tracker; answering the stored ones", {
          error,
          issueId: id,
        });
        return detail;
      }
    },
    create(principal, input) {
      const data = { connectionId: input.connectionId, project: input.project, title: input.title };
      return audited(principal, 'tracker.issue.create', data, async (audit) => {
        const connection = await connections.get(principal.accountId, input.connectionId);
        const { client, credential } = await clientFor(principal, input.connectionId);
        audit.credentialSource = credential;
        const created = await client.createIssue({
          project: input.project,
          title: input.title,
          ...(input.body !== undefined ? { body: input.body } : {}),
          ...(input.labels ? { labels: input.labels } : {}),
          ...(input.assignees ? { assignees: input.assignees } : {}),
        });
        return store.upsert({ accountId: principal.accountId, connectionId: connection.id, tracker: connection.tracker }, created, 'issue');
      });
    },
    async comment(principal, issueId, body) {
      const issue = await store.get(principal.accountId, issueId);
      const data = { connectionId: issue.connectionId, project: issue.project, issue: issue.key };
      return audited(principal, 'tracker.comment.create', data, async (audit) => {
        const { client, credential } = await clientFor(principal, issue.connectionId);
        audit.credentialSource = credential;
        const comment = await client.addComment({ project: issue.project, number: issue.number }, body);
        return store.upsertComment(principal.accountId, issueId, comment);
      });
    },
    close() {
      unsubscribe?.();
      sync.close();
    },
  };
}
