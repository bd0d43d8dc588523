import type { Kysely } from 'kysely';
import type {
  TrackerClient,
  TrackerEvent,
  TrackerIssue,
  TrackerListQuery,
  TrackerPage,
  TrackerPullRequest,
} from '../../contracts/tracker.js';
import { PreloopError, isPreloopError } from '../../errors.js';
import type { Bus } from '../../bus/bus.js';
import type { PreloopEvents } from '../../events/create-event-bus.js';
import type { PreloopEventMap } from '../../events/event-map.js';
import { createToken } from '../../ids.js';
import type { Logger } from '../../logger.js';
import type { IssueStore } from './issue-store.js';
import type { IssueStoreTables, StoredIssue, StoredIssueKind } from './issue-tables.js';
import { acquireSyncLease, releaseSyncLease } from './sync-lease.js';

/** The Bus channel on which the sync announces progress and written issues to every instance. */
export const issueSyncBusChannel = 'tracker-issues';

type SyncAnnouncement =
  | { name: 'tracker-sync-progress'; payload: PreloopEventMap['tracker-sync-progress'] }
  | { name: 'tracker-issue-synced'; payload: PreloopEventMap['tracker-issue-synced'] };

/** What the sync needs of the tracker connections (`preloop.trackers` has it). */
export interface IssueSyncConnections {
  get(accountId: string, id: string): Promise<{ id: string; accountId: string; tracker: string; settings: Record<string, unknown> }>;
  client(accountId: string, id: string): Promise<TrackerClient>;
  /** Calls `listener` when a connection of an account was created, changed or deleted (on any instance). */
  subscribe?(listener: (accountId: string) => void): () => void;
}

/**
 * What an import reads of a project, in order: its issues, then its pull/merge
 * requests when the tracker lists them (`pullRequests.list`). The stored cursor
 * of the second phase carries this prefix, so a resumed import knows its phase.
 */
const pullRequestCursorPrefix = 'pull_requests:';

/** One page of a project's issues or pull requests. */
function listPage(
  client: TrackerClient,
  kind: StoredIssueKind,
  query: TrackerListQuery,
): Promise<TrackerPage<TrackerIssue | TrackerPullRequest>> {
  return kind === 'issue' ? client.listIssues(query) : client.pullRequests!.list!(query);
}

/** The kinds a project's sync reads from `from` on: issues, then pull requests where the tracker lists them. */
function kindsOf(client: TrackerClient, from: StoredIssueKind = 'issue'): StoredIssueKind[] {
  const kinds: StoredIssueKind[] = typeof client.pullRequests?.list === 'function' ? ['issue', 'pull_request'] : ['issue'];
  return kinds.slice(Math.max(0, kinds.indexOf(from)));
}

/** Where one project's import stands. */
export interface ProjectSyncStatus {
  project: string;
  /** `importing`; `waiting` (rate limited until `retryAt`); `done` (imported, kept current by webhooks and reconciliation); `failed` (start again to resume). */
  status: 'importing' | 'waiting' | 'done' | 'failed';
  /** Items imported so far in this import. */
  imported: number;
  startedAt: number | null;
  finishedAt: number | null;
  /** Everything updated before this time is in the store (reconciliation reads from here, less a margin). */
  lastSyncedAt: number | null;
  retryAt: number | null;
  error: string | null;
}

/** A connection's sync: one entry per project. */
export interface SyncStatus {
  connectionId: string;
  /** True while an import of this connection runs on this instance. */
  running: boolean;
  projects: ProjectSyncStatus[];
}

/** Options of {@link createIssueSync}. */
export interface IssueSyncOptions {
  db: Kysely<IssueStoreTables>;
  store: IssueStore;
  connections: IssueSyncConnections;
  events: PreloopEvents;
  logger: Logger;
  /** The clock. @default Date.now */
  now?: () => number;
  /** Waits (tests pass a fake). @default setTimeout */
  sleep?: (ms: number, signal: AbortSignal) => Promise<void>;
  /** Items asked per page. @default 100 */
  pageSize?: number;
  /** Rate-limited answers retried in a row before the import stops as `failed` (resumable). @default 5 */
  maxRateLimitRetries?: number;
  /** Wait after a rate-limited answer without `retryAfterMs` (doubles each time), in ms. @default 1000 */
  backoffMs?: number;
  /** Longest single wait, in ms. @default 300000 */
  maxWaitMs?: number;
  /** Time between reconciliation passes, in ms; 0 turns the timer off (call `reconcile()`). @default 600000 */
  reconcileIntervalMs?: number;
  /** How far before the last sync a reconciliation reads again, in ms (clock skew, slow indexing at the tracker). @default 300000 */
  reconcileMarginMs?: number;
  /** Lease that keeps reconciliation (and one connection's import) on one instance, in ms. @default 120000 */
  leaseMs?: number;
  /** Carries `tracker-sync-progress` and `tracker-issue-synced` to every instance. @default none (emitted on this instance only) */
  bus?: Bus;
  /** Called after an item was written (duplicate detection indexes it). @default none */
  afterUpsert?: (issue: StoredIssue) => void;
}

/** The issue sync: imports, webhook upserts and reconciliation. */
export interface IssueSync {
  /**
   * Starts (or resumes, from each project's stored cursor) the import of a
   * connection's projects in the background; answers the status at once.
   * `projects` defaults to the connection's `settings.projects` when it is a
   * list, else every project the connection can list.
   */
  start(accountId: string, connectionId: string, projects?: string[]): Promise<SyncStatus>;
  /** The same import, awaited (tests, CLI). */
  run(accountId: string, connectionId: string, projects?: string[]): Promise<SyncStatus>;
  status(accountId: string, connectionId: string): Promise<SyncStatus>;
  /** Writes what a webhook event carries (issue, pull request, comment). */
  apply(event: TrackerEvent): Promise<void>;
  /** One reconciliation pass if this instance gets the lease: every imported project, from its last sync less the margin. */
  reconcile(): Promise<{ ran: boolean; upserted: number }>;
  close(): void;
}

const defaultSleep = (ms: number, signal: AbortSignal) =>
  new Promise<void>((resolve, reject) => {
    if (signal.aborted) return reject(signal.reason);
    const timer = setTimeout(resolve, ms);
    signal.addEventListener(
      'abort',
      () => {
        clearTimeout(timer);
        reject(signal.reason);
      },
      { once: true },
    );
  });

/**
 * Creates the issue sync over the issue store and the tracker connections.
 *
 * @example
 * ```ts
 * const sync = createIssueSync({ db, store, connections: preloop.trackers, events: preloop.events, logger: preloop.logger });
 * await sync.start(accountId, connectionId);
 * ```
 */
export function createIssueSync(options: IssueSyncOptions): IssueSync {
  const { db, store, connections, events, logger } = options;
  const now = options.now ?? Date.now;
  const sleep = options.sleep ?? defaultSleep;
  const pageSize = options.pageSize ?? 100;
  const leaseMs = options.leaseMs ?? 120_000;
  const marginMs = options.reconcileMarginMs ?? 300_000;
  const instanceId = createToken(12);
  const abort = new AbortController();
  const running = new Map<string, Promise<SyncStatus>>();

  /** Emits on every instance (through the Bus, when there is one), so a console on any instance follows the sync live. */
  function announce(message: SyncAnnouncement): void {
    if (!options.bus) {
      events.emit(message.name, message.payload as never);
      return;
    }
    options.bus.publish(issueSyncBusChannel, message).catch((error) => {
      logger.warn('trackers: could not announce a sync change on the Bus; emitting it here only', { error });
      events.emit(message.name, message.payload as never);
    });
  }
  const offBus = options.bus?.subscribe(issueSyncBusChannel, (payload) => {
    const message = payload as SyncAnnouncement | null;
    if (message?.name === 'tracker-sync-progress' || message?.name === 'tracker-issue-synced')
      events.emit(message.name, message.payload as never);
  });

  /** Calls the tracker, waiting out rate limits (`retryAfterMs`, else doubling backoff). */
  async function withRetries<T>(call: () => Promise<T>, onWait: (retryAt: number) => Promise<void>): Promise<T> {
    for (let attempt = 0; ; attempt++) {
      try {
        return await call();
      } catch (error) {
        if (!isPreloopError(error) || error.code !== 'TRACKER_RATE_LIMITED' || attempt >= (options.maxRateLimitRetries ?? 5)) throw error;
        const hinted = Number((error.details as { retryAfterMs?: unknown } | undefined)?.retryAfterMs);
        const wait = Math.min(
          options.maxWaitMs ?? 300_000,
          Number.isFinite(hinted) && hinted >= 0 ? hinted : (options.backoffMs ?? 1000) * 2 ** attempt,
        );
        await onWait(now() + wait);
        await sleep(wait, abort.signal);
      }
    }
  }

  async function readStatus(accountId: string, connectionId: string): Promise<SyncStatus> {
    const rows = await db
      .selectFrom('tracker_sync_state')
      .selectAll()
      .where('account_id', '=', accountId)
      .where('connection_id', '=', connectionId)
      .orderBy('project')
      .execute();
    return {
      connectionId,
      running: running.has(connectionId),
      projects: rows.map((row) => ({
        project: row.project,
        status: row.status as ProjectSyncStatus['status'],
        imported: Number(row.imported),
        startedAt: row.started_at === null ? null : Number(row.started_at),
        finishedAt: row.finished_at === null ? null : Number(row.finished_at),
        lastSyncedAt: row.last_synced_at === null ? null : Number(row.last_synced_at),
        retryAt: row.retry_at === null ? null : Number(row.retry_at),
        error: row.error,
      })),
    };
  }

  async function saveState(
    accountId: string,
    connectionId: string,
    project: string,
    change: Partial<Omit<IssueStoreTables['tracker_sync_state'], 'connection_id' | 'project' | 'account_id'>>,
  ) {
    const at = now();
    await db
      .insertInto('tracker_sync_state')
      .values({ connection_id: connectionId, project, account_id: accountId, status: 'importing', imported: 0, ...change, updated_at: at })
      .onConflict((conflict) => conflict.columns(['connection_id', 'project']).doUpdateSet({ ...change, updated_at: at }))
      .execute();
    if (change.status)
      announce({
        name: 'tracker-sync-progress',
        payload: {
          accountId,
          connectionId,
          project,
          status: change.status as ProjectSyncStatus['status'],
          imported: Number(change.imported ?? 0),
          error: change.error ?? null,
        },
      });
  }

  async function projectsOf(accountId: string, connectionId: string, client: TrackerClient, given?: string[]): Promise<string[]> {
    if (given?.length) return given;
    const connection = await connections.get(accountId, connectionId);
    const configured = connection.settings.projects;
    if (Array.isArray(configured) && configured.every((item) => typeof item === 'string') && configured.length) return configured;
    const keys: string[] = [];
    let cursor: string | undefined;
    do {
      const page = await withRetries(
        () => client.listProjects({ cursor, limit: pageSize }),
        async () => {},
      );
      keys.push(...page.items.map((project) => project.key));
      cursor = page.nextCursor ?? undefined;
    } while (cursor && keys.length < 1000);
    return keys;
  }

  async function upsertAll(
    accountId: string,
    connectionId: string,
    tracker: string,
    items: Array<TrackerIssue | TrackerPullRequest>,
    kind: StoredIssueKind,
  ) {
    for (const item of items) {
      const stored = await store.upsert({ accountId, connectionId, tracker }, item, kind);
      options.afterUpsert?.(stored);
    }
  }

  async function importProject(accountId: string, connectionId: string, tracker: string, client: TrackerClient, project: string) {
    const existing = await db
      .selectFrom('tracker_sync_state')
      .selectAll()
      .where('connection_id', '=', connectionId)
      .where('project', '=', project)
      .executeTakeFirst();
    // A finished project imports again from where it was synced (less the margin); an unfinished one resumes at its cursor.
    const resume = existing && existing.status !== 'done';
    let cursor = resume ? (existing.cursor ?? undefined) : undefined;
    let from: StoredIssueKind = 'issue';
    if (cursor?.startsWith(pullRequestCursorPrefix)) {
      from = 'pull_request';
      cursor = cursor.slice(pullRequestCursorPrefix.length) || undefined;
    }
    const storedCursor = (kind: StoredIssueKind, next: string | undefined) =>
      kind === 'issue' ? (next ?? null) : `${pullRequestCursorPrefix}${next ?? ''}`;
    let imported = resume ? Number(existing.imported) : 0;
    const startedAt = resume && existing.started_at !== null ? Number(existing.started_at) : now();
    const updatedSince = !resume && existing?.last_synced_at ? Number(existing.last_synced_at) - marginMs : undefined;
    await saveState(accountId, connectionId, project, {
      status: 'importing',
      imported,
      cursor: storedCursor(from, cursor),
      started_at: startedAt,
      finished_at: null,
      retry_at: null,
      error: null,
    });
    try {
      for (const kind of kindsOf(client, from)) {
        if (kind !== from) {
          cursor = undefined;
          await saveState(accountId, connectionId, project, { status: 'importing', cursor: storedCursor(kind, undefined), imported });
        }
        do {
          const page = await withRetries(
            () => listPage(client, kind, { project, cursor, limit: pageSize, ...(updatedSince !== undefined ? { updatedSince } : {}) }),
            (retryAt) => saveState(accountId, connectionId, project, { status: 'waiting', retry_at: retryAt, imported }),
          );
          await upsertAll(accountId, connectionId, tracker, page.items, kind);
          imported += page.items.length;
          cursor = page.nextCursor ?? undefined;
          await saveState(accountId, connectionId, project, {
            status: 'importing',
            cursor: storedCursor(kind, cursor),
            imported,
            retry_at: null,
          });
          await acquireSyncLease(db, `import:${connectionId}`, instanceId, now(), leaseMs);
        } while (cursor);
      }
      await saveState(accountId, connectionId, project, {
        status: 'done',
        imported,
        cursor: null,
        finished_at: now(),
        last_synced_at: startedAt,
        error: null,
      });
    } catch (error) {
      const message = isPreloopError(error) ? `${error.code}: ${error.message}` : 'the import failed (see the server log)';
      if (!isPreloopError(error)) logger.warn('trackers: an issue import failed', { error, connectionId, project });
      await saveState(accountId, connectionId, project, { status: 'failed', imported, retry_at: null, error: message });
      throw error;
    }
  }

  async function run(accountId: string, connectionId: string, projects?: string[]): Promise<SyncStatus> {
    const connection = await connections.get(accountId, connectionId);
    if (!(await acquireSyncLease(db, `import:${connectionId}`, instanceId, now(), leaseMs)))
      throw new PreloopError('CONFLICT', `Connection ${connectionId} is being imported by another instance.`);
    try {
      const client = await connections.client(accountId, connectionId);
      for (const project of await projectsOf(accountId, connectionId, client, projects))
        await importProject(accountId, connectionId, connection.tracker, client, project);
    } finally {
      await releaseSyncLease(db, `import:${connectionId}`, instanceId);
    }
    return readStatus(accountId, connectionId);
  }

  function track(accountId: string, connectionId: string, projects?: string[]): Promise<SyncStatus> {
    const current = running.get(connectionId);
    if (current) return current;
    const promise = run(accountId, connectionId, projects).finally(() => running.delete(connectionId));
    running.set(connectionId, promise);
    return promise;
  }

  async function reconcile(): Promise<{ ran: boolean; upserted: number }> {
    const startedAt = now();
    if (!(await acquireSyncLease(db, 'reconcile', instanceId, startedAt, leaseMs))) return { ran: false, upserted: 0 };
    let upserted = 0;
    try {
      const rows = await db.selectFrom('tracker_sync_state').selectAll().where('status', '=', 'done').execute();
      for (const row of rows) {
        if (abort.signal.aborted) break;
        try {
          const connection = await connections.get(row.account_id, row.connection_id);
          const client = await connections.client(row.account_id, row.connection_id);
          const updatedSince = Math.max(0, Number(row.last_synced_at ?? 0) - marginMs);
          for (const kind of kindsOf(client)) {
            let cursor: string | undefined;
            do {
              const page = await withRetries(
                () => listPage(client, kind, { project: row.project, updatedSince, cursor, limit: pageSize }),
                async () => {},
              );
              await upsertAll(row.account_id, row.connection_id, connection.tracker, page.items, kind);
              upserted += page.items.length;
              cursor = page.nextCursor ?? undefined;
              await acquireSyncLease(db, 'reconcile', instanceId, now(), leaseMs);
            } while (cursor);
          }
          await db
            .updateTable('tracker_sync_state')
            .set({ last_synced_at: startedAt, error: null, updated_at: now() })
            .where('connection_id', '=', row.connection_id)
            .where('project', '=', row.project)
            .execute();
        } catch (error) {
          const message = isPreloopError(error) ? `${error.code}: ${error.message}` : 'reconciliation failed (see the server log)';
          logger.warn('trackers: reconciliation of a project failed; next pass retries', {
            connectionId: row.connection_id,
            project: row.project,
            error,
          });
          await db
            .updateTable('tracker_sync_state')
            .set({ error: message, updated_at: now() })
            .where('connection_id', '=', row.connection_id)
            .where('project', '=', row.project)
            .execute();
        }
      }
    } finally {
      await releaseSyncLease(db, 'reconcile', instanceId);
    }
    return { ran: true, upserted };
  }

  /**
   * The whole item of an event whose item is partial, read through the
   * connection's client; null when the tracker cannot give it (the partial
   * item is then merged into the stored copy, never emptying a field).
   */
  async function refetch(event: TrackerEvent): Promise<TrackerIssue | TrackerPullRequest | null> {
    const item = event.pullRequest ?? event.issue;
    if (!item) return null;
    try {
      const client = await connections.client(event.accountId, event.connectionId);
      const ref = { project: item.project, number: item.number };
      if (event.pullRequest) return client.pullRequests ? await client.pullRequests.get(ref) : null;
      return await client.getIssue(ref);
    } catch (error) {
      logger.info("trackers: could not read a webhook event's whole issue from its tracker; merging what the event carried", {
        error,
        connectionId: event.connectionId,
        deliveryId: event.deliveryId,
      });
      return null;
    }
  }

  async function apply(event: TrackerEvent) {
    const source = { accountId: event.accountId, connectionId: event.connectionId, tracker: event.tracker };
    const kind: StoredIssueKind = event.pullRequest ? 'pull_request' : 'issue';
    const item = event.pullRequest ?? event.issue;
    let target: StoredIssue | null = null;
    if (item) {
      const whole = event.partial ? await refetch(event) : item;
      target = whole ? await store.upsert(source, whole, kind) : await store.upsert(source, item, kind, { partial: true });
    }
    if (target) {
      options.afterUpsert?.(target);
      if (event.comment) await store.upsertComment(event.accountId, target.id, event.comment);
      announce({
        name: 'tracker-issue-synced',
        payload: { accountId: event.accountId, connectionId: event.connectionId, issueId: target.id, kind: target.kind },
      });
    }
  }

  const onEvent = (event: TrackerEvent) => {
    apply(event).catch((error) =>
      logger.warn('trackers: could not store a webhook event; reconciliation will pick the change up', {
        error,
        connectionId: event.connectionId,
        deliveryId: event.deliveryId,
      }),
    );
  };
  events.on('tracker-event', onEvent);
  const intervalMs = options.reconcileIntervalMs ?? 600_000;
  const timer =
    intervalMs > 0
      ? setInterval(() => {
          reconcile().catch((error) => logger.warn('trackers: a reconciliation pass failed', { error }));
        }, intervalMs)
      : null;
  timer?.unref?.();

  return {
    async start(accountId, connectionId, projects) {
      await connections.get(accountId, connectionId);
      // Another instance importing this connection is a 409 here, not a failure found later in the log.
      if (!running.has(connectionId) && !(await acquireSyncLease(db, `import:${connectionId}`, instanceId, now(), leaseMs)))
        throw new PreloopError('CONFLICT', `Connection ${connectionId} is being imported by another instance.`);
      track(accountId, connectionId, projects).catch((error) => {
        if (!abort.signal.aborted) logger.info('trackers: an import stopped; start it again to resume', { connectionId, error });
      });
      // Let the import write its first state before answering.
      await new Promise((resolve) => setImmediate(resolve));
      return readStatus(accountId, connectionId);
    },
    run: track,
    status: readStatus,
    apply,
    reconcile,
    close() {
      offBus?.();
      events.off('tracker-event', onEvent);
      if (timer) clearInterval(timer);
      abort.abort(new PreloopError('UNAVAILABLE', 'The issue sync is closing.', { status: 503 }));
    },
  };
}
