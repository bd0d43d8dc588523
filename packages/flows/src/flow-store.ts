import { createId, PreloopError, type Preloop } from '@preloop/core';
import type { Kysely, Selectable } from 'kysely';
import type { z } from 'zod';
import { compileEventCondition } from './event-filter.js';
import type { createFlowBodySchema, FlowDefinition } from './flow-schema.js';
import { flowDefinitionSchema } from './flow-schema.js';
import type { FlowRow, FlowTables } from './tables.js';
import { checkTemplate } from './templates.js';

/** A stored flow, as the admin API shows it. */
export interface Flow extends FlowDefinition {
  id: string;
  name: string;
  description: string;
  enabled: boolean;
  /** The managed agent its runs are attributed to. */
  agentId: string | null;
  /** Counts up on every update. */
  version: number;
  createdAt: number;
  updatedAt: number;
}

/** What creating or replacing a flow takes (after the schema's defaults). */
export type FlowInput = z.output<typeof createFlowBodySchema>;

/** The secret-store name of a flow's webhook secret. */
export function webhookSecretName(flowId: string): string {
  return `flows/${flowId}/webhook`;
}

/** Turns a stored row into a {@link Flow}. */
export function toFlow(row: Selectable<FlowRow>): Flow {
  const definition = flowDefinitionSchema.parse(JSON.parse(row.definition));
  return {
    id: row.id,
    name: row.name,
    description: row.description,
    enabled: Number(row.enabled) === 1,
    agentId: row.agent_id,
    version: Number(row.version),
    createdAt: Number(row.created_at),
    updatedAt: Number(row.updated_at),
    ...definition,
  };
}

/** Splits input into the stored definition, checking what zod cannot (runtime, template, conditions). */
function definitionOf(input: FlowInput, runtimeProblems: (id: string, options: Record<string, unknown>) => string[]): FlowDefinition {
  const { name: _name, description: _description, enabled: _enabled, ...rest } = input;
  const definition = flowDefinitionSchema.parse(rest);
  checkTemplate(definition.prompt, 'prompt');
  definition.triggers.forEach((trigger, index) => {
    if (trigger.type === 'event' && trigger.condition) compileEventCondition(trigger.condition, `triggers[${index}].condition`);
  });
  const problems = runtimeProblems(definition.runtime.id, definition.runtime.options);
  if (problems.length)
    throw new PreloopError('VALIDATION_ERROR', `runtime: ${problems.join('; ')}`, {
      details: { issues: problems.map((message) => ({ path: 'runtime', message })) },
    });
  return definition;
}

/**
 * Flows of an account: create (with the managed agent its runs act as, and a
 * webhook secret when it has a webhook trigger), read, list, replace,
 * enable/disable and delete. Names are unique per account.
 *
 * @example
 * ```ts
 * const store = createFlowStore(preloop, db, now, runtimeProblems);
 * const { flow, webhookSecret } = await store.create(accountId, input);
 * ```
 */
export function createFlowStore(
  preloop: Preloop,
  db: Kysely<FlowTables>,
  now: () => number,
  runtimeProblems: (id: string, options: Record<string, unknown>) => string[],
) {
  const row = async (accountId: string, id: string) => {
    const found = await db.selectFrom('flows').selectAll().where('account_id', '=', accountId).where('id', '=', id).executeTakeFirst();
    if (!found) throw new PreloopError('NOT_FOUND', `No flow with id ${id}.`);
    return found;
  };
  const nameTaken = async (accountId: string, name: string, exceptId: string | null) => {
    let query = db.selectFrom('flows').select('id').where('account_id', '=', accountId).where('name', '=', name);
    if (exceptId) query = query.where('id', '!=', exceptId);
    if (await query.executeTakeFirst()) throw new PreloopError('CONFLICT', `A flow named "${name}" already exists.`);
  };
  /** Creates the webhook secret when the flow has a webhook trigger and none exists; returns it when created. */
  const ensureWebhookSecret = async (accountId: string, flowId: string, definition: FlowDefinition): Promise<string | null> => {
    if (!definition.triggers.some((trigger) => trigger.type === 'webhook')) return null;
    if (await preloop.secrets.has(accountId, webhookSecretName(flowId))) return null;
    const secret = `whsec_${Buffer.from(crypto.getRandomValues(new Uint8Array(32))).toString('base64url')}`;
    await preloop.secrets.set(accountId, webhookSecretName(flowId), secret);
    return secret;
  };

  return {
    async get(accountId: string, id: string): Promise<Flow> {
      return toFlow(await row(accountId, id));
    },
    /** A flow by id in any account (webhooks, the runner). */
    async find(id: string): Promise<Flow & { accountId: string }> {
      const found = await db.selectFrom('flows').selectAll().where('id', '=', id).executeTakeFirst();
      if (!found) throw new PreloopError('NOT_FOUND', `No flow with id ${id}.`);
      return { ...toFlow(found), accountId: found.account_id };
    },
    async list(accountId: string): Promise<Flow[]> {
      const rows = await db.selectFrom('flows').selectAll().where('account_id', '=', accountId).orderBy('name').limit(1000).execute();
      return rows.map(toFlow);
    },
    /** Every enabled flow (all accounts) with its account: what the triggers watch. */
    async enabled(): Promise<Array<Flow & { accountId: string }>> {
      const rows = await db.selectFrom('flows').selectAll().where('enabled', '=', 1).execute();
      return rows.map((found) => ({ ...toFlow(found), accountId: found.account_id }));
    },
    async create(accountId: string, input: FlowInput): Promise<{ flow: Flow; webhookSecret: string | null }> {
      const definition = definitionOf(input, runtimeProblems);
      await nameTaken(accountId, input.name, null);
      const id = createId('flow');
      const agent = await preloop.identity.agents.enroll(accountId, {
        name: `flow:${input.name}`.slice(0, 200),
        kind: 'flow',
        tags: ['flow'],
      });
      const time = now();
      await db
        .insertInto('flows')
        .values({
          id,
          account_id: accountId,
          name: input.name,
          description: input.description,
          enabled: input.enabled ? 1 : 0,
          definition: JSON.stringify(definition),
          agent_id: agent.id,
          version: 1,
          created_at: time,
          updated_at: time,
        })
        .execute();
      const webhookSecret = await ensureWebhookSecret(accountId, id, definition);
      preloop.events.emit('flow-changed', { accountId, flowId: id, change: 'created' });
      return { flow: toFlow(await row(accountId, id)), webhookSecret };
    },
    async update(accountId: string, id: string, input: FlowInput): Promise<{ flow: Flow; webhookSecret: string | null }> {
      const current = await row(accountId, id);
      const definition = definitionOf(input, runtimeProblems);
      await nameTaken(accountId, input.name, id);
      await db
        .updateTable('flows')
        .set({
          name: input.name,
          description: input.description,
          enabled: input.enabled ? 1 : 0,
          definition: JSON.stringify(definition),
          version: Number(current.version) + 1,
          updated_at: Math.max(now(), Number(current.updated_at) + 1),
        })
        .where('id', '=', id)
        .execute();
      const webhookSecret = await ensureWebhookSecret(accountId, id, definition);
      preloop.events.emit('flow-changed', { accountId, flowId: id, change: 'updated' });
      return { flow: toFlow(await row(accountId, id)), webhookSecret };
    },
    async setEnabled(accountId: string, id: string, enabled: boolean): Promise<Flow> {
      const current = await row(accountId, id);
      await db
        .updateTable('flows')
        .set({ enabled: enabled ? 1 : 0, version: Number(current.version) + 1, updated_at: now() })
        .where('id', '=', id)
        .execute();
      preloop.events.emit('flow-changed', { accountId, flowId: id, change: 'updated' });
      return toFlow(await row(accountId, id));
    },
    /** Replaces the webhook secret; returns the new one (shown once). */
    async rotateWebhookSecret(accountId: string, id: string): Promise<string> {
      const flow = toFlow(await row(accountId, id));
      if (!flow.triggers.some((trigger) => trigger.type === 'webhook'))
        throw new PreloopError('CONFLICT', `Flow ${id} has no webhook trigger.`);
      await preloop.secrets.delete(accountId, webhookSecretName(id));
      return (await ensureWebhookSecret(accountId, id, flow))!;
    },
    async delete(accountId: string, id: string): Promise<void> {
      const current = await row(accountId, id);
      await db.deleteFrom('flows').where('id', '=', id).execute();
      await preloop.secrets.delete(accountId, webhookSecretName(id)).catch(() => false);
      if (current.agent_id) await preloop.identity.agents.decommission(accountId, current.agent_id, 'flow deleted').catch(() => undefined);
      preloop.events.emit('flow-changed', { accountId, flowId: id, change: 'deleted' });
    },
  };
}

/** The flow store's interface. */
export type FlowStore = ReturnType<typeof createFlowStore>;
