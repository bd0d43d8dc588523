import { sql, type Selectable } from 'kysely';
import { PreloopError } from '../errors.js';
import { createId } from '../ids.js';
import type { Page } from '../api/respond.js';
import { parseJsonColumn, type KernelTables } from '../storage/schema.js';
import { type IdentityActor, type IdentityContext, systemActor } from './identity-context.js';
import { decodeCursor, type ListOptions, pageLimit, toPage } from '../pagination/cursor-pagination.js';

/** Lifecycle states of a managed agent. `decommissioned` is final. */
export const agentStates = ['active', 'suspended', 'decommissioned'] as const;

/** A managed agent's lifecycle state. */
export type AgentState = (typeof agentStates)[number];

/** A managed agent: an enrolled coding agent or bot whose keys and runtime sessions Preloop governs. */
export interface Agent {
  id: string;
  accountId: string;
  name: string;
  /** What runs: for example `claude_code`, `codex`, `custom`. */
  kind: string;
  state: AgentState;
  /** Why it was last suspended or decommissioned. */
  stateReason: string | null;
  tags: string[];
  /** The user responsible for the agent. */
  ownerUserId: string | null;
  createdAt: number;
  updatedAt: number;
  /** Last runtime-session start or heartbeat. */
  lastSeenAt: number | null;
}

/** What {@link Agents.enroll} takes. */
export interface EnrollAgentInput {
  name: string;
  kind: string;
  /** @default [] */
  tags?: string[];
  /** @default null */
  ownerUserId?: string | null;
}

/** Filters of {@link Agents.list}. */
export interface AgentListOptions extends ListOptions {
  state?: AgentState;
  kind?: string;
  /** Only agents carrying this tag. */
  tag?: string;
}

/** Managed agents: enroll, read, list, suspend, resume, decommission. */
export interface Agents {
  /** Enrolls an agent, active at once. */
  enroll(accountId: string, input: EnrollAgentInput, actor?: IdentityActor): Promise<Agent>;
  /** The agent with `id`, or a 404. */
  get(accountId: string, id: string): Promise<Agent>;
  /** Agents of the account, newest first. */
  list(accountId: string, options?: AgentListOptions): Promise<Page<Agent>>;
  /** Suspends an active agent: its keys and runtime credentials are refused until it resumes. */
  suspend(accountId: string, id: string, reason?: string | null, actor?: IdentityActor): Promise<Agent>;
  /** Resumes a suspended agent. */
  resume(accountId: string, id: string, actor?: IdentityActor): Promise<Agent>;
  /** Decommissions an agent for good: revokes its keys and ends its runtime sessions. */
  decommission(accountId: string, id: string, reason?: string | null, actor?: IdentityActor): Promise<Agent>;
  /** Records that the agent was seen now (session start or heartbeat). */
  touch(accountId: string, id: string): Promise<void>;
}

type AgentRow = Selectable<KernelTables['agents']>;

function toAgent(row: AgentRow): Agent {
  return {
    id: row.id,
    accountId: row.account_id,
    name: row.name,
    kind: row.kind,
    state: row.state as AgentState,
    stateReason: row.state_reason,
    tags: parseJsonColumn<string[]>(row.tags, []),
    ownerUserId: row.owner_user_id,
    createdAt: Number(row.created_at),
    updatedAt: Number(row.updated_at),
    lastSeenAt: row.last_seen_at === null ? null : Number(row.last_seen_at),
  };
}

const transitions = {
  suspend: { from: ['active'], to: 'suspended', action: 'agent.suspend' },
  resume: { from: ['suspended'], to: 'active', action: 'agent.resume' },
  decommission: { from: ['active', 'suspended'], to: 'decommissioned', action: 'agent.decommission' },
} as const;

/**
 * Creates the managed-agent store over the identity context.
 *
 * @example
 * ```ts
 * const agents = createAgents(context);
 * const agent = await agents.enroll('acc_default', { name: 'reviewer', kind: 'claude_code', tags: ['ci'] });
 * await agents.suspend('acc_default', agent.id, 'investigating');
 * ```
 */
export function createAgents(context: IdentityContext): Agents {
  const { db, dialect, events } = context;

  async function get(accountId: string, id: string): Promise<Agent> {
    const row = (await db.selectFrom('agents').selectAll().where('account_id', '=', accountId).where('id', '=', id).executeTakeFirst()) as
      | AgentRow
      | undefined;
    if (!row) throw new PreloopError('NOT_FOUND', `No agent with id "${id}".`);
    return toAgent(row);
  }

  async function transition(
    accountId: string,
    id: string,
    name: keyof typeof transitions,
    reason: string | null,
    actor: IdentityActor,
  ): Promise<Agent> {
    const { from, to, action } = transitions[name];
    const now = Date.now();
    const outcome = await db.transaction().execute(async (trx) => {
      const updated = await trx
        .updateTable('agents')
        .set({ state: to, state_reason: name === 'resume' ? null : reason, updated_at: now })
        .where('account_id', '=', accountId)
        .where('id', '=', id)
        .where('state', 'in', [...from])
        .executeTakeFirst();
      if (Number(updated.numUpdatedRows) === 0) return null;
      if (name !== 'decommission') return { keyIds: [] as string[], sessionIds: [] as string[] };
      const keys = await trx.selectFrom('api_keys').select('id').where('agent_id', '=', id).where('revoked_at', 'is', null).execute();
      const sessions = await trx
        .selectFrom('runtime_sessions')
        .select('id')
        .where('agent_id', '=', id)
        .where('ended_at', 'is', null)
        .execute();
      await trx.updateTable('api_keys').set({ revoked_at: now }).where('agent_id', '=', id).where('revoked_at', 'is', null).execute();
      await trx
        .updateTable('runtime_sessions')
        .set({ ended_at: now, end_reason: 'agent_decommissioned' })
        .where('agent_id', '=', id)
        .where('ended_at', 'is', null)
        .execute();
      return { keyIds: keys.map((key) => key.id), sessionIds: sessions.map((session) => session.id) };
    });
    const agent = await get(accountId, id);
    if (outcome === null) {
      if (agent.state === to) return agent; // already there: nothing to do
      throw new PreloopError('CONFLICT', `Agent "${id}" is ${agent.state}; it cannot ${name}.`);
    }
    await context.invalidate([id, ...outcome.keyIds, ...outcome.sessionIds]);
    events.emit('agent-changed', { accountId, agentId: id, state: agent.state });
    for (const apiKeyId of outcome.keyIds) events.emit('api-key-changed', { accountId, apiKeyId, change: 'revoked' });
    for (const sessionId of outcome.sessionIds) events.emit('session-ended', { accountId, sessionId, reason: 'agent_decommissioned' });
    await context.record({
      accountId,
      actor,
      action,
      target: { type: 'agent', id },
      outcome: 'success',
      data: {
        state: agent.state,
        ...(reason ? { reason } : {}),
        ...(name === 'decommission' ? { revokedApiKeyIds: outcome.keyIds, endedSessionIds: outcome.sessionIds } : {}),
      },
    });
    return agent;
  }

  return {
    get,

    async enroll(accountId, input, actor = systemActor) {
      const ownerUserId = input.ownerUserId ?? null;
      if (ownerUserId !== null) {
        const owner = await db
          .selectFrom('users')
          .select('id')
          .where('account_id', '=', accountId)
          .where('id', '=', ownerUserId)
          .executeTakeFirst();
        if (!owner)
          throw new PreloopError('VALIDATION_ERROR', `ownerUserId: no user with id "${ownerUserId}"`, {
            details: { issues: [{ path: 'ownerUserId', message: `no user with id "${ownerUserId}"` }] },
          });
      }
      const now = Date.now();
      const row: AgentRow = {
        id: createId('agt'),
        account_id: accountId,
        name: input.name.trim(),
        kind: input.kind,
        state: 'active',
        state_reason: null,
        tags: JSON.stringify([...new Set(input.tags ?? [])]),
        owner_user_id: ownerUserId,
        created_at: now,
        updated_at: now,
        last_seen_at: null,
      };
      await db.insertInto('agents').values(row).execute();
      const agent = toAgent(row);
      events.emit('agent-changed', { accountId, agentId: agent.id, state: agent.state });
      await context.record({
        accountId,
        actor,
        action: 'agent.enroll',
        target: { type: 'agent', id: agent.id },
        outcome: 'success',
        data: { name: agent.name, kind: agent.kind, tags: agent.tags, ownerUserId },
      });
      return agent;
    },

    async list(accountId, options = {}) {
      const limit = pageLimit(options.limit);
      const before = decodeCursor(options.cursor);
      let query = db.selectFrom('agents').selectAll().where('account_id', '=', accountId);
      if (before) query = query.where('id', '<', before);
      if (options.state) query = query.where('state', '=', options.state);
      if (options.kind) query = query.where('kind', '=', options.kind);
      if (options.tag !== undefined) {
        const tag = options.tag;
        query = query.where(
          dialect === 'postgres'
            ? sql<boolean>`(tags::jsonb) ? ${tag}`
            : sql<boolean>`exists (select 1 from json_each(agents.tags) where json_each.value = ${tag})`,
        );
      }
      const rows = (await query
        .orderBy('id', 'desc')
        .limit(limit + 1)
        .execute()) as AgentRow[];
      return toPage(rows, limit, (row) => row.id, toAgent);
    },

    suspend: (accountId, id, reason = null, actor = systemActor) => transition(accountId, id, 'suspend', reason, actor),
    resume: (accountId, id, actor = systemActor) => transition(accountId, id, 'resume', null, actor),
    decommission: (accountId, id, reason = null, actor = systemActor) => transition(accountId, id, 'decommission', reason, actor),

    async touch(accountId, id) {
      await db.updateTable('agents').set({ last_seen_at: Date.now() }).where('account_id', '=', accountId).where('id', '=', id).execute();
    },
  };
}
