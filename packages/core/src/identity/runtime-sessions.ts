import { PreloopError } from '../errors.js';
import { createId } from '../ids.js';
import type { Page } from '../api/respond.js';
import type { Selectable } from 'kysely';
import { parseJsonColumn, type KernelTables } from '../storage/schema.js';
import { type IdentityActor, type IdentityContext, systemActor } from './identity-context.js';
import { decodeCursor, type ListOptions, pageLimit, toPage } from '../pagination/cursor-pagination.js';
import { type RuntimeAudience, type RuntimeCredential, type RuntimeCredentials, runtimeAudiences } from './runtime-credentials.js';

/** One agent run, from start to end, with its credential's audience. */
export interface RuntimeSession {
  id: string;
  accountId: string;
  /** The managed agent running, if any. */
  agentId: string | null;
  /** The API key that started the session, if any: revoking it ends the session's credential too. */
  apiKeyId: string | null;
  /** The user who started it (or owns the key that did), if any. */
  userId: string | null;
  name: string;
  /** Where it runs: for example `cli`, `ci`, `api`. */
  source: string;
  /** The runtime's own id for this run (a CI job id, a chat id). */
  externalId: string | null;
  metadata: Record<string, unknown>;
  audience: RuntimeAudience[];
  state: 'active' | 'ended';
  startedAt: number;
  lastHeartbeatAt: number;
  endedAt: number | null;
  endReason: string | null;
  /**
   * Set, for the rest of the session's life, once untrusted content entered
   * it (a result of a tool marked untrusted); policy reads it as
   * `session.tainted`. Null while the session is clean.
   */
  taint: RuntimeSessionTaint | null;
}

/** Why and since when a runtime session holds untrusted content. */
export interface RuntimeSessionTaint {
  /** Epoch ms of the first untrusted result. */
  at: number;
  /** For example `result of untrusted tool web.fetch`. */
  reason: string;
  /** The tool whose result tainted the session, if known. */
  source: string | null;
}

/** What {@link RuntimeSessions.taint} takes. */
export interface TaintRuntimeSessionInput {
  /** Why (up to 500 characters). */
  reason: string;
  /** The tool whose result brought the untrusted content. @default null */
  source?: string | null;
}

/** What {@link RuntimeSessions.start} takes. */
export interface StartRuntimeSessionInput {
  name: string;
  /** @default null */
  agentId?: string | null;
  /** @default null */
  apiKeyId?: string | null;
  /** @default null */
  userId?: string | null;
  /** @default 'api' */
  source?: string;
  /** @default null */
  externalId?: string | null;
  /** Free-form, up to 16 KB of JSON. @default {} */
  metadata?: Record<string, unknown>;
  /** @default ['mcp', 'gateway'] */
  audience?: RuntimeAudience[];
  /**
   * The credential's lifetime in seconds, when the run needs longer than the kernel's TTL and cannot take a
   * fresh credential (a child process's environment); clamped to [TTL, 24 h]. @default the kernel's TTL
   */
  credentialTtlSeconds?: number;
}

/** A started (or refreshed) session and its runtime credential. */
export interface StartedRuntimeSession {
  session: RuntimeSession;
  credential: RuntimeCredential;
}

/** Something that happened in a session (a tool call, a model call), as MCP and the gateway report it. */
export interface SessionActivityInput {
  /** For example `tool_call`, `model_call`, `approval`. */
  kind: string;
  /** For example `success`, `error`, `denied`, `pending`. */
  status: string;
  /** One line for the console (up to 1000 characters). */
  summary: string;
  /** Structured details (up to 32 KB of JSON; larger data is replaced by a note). @default {} */
  data?: Record<string, unknown>;
}

/** A stored activity entry. */
export interface SessionActivity extends Required<SessionActivityInput> {
  id: string;
  accountId: string;
  sessionId: string;
  time: number;
}

/** Filters of {@link RuntimeSessions.list}. */
export interface RuntimeSessionListOptions extends ListOptions {
  agentId?: string;
  apiKeyId?: string;
  userId?: string;
  source?: string;
  externalId?: string;
  state?: 'active' | 'ended';
}

/** Runtime sessions: start (with a credential), heartbeat (a fresh credential), end, read, and their activity. */
export interface RuntimeSessions {
  /** Starts a session and issues its credential. A suspended or decommissioned agent cannot start one (409). */
  start(accountId: string, input: StartRuntimeSessionInput, actor?: IdentityActor): Promise<StartedRuntimeSession>;
  /** Marks the session alive and issues a fresh credential; an ended session is a 410. */
  heartbeat(accountId: string, id: string, options?: { credentialTtlSeconds?: number }): Promise<StartedRuntimeSession>;
  /** Ends a session: its credential is refused on every instance at once. Ending twice is harmless. */
  end(accountId: string, id: string, reason?: string, actor?: IdentityActor): Promise<RuntimeSession>;
  /** The session with `id`, or a 404. */
  get(accountId: string, id: string): Promise<RuntimeSession>;
  /** Sessions of the account, newest first. */
  list(accountId: string, options?: RuntimeSessionListOptions): Promise<Page<RuntimeSession>>;
  /**
   * Marks the session tainted: untrusted content entered it. Sticky (a later
   * call changes nothing and returns `tainted: false` for "newly"); the first
   * taint is audited (`runtime-session.taint`). Stored in the database, so
   * every instance sees it.
   */
  taint(
    accountId: string,
    id: string,
    input: TaintRuntimeSessionInput,
    actor?: IdentityActor,
  ): Promise<{ session: RuntimeSession; tainted: boolean }>;
  /** Appends to a session's activity (MCP and the gateway call this). */
  recordActivity(sessionId: string, input: SessionActivityInput): Promise<SessionActivity>;
  /** A session's activity, oldest first. */
  listActivity(accountId: string, sessionId: string, options?: ListOptions): Promise<Page<SessionActivity>>;
}

type SessionRow = Selectable<KernelTables['runtime_sessions']>;

type ActivityRow = Selectable<KernelTables['runtime_session_activity']>;

const maxMetadataBytes = 16_384;
const maxActivityDataBytes = 32_768;

function toSession(row: SessionRow): RuntimeSession {
  return {
    id: row.id,
    accountId: row.account_id,
    agentId: row.agent_id,
    apiKeyId: row.api_key_id,
    userId: row.user_id,
    name: row.name,
    source: row.source,
    externalId: row.external_id,
    metadata: parseJsonColumn<Record<string, unknown>>(row.metadata, {}),
    audience: parseJsonColumn<RuntimeAudience[]>(row.audience, [...runtimeAudiences]),
    state: row.ended_at === null ? 'active' : 'ended',
    startedAt: Number(row.started_at),
    lastHeartbeatAt: Number(row.last_heartbeat_at),
    endedAt: row.ended_at === null ? null : Number(row.ended_at),
    endReason: row.end_reason,
    taint:
      row.tainted_at === null || row.tainted_at === undefined
        ? null
        : { at: Number(row.tainted_at), reason: row.taint_reason ?? 'untrusted content', source: row.taint_source ?? null },
  };
}

function toActivity(row: ActivityRow): SessionActivity {
  return {
    id: row.id,
    accountId: row.account_id,
    sessionId: row.session_id,
    time: Number(row.time),
    kind: row.kind,
    status: row.status,
    summary: row.summary,
    data: parseJsonColumn(row.data, {}),
  };
}

function invalid(path: string, message: string): PreloopError {
  return new PreloopError('VALIDATION_ERROR', `${path}: ${message}`, { details: { issues: [{ path, message }] } });
}

/**
 * Creates the runtime session store over the identity context.
 *
 * @example
 * ```ts
 * const sessions = createRuntimeSessions(context, credentials);
 * const { session, credential } = await sessions.start('acc_default', { agentId, name: 'fix flaky test', source: 'ci' });
 * await sessions.recordActivity(session.id, { kind: 'tool_call', status: 'success', summary: 'github.create_pr' });
 * ```
 */
export function createRuntimeSessions(context: IdentityContext, credentials: RuntimeCredentials): RuntimeSessions {
  const { db, events } = context;

  async function get(accountId: string, id: string): Promise<RuntimeSession> {
    const row = (await db
      .selectFrom('runtime_sessions')
      .selectAll()
      .where('account_id', '=', accountId)
      .where('id', '=', id)
      .executeTakeFirst()) as SessionRow | undefined;
    if (!row) throw new PreloopError('NOT_FOUND', `No runtime session with id "${id}".`);
    return toSession(row);
  }

  async function activeAgent(accountId: string, agentId: string, path: string): Promise<void> {
    const agent = await db
      .selectFrom('agents')
      .select(['state'])
      .where('account_id', '=', accountId)
      .where('id', '=', agentId)
      .executeTakeFirst();
    if (!agent) throw invalid(path, `no agent with id "${agentId}"`);
    if (agent.state !== 'active') throw new PreloopError('CONFLICT', `Agent "${agentId}" is ${agent.state}; it cannot run sessions.`);
  }

  function issue(session: RuntimeSession, ttlSeconds?: number): Promise<RuntimeCredential> {
    return credentials.issue({
      ...(ttlSeconds === undefined ? {} : { ttlSeconds }),
      accountId: session.accountId,
      sessionId: session.id,
      agentId: session.agentId,
      subject: session.agentId ?? session.apiKeyId ?? session.userId ?? session.id,
      audience: session.audience,
    });
  }

  return {
    get,

    async start(accountId, input, actor = systemActor) {
      const agentId = input.agentId ?? null;
      const apiKeyId = input.apiKeyId ?? null;
      if (agentId !== null) await activeAgent(accountId, agentId, 'agentId');
      if (apiKeyId !== null) {
        const key = await db
          .selectFrom('api_keys')
          .select('id')
          .where('account_id', '=', accountId)
          .where('id', '=', apiKeyId)
          .where('revoked_at', 'is', null)
          .executeTakeFirst();
        if (!key) throw invalid('apiKeyId', `no usable API key with id "${apiKeyId}"`);
      }
      const audience = [...new Set(input.audience ?? runtimeAudiences)];
      if (audience.length === 0 || audience.some((value) => !(runtimeAudiences as readonly string[]).includes(value))) {
        throw invalid('audience', `must be a non-empty list of ${runtimeAudiences.join(', ')}`);
      }
      const metadata = JSON.stringify(input.metadata ?? {});
      if (Buffer.byteLength(metadata) > maxMetadataBytes) throw invalid('metadata', `must be at most ${maxMetadataBytes} bytes of JSON`);
      const now = Date.now();
      const row: SessionRow = {
        id: createId('rs'),
        account_id: accountId,
        agent_id: agentId,
        api_key_id: apiKeyId,
        user_id: input.userId ?? null,
        name: input.name.trim(),
        source: input.source ?? 'api',
        external_id: input.externalId ?? null,
        metadata,
        audience: JSON.stringify(audience),
        started_at: now,
        last_heartbeat_at: now,
        ended_at: null,
        end_reason: null,
        tainted_at: null,
        taint_reason: null,
        taint_source: null,
      };
      await db.insertInto('runtime_sessions').values(row).execute();
      if (agentId) await db.updateTable('agents').set({ last_seen_at: now }).where('id', '=', agentId).execute();
      const session = toSession(row);
      events.emit('session-started', { accountId, sessionId: session.id, agentId });
      await context.record({
        accountId,
        actor,
        action: 'runtime-session.start',
        target: { type: 'runtime_session', id: session.id },
        runtimeSessionId: session.id,
        outcome: 'success',
        data: { name: session.name, source: session.source, agentId, apiKeyId, externalId: session.externalId, audience },
      });
      return { session, credential: await issue(session, input.credentialTtlSeconds) };
    },

    async heartbeat(accountId, id, options = {}) {
      const now = Date.now();
      const updated = await db
        .updateTable('runtime_sessions')
        .set({ last_heartbeat_at: now })
        .where('account_id', '=', accountId)
        .where('id', '=', id)
        .where('ended_at', 'is', null)
        .executeTakeFirst();
      const session = await get(accountId, id);
      if (Number(updated.numUpdatedRows) === 0) throw new PreloopError('GONE', `Runtime session "${id}" has ended.`);
      if (session.agentId) {
        await activeAgent(accountId, session.agentId, 'agentId');
        await db.updateTable('agents').set({ last_seen_at: now }).where('id', '=', session.agentId).execute();
      }
      return { session, credential: await issue(session, options.credentialTtlSeconds) };
    },

    async end(accountId, id, reason = 'ended', actor = systemActor) {
      const updated = await db
        .updateTable('runtime_sessions')
        .set({ ended_at: Date.now(), end_reason: reason })
        .where('account_id', '=', accountId)
        .where('id', '=', id)
        .where('ended_at', 'is', null)
        .executeTakeFirst();
      const session = await get(accountId, id);
      await context.invalidate([id]);
      if (Number(updated.numUpdatedRows) > 0) {
        events.emit('session-ended', { accountId, sessionId: id, reason });
        await context.record({
          accountId,
          actor,
          action: 'runtime-session.end',
          target: { type: 'runtime_session', id },
          runtimeSessionId: id,
          outcome: 'success',
          data: { reason },
        });
      }
      return session;
    },

    async taint(accountId, id, input, actor = systemActor) {
      const reason = String(input.reason).slice(0, 500);
      const source = input.source === undefined || input.source === null ? null : String(input.source).slice(0, 300);
      const updated = await db
        .updateTable('runtime_sessions')
        .set({ tainted_at: Date.now(), taint_reason: reason, taint_source: source })
        .where('account_id', '=', accountId)
        .where('id', '=', id)
        .where('tainted_at', 'is', null)
        .executeTakeFirst();
      const session = await get(accountId, id);
      const tainted = Number(updated.numUpdatedRows) > 0;
      if (tainted) {
        await context.record({
          accountId,
          actor,
          action: 'runtime-session.taint',
          target: { type: 'runtime_session', id },
          runtimeSessionId: id,
          outcome: 'success',
          data: { reason, source },
        });
      }
      return { session, tainted };
    },

    async list(accountId, options = {}) {
      const limit = pageLimit(options.limit);
      const before = decodeCursor(options.cursor);
      let query = db.selectFrom('runtime_sessions').selectAll().where('account_id', '=', accountId);
      if (before) query = query.where('id', '<', before);
      if (options.agentId) query = query.where('agent_id', '=', options.agentId);
      if (options.apiKeyId) query = query.where('api_key_id', '=', options.apiKeyId);
      if (options.userId) query = query.where('user_id', '=', options.userId);
      if (options.source) query = query.where('source', '=', options.source);
      if (options.externalId) query = query.where('external_id', '=', options.externalId);
      if (options.state) query = query.where('ended_at', options.state === 'active' ? 'is' : 'is not', null);
      const rows = (await query
        .orderBy('id', 'desc')
        .limit(limit + 1)
        .execute()) as SessionRow[];
      return toPage(rows, limit, (row) => row.id, toSession);
    },

    async recordActivity(sessionId, input) {
      const session = await db.selectFrom('runtime_sessions').select(['account_id']).where('id', '=', sessionId).executeTakeFirst();
      if (!session) throw new PreloopError('NOT_FOUND', `No runtime session with id "${sessionId}".`);
      let data = JSON.stringify(input.data ?? {});
      const bytes = Buffer.byteLength(data);
      if (bytes > maxActivityDataBytes) data = JSON.stringify({ truncated: true, bytes });
      const row: ActivityRow = {
        id: createId('act'),
        account_id: session.account_id,
        session_id: sessionId,
        time: Date.now(),
        kind: String(input.kind).slice(0, 100),
        status: String(input.status).slice(0, 100),
        summary: String(input.summary).slice(0, 1000),
        data,
      };
      await db.insertInto('runtime_session_activity').values(row).execute();
      events.emit('session-activity', { accountId: row.account_id, sessionId, kind: row.kind, status: row.status, summary: row.summary });
      return toActivity(row);
    },

    async listActivity(accountId, sessionId, options = {}) {
      await get(accountId, sessionId);
      const limit = pageLimit(options.limit);
      const after = decodeCursor(options.cursor);
      let query = db
        .selectFrom('runtime_session_activity')
        .selectAll()
        .where('account_id', '=', accountId)
        .where('session_id', '=', sessionId);
      if (after) query = query.where('id', '>', after);
      const rows = (await query
        .orderBy('id', 'asc')
        .limit(limit + 1)
        .execute()) as ActivityRow[];
      return toPage(rows, limit, (row) => row.id, toActivity);
    },
  };
}
