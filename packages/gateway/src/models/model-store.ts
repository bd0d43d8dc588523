/**
 * Model alias storage: CRUD (credentials go to the secret store and are never
 * returned), and `resolve`, the cached lookup the request path uses.
 *
 * @module
 */

import { createId, PreloopError, type AuditRecordInput, type Preloop } from '@preloop/core';
import { toStoreUnavailableError } from '@preloop/core/internal';
import type { Kysely } from 'kysely';
import type { AccountCache } from '@preloop/core/internal';
import type { GatewayModelRow, GatewayTables } from '../storage/gateway-tables.js';
import type { ModelPrices } from '../usage/model-prices.js';
import { findModelPrices } from '../usage/price-table.js';
import { managedSecretName, type ModelAlias, type ModelAliasInput, type ModelAliasUpdate, type ResolvedModel } from './model-alias.js';
import { requireProvider, type ProviderRegistry } from './provider-registry.js';

/** An account's aliases as cached for the request path. */
export interface CachedModels {
  rows: Map<string, GatewayModelRow>;
  resolved: Map<string, Promise<ResolvedModel>>;
}

/** Model alias CRUD and resolution. */
export interface ModelStore {
  list(accountId: string): Promise<ModelAlias[]>;
  get(accountId: string, alias: string): Promise<ModelAlias>;
  create(accountId: string, input: ModelAliasInput, actor: AuditRecordInput['actor']): Promise<ModelAlias>;
  update(accountId: string, alias: string, patch: ModelAliasUpdate, actor: AuditRecordInput['actor']): Promise<ModelAlias>;
  delete(accountId: string, alias: string, actor: AuditRecordInput['actor']): Promise<void>;
  /** The alias ready to call (cached), or null when the account has no such alias. */
  resolve(accountId: string, alias: string): Promise<ResolvedModel | null>;
  /** The aliases' names (cached), for the `models` endpoints. */
  names(accountId: string): Promise<Array<{ alias: string; provider: string; createdAt: number }>>;
}

/** Converts a row to a {@link ModelAlias}. */
export function toModelAlias(row: GatewayModelRow): ModelAlias {
  return {
    id: row.id,
    accountId: row.account_id,
    alias: row.alias,
    provider: row.provider,
    model: row.upstream_model,
    baseUrl: row.base_url,
    credentialSecret: row.credential_secret,
    hasCredential: row.credential_secret !== null,
    prices: row.prices === null ? null : (JSON.parse(row.prices) as ModelPrices),
    fallback: row.fallback,
    description: row.description,
    createdAt: Number(row.created_at),
    updatedAt: Number(row.updated_at),
  };
}

/** Loads an account's aliases for the cache. */
export async function loadCachedModels(db: Kysely<GatewayTables>, accountId: string): Promise<CachedModels> {
  const rows = await db.selectFrom('gateway_models').selectAll().where('account_id', '=', accountId).execute();
  return { rows: new Map(rows.map((row) => [row.alias, row])), resolved: new Map() };
}

/**
 * Creates the model store.
 *
 * @example
 * ```ts
 * const models = createModelStore(preloop, providers, cache, announce);
 * await models.create(accountId, { alias: 'fast', provider: 'openai', model: 'gpt-4.1-mini', apiKey: 'sk-…' }, actor);
 * ```
 */
export function createModelStore(
  preloop: Preloop,
  providers: ProviderRegistry,
  cache: AccountCache<CachedModels>,
  announce: (accountId: string) => Promise<void>,
): ModelStore {
  const db = preloop.db.withTables<GatewayTables>();
  const find = (accountId: string, alias: string) =>
    db.selectFrom('gateway_models').selectAll().where('account_id', '=', accountId).where('alias', '=', alias).executeTakeFirst();
  const audit = (accountId: string, actor: AuditRecordInput['actor'], action: string, alias: string, data: Record<string, unknown>) =>
    preloop.audit.record({ accountId, actor, action, target: { type: 'gateway_model', id: alias }, outcome: 'success', data });

  async function get(accountId: string, alias: string): Promise<ModelAlias> {
    const row = await find(accountId, alias);
    if (!row) throw new PreloopError('NOT_FOUND', `No model alias "${alias}".`);
    return toModelAlias(row);
  }

  async function credentialSecret(
    accountId: string,
    alias: string,
    input: { apiKey?: string; credentialSecret?: string | null },
    current: string | null,
  ): Promise<string | null> {
    if (input.apiKey !== undefined) {
      const name = managedSecretName(alias);
      await preloop.secrets.set(accountId, name, input.apiKey);
      return name;
    }
    if (input.credentialSecret === undefined) return current;
    if (input.credentialSecret === null) return null;
    if (!(await preloop.secrets.has(accountId, input.credentialSecret))) {
      throw new PreloopError('VALIDATION_ERROR', `credentialSecret: no secret named "${input.credentialSecret}".`, {
        details: { issues: [{ path: 'credentialSecret', message: 'no such secret' }] },
      });
    }
    return input.credentialSecret;
  }

  /** What an audit record may say about a change: never the key. */
  const described = (input: ModelAliasInput | ModelAliasUpdate) => {
    const { apiKey, ...rest } = input as ModelAliasInput;
    return { ...rest, ...(apiKey === undefined ? {} : { credentialChanged: true }) };
  };

  async function resolveRow(row: GatewayModelRow): Promise<ResolvedModel> {
    const provider = providers.get(row.provider);
    if (!provider) {
      throw new PreloopError(
        'CONFIGURATION_ERROR',
        `Model alias "${row.alias}" names provider "${row.provider}", which is not installed.`,
        { status: 503 },
      );
    }
    let credential: string | null = null;
    if (row.credential_secret !== null) {
      try {
        credential = await preloop.secrets.get(row.account_id, row.credential_secret);
      } catch (cause) {
        // The database is down: say so (503 naming it), not "cannot be read", which sends operators to the secret.
        const unavailable = toStoreUnavailableError(cause);
        if (unavailable) throw unavailable;
        preloop.logger.error('gateway: the credential of a model alias cannot be read', {
          alias: row.alias,
          secretName: row.credential_secret,
          error: cause,
        });
        throw new PreloopError('CONFIGURATION_ERROR', `The credential of model alias "${row.alias}" cannot be read.`, {
          status: 503,
          cause,
        });
      }
    }
    const configured = row.prices === null ? null : (JSON.parse(row.prices) as ModelPrices);
    const listed = configured ? null : findModelPrices(row.upstream_model);
    return {
      accountId: row.account_id,
      alias: row.alias,
      provider,
      upstreamModel: row.upstream_model,
      baseUrl: (row.base_url ?? provider.defaultBaseUrl).replace(/\/+$/, ''),
      credential,
      prices: configured ?? listed,
      costSource: configured ? 'alias_prices' : listed ? 'price_table' : 'unpriced',
      fallback: row.fallback,
    };
  }

  return {
    async list(accountId) {
      const rows = await db.selectFrom('gateway_models').selectAll().where('account_id', '=', accountId).orderBy('alias').execute();
      return rows.map(toModelAlias);
    },
    get,
    async create(accountId, input, actor) {
      requireProvider(providers, input.provider);
      if (await find(accountId, input.alias)) throw new PreloopError('CONFLICT', `A model alias "${input.alias}" already exists.`);
      const now = Date.now();
      const row: GatewayModelRow = {
        id: createId('mdl'),
        account_id: accountId,
        alias: input.alias,
        provider: input.provider,
        upstream_model: input.model,
        base_url: input.baseUrl ?? null,
        credential_secret: await credentialSecret(accountId, input.alias, input, null),
        prices: input.prices ? JSON.stringify(input.prices) : null,
        fallback: input.fallback ?? null,
        description: input.description ?? null,
        created_at: now,
        updated_at: now,
      };
      await db.insertInto('gateway_models').values(row).execute();
      await announce(accountId);
      await audit(accountId, actor, 'gateway.model.create', input.alias, described(input));
      return toModelAlias(row);
    },
    async update(accountId, alias, patch, actor) {
      const row = await find(accountId, alias);
      if (!row) throw new PreloopError('NOT_FOUND', `No model alias "${alias}".`);
      if (patch.provider !== undefined) requireProvider(providers, patch.provider);
      const changes: Partial<GatewayModelRow> = { updated_at: Date.now() };
      if (patch.provider !== undefined) changes.provider = patch.provider;
      if (patch.model !== undefined) changes.upstream_model = patch.model;
      if (patch.baseUrl !== undefined) changes.base_url = patch.baseUrl;
      if (patch.prices !== undefined) changes.prices = patch.prices === null ? null : JSON.stringify(patch.prices);
      if (patch.fallback !== undefined) changes.fallback = patch.fallback;
      if (patch.description !== undefined) changes.description = patch.description;
      changes.credential_secret = await credentialSecret(accountId, alias, patch, row.credential_secret);
      await db.updateTable('gateway_models').set(changes).where('id', '=', row.id).execute();
      if (row.credential_secret === managedSecretName(alias) && changes.credential_secret !== row.credential_secret) {
        await preloop.secrets.delete(accountId, row.credential_secret);
      }
      await announce(accountId);
      await audit(accountId, actor, 'gateway.model.update', alias, described(patch));
      return get(accountId, alias);
    },
    async delete(accountId, alias, actor) {
      const row = await find(accountId, alias);
      if (!row) throw new PreloopError('NOT_FOUND', `No model alias "${alias}".`);
      await db.deleteFrom('gateway_models').where('id', '=', row.id).execute();
      if (row.credential_secret === managedSecretName(alias)) await preloop.secrets.delete(accountId, row.credential_secret);
      await announce(accountId);
      await audit(accountId, actor, 'gateway.model.delete', alias, {});
    },
    async resolve(accountId, alias) {
      const cached = await cache.get(accountId);
      const row = cached.rows.get(alias);
      if (!row) return null;
      let resolved = cached.resolved.get(alias);
      if (!resolved) {
        resolved = resolveRow(row);
        cached.resolved.set(alias, resolved);
        resolved.catch(() => cached.resolved.delete(alias));
      }
      return resolved;
    },
    async names(accountId) {
      const cached = await cache.get(accountId);
      return [...cached.rows.values()].map((row) => ({ alias: row.alias, provider: row.provider, createdAt: Number(row.created_at) }));
    },
  };
}
