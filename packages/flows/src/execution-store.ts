import { createId, type DialectName } from '@preloop/core';
import { sql, type Kysely, type Selectable } from 'kysely';
import type { FlowExecutionRow, FlowTables } from './tables.js';

/** The states of an execution. */
export const executionStatuses = ['queued', 'running', 'waiting_approval', 'succeeded', 'failed', 'cancelled', 'timed_out'] as const;

/** One state of an execution. */
export type ExecutionStatus = (typeof executionStatuses)[number];

/** The states an execution never leaves. */
export const terminalStatuses: readonly ExecutionStatus[] = ['succeeded', 'failed', 'cancelled', 'timed_out'];

/** What {@link ExecutionStore.enqueue} takes. */
export interface EnqueueInput {
  accountId: string;
  flowId: string;
  flowVersion: number;
  trigger: Record<string, unknown>;
  input: Record<string, unknown>;
  /** Unique per flow: a second enqueue with the same key returns the first execution. @default null */
  dedupeKey?: string | null;
  now: number;
}

/** A claimed execution: the row and the lease (owner, version) every later write must match. */
export interface ClaimedExecution {
  row: Selectable<FlowExecutionRow>;
  owner: string;
  leaseVersion: number;
}

const toNumber = (value: unknown) => (value === null || value === undefined ? null : Number(value));

/** Normalizes a row read from PostgreSQL (bigint columns come back as strings). */
export function normalizeExecutionRow(row: Selectable<FlowExecutionRow>): Selectable<FlowExecutionRow> {
  return {
    ...row,
    run_after: Number(row.run_after),
    lease_expires_at: toNumber(row.lease_expires_at),
    deadline_at: toNumber(row.deadline_at),
    cost_micros: Number(row.cost_micros),
    created_at: Number(row.created_at),
    updated_at: Number(row.updated_at),
    started_at: toNumber(row.started_at),
    finished_at: toNumber(row.finished_at),
    attempt: Number(row.attempt),
    failures: Number(row.failures),
    lease_version: Number(row.lease_version),
    flow_version: Number(row.flow_version),
    cancel_requested: Number(row.cancel_requested),
  };
}

/**
 * The durable queue of flow executions: enqueue (deduplicated per flow),
 * claim with a lease (compare-and-set, respecting each flow's concurrency
 * limit across instances), renew, settle, park and resume. Every write after
 * a claim matches the lease owner and version, so an instance whose lease
 * lapsed can never overwrite the instance that took the execution over.
 *
 * @example
 * ```ts
 * const store = createExecutionStore(db, 'sqlite');
 * const claimed = await store.claim(id, 'instance-1', Date.now(), 30_000);
 * ```
 */
export function createExecutionStore(db: Kysely<FlowTables>, dialect: DialectName) {
  const read = async (id: string, executor: Kysely<FlowTables> = db) => {
    const row = await executor.selectFrom('flow_executions').selectAll().where('id', '=', id).executeTakeFirst();
    return row ? normalizeExecutionRow(row) : null;
  };

  return {
    read,

    /** Queues an execution; with a `dedupeKey` already queued for the flow, returns that one (`created: false`). */
    async enqueue(input: EnqueueInput): Promise<{ row: Selectable<FlowExecutionRow>; created: boolean }> {
      const dedupeKey = input.dedupeKey ?? null;
      if (dedupeKey !== null) {
        const existing = await db
          .selectFrom('flow_executions')
          .select('id')
          .where('flow_id', '=', input.flowId)
          .where('dedupe_key', '=', dedupeKey)
          .executeTakeFirst();
        if (existing) return { row: (await read(existing.id))!, created: false };
      }
      const id = createId('fex');
      const values: FlowExecutionRow = {
        id,
        account_id: input.accountId,
        flow_id: input.flowId,
        flow_version: input.flowVersion,
        status: 'queued',
        trigger: JSON.stringify(input.trigger),
        dedupe_key: dedupeKey,
        input: JSON.stringify(input.input),
        rendered_prompt: null,
        attempt: 0,
        failures: 0,
        run_after: input.now,
        lease_owner: null,
        lease_expires_at: null,
        lease_version: 0,
        deadline_at: null,
        runtime_session_id: null,
        approval_request_id: null,
        checkpoint: null,
        cancel_requested: 0,
        result: null,
        error: null,
        cost_micros: 0,
        usage: null,
        created_at: input.now,
        updated_at: input.now,
        started_at: null,
        finished_at: null,
      };
      const inserted = await db
        .insertInto('flow_executions')
        .values(values)
        .onConflict((conflict) => conflict.columns(['flow_id', 'dedupe_key']).doNothing())
        .executeTakeFirst();
      if (Number(inserted.numInsertedOrUpdatedRows ?? 1) === 0 && dedupeKey !== null) {
        const existing = await db
          .selectFrom('flow_executions')
          .select('id')
          .where('flow_id', '=', input.flowId)
          .where('dedupe_key', '=', dedupeKey)
          .executeTakeFirstOrThrow();
        return { row: (await read(existing.id))!, created: false };
      }
      return { row: (await read(id))!, created: true };
    },

    /** Queued executions due now, oldest first. */
    async due(now: number, limit: number) {
      const rows = await db
        .selectFrom('flow_executions')
        .select(['id', 'flow_id'])
        .where('status', '=', 'queued')
        .where('run_after', '<=', now)
        .orderBy('run_after')
        .orderBy('id')
        .limit(limit)
        .execute();
      return rows;
    },

    /**
     * Claims a queued execution for `owner` with a lease of `leaseMs`, if the
     * flow has fewer than `concurrency` executions running. The flow's row is
     * locked (PostgreSQL) so two instances cannot both take the last slot.
     */
    async claim(id: string, owner: string, now: number, leaseMs: number, concurrency: number): Promise<ClaimedExecution | null> {
      return db.transaction().execute(async (trx) => {
        const current = await read(id, trx);
        if (current?.status !== 'queued' || current.run_after > now) return null;
        let lock = trx.selectFrom('flows').select('id').where('id', '=', current.flow_id);
        if (dialect === 'postgres') lock = lock.forUpdate();
        await lock.executeTakeFirst();
        const running = await trx
          .selectFrom('flow_executions')
          .select((eb) => eb.fn.countAll<number>().as('count'))
          .where('flow_id', '=', current.flow_id)
          .where('status', '=', 'running')
          .executeTakeFirstOrThrow();
        if (Number(running.count) >= concurrency) return null;
        const leaseVersion = current.lease_version + 1;
        const updated = await trx
          .updateTable('flow_executions')
          .set({
            status: 'running',
            lease_owner: owner,
            lease_expires_at: now + leaseMs,
            lease_version: leaseVersion,
            attempt: current.attempt + 1,
            started_at: current.started_at ?? now,
            updated_at: now,
          })
          .where('id', '=', id)
          .where('status', '=', 'queued')
          .where('lease_version', '=', current.lease_version)
          .executeTakeFirst();
        if (Number(updated.numUpdatedRows) !== 1) return null;
        return { row: (await read(id, trx))!, owner, leaseVersion };
      });
    },

    /** Extends a held lease; false when it is no longer ours (it lapsed and was taken over, or the execution ended). */
    async renew(claim: ClaimedExecution, now: number, leaseMs: number): Promise<boolean> {
      const result = await db
        .updateTable('flow_executions')
        .set({ lease_expires_at: now + leaseMs })
        .where('id', '=', claim.row.id)
        .where('status', '=', 'running')
        .where('lease_owner', '=', claim.owner)
        .where('lease_version', '=', claim.leaseVersion)
        .executeTakeFirst();
      return Number(result.numUpdatedRows) === 1;
    },

    /** Writes fields of a held execution (compare-and-set on the lease); false when the lease is no longer ours. */
    async update(claim: ClaimedExecution, patch: Partial<FlowExecutionRow>): Promise<boolean> {
      const result = await db
        .updateTable('flow_executions')
        .set(patch)
        .where('id', '=', claim.row.id)
        .where('status', '=', 'running')
        .where('lease_owner', '=', claim.owner)
        .where('lease_version', '=', claim.leaseVersion)
        .executeTakeFirst();
      return Number(result.numUpdatedRows) === 1;
    },

    /** Running executions whose lease lapsed before `now` (their instance stopped). */
    async expired(now: number, limit: number) {
      const rows = await db
        .selectFrom('flow_executions')
        .selectAll()
        .where('status', '=', 'running')
        .where('lease_expires_at', '<', now)
        .limit(limit)
        .execute();
      return rows.map(normalizeExecutionRow);
    },

    /** Settles a lapsed lease (compare-and-set on its version): back to the queue, or failed. */
    async settleExpired(row: Selectable<FlowExecutionRow>, patch: Partial<FlowExecutionRow>): Promise<boolean> {
      const result = await db
        .updateTable('flow_executions')
        .set({ ...patch, lease_owner: null, lease_expires_at: null })
        .where('id', '=', row.id)
        .where('status', '=', 'running')
        .where('lease_version', '=', row.lease_version)
        .where('lease_expires_at', '<', Number(patch.updated_at))
        .executeTakeFirst();
      return Number(result.numUpdatedRows) === 1;
    },

    /** Executions parked on approval requests, oldest first. */
    async waiting(limit: number) {
      return db
        .selectFrom('flow_executions')
        .select(['id', 'account_id', 'approval_request_id'])
        .where('status', '=', 'waiting_approval')
        .orderBy('updated_at')
        .limit(limit)
        .execute();
    },

    /** Requeues a parked execution once its approval request is decided. */
    async resume(id: string, now: number): Promise<boolean> {
      const result = await db
        .updateTable('flow_executions')
        .set({ status: 'queued', run_after: now, updated_at: now })
        .where('id', '=', id)
        .where('status', '=', 'waiting_approval')
        .executeTakeFirst();
      return Number(result.numUpdatedRows) === 1;
    },

    /** Ends a parked execution as failed (its approval was denied, expired or cancelled); false when it is no longer parked. */
    async failParked(id: string, now: number, error: string): Promise<boolean> {
      const result = await db
        .updateTable('flow_executions')
        .set({ status: 'failed', error, finished_at: now, updated_at: now })
        .where('id', '=', id)
        .where('status', '=', 'waiting_approval')
        .executeTakeFirst();
      return Number(result.numUpdatedRows) === 1;
    },

    /** Cancels a queued or parked execution at once, or asks the running instance to (`cancel_requested`). */
    async cancel(id: string, now: number, reason: string): Promise<'cancelled' | 'requested' | null> {
      const direct = await db
        .updateTable('flow_executions')
        .set({ status: 'cancelled', error: reason, finished_at: now, updated_at: now, lease_owner: null, lease_expires_at: null })
        .where('id', '=', id)
        .where('status', 'in', ['queued', 'waiting_approval'])
        .executeTakeFirst();
      if (Number(direct.numUpdatedRows) === 1) return 'cancelled';
      const requested = await db
        .updateTable('flow_executions')
        .set({ cancel_requested: 1, error: reason, updated_at: now })
        .where('id', '=', id)
        .where('status', '=', 'running')
        .executeTakeFirst();
      return Number(requested.numUpdatedRows) === 1 ? 'requested' : null;
    },

    /** Ids of the running executions of an account (the kill switch cancels them). */
    async runningIds(accountId: string) {
      const rows = await db
        .selectFrom('flow_executions')
        .select('id')
        .where('account_id', '=', accountId)
        .where('status', '=', 'running')
        .execute();
      return rows.map((row) => row.id);
    },

    /** The model spend of a runtime session (micro-dollars), from the gateway's usage rows; 0 without the gateway. */
    async sessionCost(accountId: string, sessionId: string): Promise<number> {
      try {
        const result = await sql<{
          total: string | number | null;
        }>`select sum(cost_micros) as total from gateway_usage where account_id = ${accountId} and runtime_session_id = ${sessionId}`.execute(
          db,
        );
        return Number(result.rows[0]?.total ?? 0);
      } catch {
        return 0;
      }
    },
  };
}

/** The execution store's interface. */
export type ExecutionStore = ReturnType<typeof createExecutionStore>;
