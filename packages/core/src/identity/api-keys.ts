import { PreloopError } from '../errors.js';
import { createId } from '../ids.js';
import type { Page } from '../api/respond.js';
import type { Selectable } from 'kysely';
import { parseJsonColumn, type KernelTables } from '../storage/schema.js';
import { apiKeyDisplayPrefix, generateApiKey, hashApiKey } from './api-key-format.js';
import { type IdentityActor, type IdentityContext, systemActor, toBoolean } from './identity-context.js';
import { decodeCursor, type ListOptions, pageLimit, toPage } from '../pagination/cursor-pagination.js';

/** Every scope an API key may carry. */
export const apiKeyScopes = ['mcp', 'gateway', 'admin:read', 'admin:write', 'metrics:read'] as const;

/** A scope: `mcp` (the MCP endpoint), `gateway` (the model gateway), `admin:read`, `admin:write` (the admin API), `metrics:read` (`GET /api/v1/metrics` only). */
export type ApiKeyScope = (typeof apiKeyScopes)[number];

/** The scopes a key bound to a managed agent may carry (agents do not administer Preloop). */
export const agentApiKeyScopes: readonly ApiKeyScope[] = ['mcp', 'gateway'];

/** An API key as the API shows it: never the key itself, never its hash. */
export interface ApiKey {
  id: string;
  accountId: string;
  name: string;
  /** The first characters of the key (`plk_` and 6 more), to recognize it in lists. */
  prefix: string;
  scopes: ApiKeyScope[];
  /** The user the key acts for: its role bounds the key; a disabled user's keys stop working. */
  userId: string | null;
  /** The managed agent the key belongs to, if bound: it then authenticates as that agent. */
  agentId: string | null;
  createdAt: number;
  expiresAt: number | null;
  revokedAt: number | null;
  /** When the key last authenticated, to the minute. */
  lastUsedAt: number | null;
}

/** What {@link ApiKeys.create} takes. */
export interface CreateApiKeyInput {
  name: string;
  /** @default ['mcp', 'gateway'] */
  scopes?: ApiKeyScope[];
  /** The user the key acts for. @default null (no admin API role) */
  userId?: string | null;
  /** Bind the key to a managed agent (it may then carry only `mcp` and `gateway`). @default null */
  agentId?: string | null;
  /** Expiry, epoch ms, in the future. @default null (no expiry) */
  expiresAt?: number | null;
}

/** A new key: its record, and the key itself, shown this once. */
export interface CreatedApiKey {
  apiKey: ApiKey;
  /** The plaintext key (`plk_…`); only its SHA-256 is stored. */
  key: string;
}

/** Filters of {@link ApiKeys.list}. */
export interface ApiKeyListOptions extends ListOptions {
  userId?: string;
  agentId?: string;
  /** true: only revoked keys; false: only unrevoked ones. @default both */
  revoked?: boolean;
}

/** API keys of an account: create (shown once), read, list, revoke. */
export interface ApiKeys {
  /** Creates a key and returns it once in clear. */
  create(accountId: string, input: CreateApiKeyInput, actor?: IdentityActor): Promise<CreatedApiKey>;
  /** The key record with `id`, or a 404. */
  get(accountId: string, id: string): Promise<ApiKey>;
  /** Key records of the account, newest first. */
  list(accountId: string, options?: ApiKeyListOptions): Promise<Page<ApiKey>>;
  /** Revokes a key: every instance refuses it within milliseconds. Revoking twice is harmless. */
  revoke(accountId: string, id: string, actor?: IdentityActor): Promise<ApiKey>;
}

/** An API key row without its hash (the columns `publicColumns` selects). */
type ApiKeyRow = Omit<Selectable<KernelTables['api_keys']>, 'key_hash'>;

const publicColumns = [
  'id',
  'account_id',
  'name',
  'prefix',
  'scopes',
  'user_id',
  'agent_id',
  'created_at',
  'expires_at',
  'revoked_at',
  'last_used_at',
] as const;

function nullableNumber(value: unknown): number | null {
  return value === null || value === undefined ? null : Number(value);
}

function toApiKey(row: ApiKeyRow): ApiKey {
  return {
    id: row.id,
    accountId: row.account_id,
    name: row.name,
    prefix: row.prefix,
    scopes: parseJsonColumn<ApiKeyScope[]>(row.scopes, []),
    userId: row.user_id,
    agentId: row.agent_id,
    createdAt: Number(row.created_at),
    expiresAt: nullableNumber(row.expires_at),
    revokedAt: nullableNumber(row.revoked_at),
    lastUsedAt: nullableNumber(row.last_used_at),
  };
}

function invalid(path: string, message: string): PreloopError {
  return new PreloopError('VALIDATION_ERROR', `${path}: ${message}`, { details: { issues: [{ path, message }] } });
}

/**
 * Validates and de-duplicates scopes; a key bound to an agent may only carry `mcp` and `gateway`.
 *
 * @example
 * ```ts
 * normalizeScopes(['mcp', 'mcp', 'gateway'], false); // ['mcp', 'gateway']
 * ```
 */
export function normalizeScopes(scopes: readonly string[], boundToAgent: boolean): ApiKeyScope[] {
  if (scopes.length === 0) throw invalid('scopes', 'must name at least one scope');
  const allowed: readonly string[] = boundToAgent ? agentApiKeyScopes : apiKeyScopes;
  scopes.forEach((scope, index) => {
    if (!allowed.includes(scope)) {
      throw invalid(
        `scopes[${index}]`,
        boundToAgent
          ? `a key bound to an agent may only carry ${agentApiKeyScopes.join(', ')}`
          : `must be one of ${apiKeyScopes.join(', ')}`,
      );
    }
  });
  return apiKeyScopes.filter((scope) => scopes.includes(scope));
}

/**
 * Creates the API key store over the identity context.
 *
 * @example
 * ```ts
 * const apiKeys = createApiKeys(context);
 * const { key } = await apiKeys.create('acc_default', { name: 'ci', scopes: ['mcp'], userId });
 * ```
 */
export function createApiKeys(context: IdentityContext): ApiKeys {
  const { db, events } = context;

  async function get(accountId: string, id: string): Promise<ApiKey> {
    const row = (await db
      .selectFrom('api_keys')
      .select(publicColumns)
      .where('account_id', '=', accountId)
      .where('id', '=', id)
      .executeTakeFirst()) as ApiKeyRow | undefined;
    if (!row) throw new PreloopError('NOT_FOUND', `No API key with id "${id}".`);
    return toApiKey(row);
  }

  return {
    get,

    async create(accountId, input, actor = systemActor) {
      const agentId = input.agentId ?? null;
      const userId = input.userId ?? null;
      const scopes = normalizeScopes(input.scopes ?? ['mcp', 'gateway'], agentId !== null);
      const now = Date.now();
      if (input.expiresAt !== undefined && input.expiresAt !== null && !(Number.isFinite(input.expiresAt) && input.expiresAt > now)) {
        throw invalid('expiresAt', 'must be a time in the future (epoch milliseconds)');
      }
      if (userId !== null) {
        const user = await db
          .selectFrom('users')
          .select(['id', 'disabled'])
          .where('account_id', '=', accountId)
          .where('id', '=', userId)
          .executeTakeFirst();
        if (!user) throw invalid('userId', `no user with id "${userId}"`);
        if (toBoolean(user.disabled)) throw invalid('userId', 'the user is disabled');
      }
      if (agentId !== null) {
        const agent = await db
          .selectFrom('agents')
          .select(['id', 'state'])
          .where('account_id', '=', accountId)
          .where('id', '=', agentId)
          .executeTakeFirst();
        if (!agent) throw invalid('agentId', `no agent with id "${agentId}"`);
        if (agent.state === 'decommissioned') throw invalid('agentId', 'the agent is decommissioned');
      }
      const key = generateApiKey();
      const row = {
        id: createId('key'),
        account_id: accountId,
        name: input.name.trim(),
        prefix: apiKeyDisplayPrefix(key),
        key_hash: hashApiKey(key),
        scopes: JSON.stringify(scopes),
        user_id: userId,
        agent_id: agentId,
        created_at: now,
        expires_at: input.expiresAt ?? null,
        revoked_at: null,
        last_used_at: null,
      };
      await db.insertInto('api_keys').values(row).execute();
      const { key_hash: _hash, ...publicRow } = row;
      const apiKey = toApiKey(publicRow);
      events.emit('api-key-changed', { accountId, apiKeyId: apiKey.id, change: 'created' });
      await context.record({
        accountId,
        actor,
        action: 'api-key.create',
        target: { type: 'api_key', id: apiKey.id },
        outcome: 'success',
        data: { name: apiKey.name, prefix: apiKey.prefix, scopes, userId, agentId, expiresAt: apiKey.expiresAt },
      });
      return { apiKey, key };
    },

    async list(accountId, options = {}) {
      const limit = pageLimit(options.limit);
      const before = decodeCursor(options.cursor);
      let query = db.selectFrom('api_keys').select(publicColumns).where('account_id', '=', accountId);
      if (before) query = query.where('id', '<', before);
      if (options.userId) query = query.where('user_id', '=', options.userId);
      if (options.agentId) query = query.where('agent_id', '=', options.agentId);
      if (options.revoked !== undefined) query = query.where('revoked_at', options.revoked ? 'is not' : 'is', null);
      const rows = (await query
        .orderBy('id', 'desc')
        .limit(limit + 1)
        .execute()) as ApiKeyRow[];
      return toPage(rows, limit, (row) => row.id, toApiKey);
    },

    async revoke(accountId, id, actor = systemActor) {
      const result = await db
        .updateTable('api_keys')
        .set({ revoked_at: Date.now() })
        .where('account_id', '=', accountId)
        .where('id', '=', id)
        .where('revoked_at', 'is', null)
        .executeTakeFirst();
      const apiKey = await get(accountId, id);
      await context.invalidate([id]);
      if (Number(result.numUpdatedRows) > 0) {
        events.emit('api-key-changed', { accountId, apiKeyId: id, change: 'revoked' });
        await context.record({
          accountId,
          actor,
          action: 'api-key.revoke',
          target: { type: 'api_key', id },
          outcome: 'success',
          data: { name: apiKey.name, prefix: apiKey.prefix },
        });
      }
      return apiKey;
    },
  };
}
