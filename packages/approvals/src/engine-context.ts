import {
  createId,
  type ApprovalNotificationType,
  type ApprovalStatus,
  type ApprovalWorkflow,
  type AuditRecordInput,
  type DialectName,
  type Preloop,
  type PreloopEventMap,
} from '@preloop/core';
import { sql, type Kysely } from 'kysely';
import { approvalsBusChannel, type ApprovalBusMessage, type ApprovalChange } from './approval-events.js';
import type { ApproverDirectory } from './approver-directory.js';
import type { ResolvedApprovalsOptions } from './options.js';
import type { ApprovalRequestRow, ApprovalTables } from './tables.js';
import { normalizeRow } from './views.js';
import type { WorkflowSource } from './workflows.js';

/** Something to do once a transaction has committed. */
export type Effect =
  | { kind: 'audit'; input: AuditRecordInput }
  | { kind: 'created'; row: ApprovalRequestRow }
  | { kind: 'changed'; row: ApprovalRequestRow; change: ApprovalChange; actorId: string | null }
  | { kind: 'notify'; row: ApprovalRequestRow; type: ApprovalNotificationType }
  | { kind: 'event'; name: keyof PreloopEventMap; payload: unknown };

/** What every part of the engine shares. */
export interface EngineContext {
  preloop: Preloop;
  db: Kysely<ApprovalTables>;
  dialect: DialectName;
  options: ResolvedApprovalsOptions;
  directory: ApproverDirectory;
  /** This engine's random id: who holds an execution lease. */
  instanceId: string;
  /** The engine's clock (epoch ms). */
  now(): number;
  /** Finds the workflow for a new request. */
  lookupWorkflow(accountId: string, name: string): Promise<{ workflow: ApprovalWorkflow; source: WorkflowSource }>;
  /** Writes a notification's deliveries into the outbox, in the transaction that causes it (set once the outbox exists). */
  enqueueNotification(trx: Kysely<ApprovalTables>, row: ApprovalRequestRow, type: ApprovalNotificationType): Promise<void>;
  /** Wakes the outbox after a commit (set once the outbox exists). */
  dispatch(row: ApprovalRequestRow, type: ApprovalNotificationType): void;
  /** Tells the local scheduler about a deadline (set once the scheduler exists). */
  arm(deadline: number): void;
  /** Starts the AI review of a request in the background, if one is due (set once the reviewer exists). */
  startAiReview(id: string): void;
}

/**
 * Runs `work` in a write transaction: `BEGIN IMMEDIATE` on SQLite (the write
 * lock up front, so two processes on one file never deadlock on upgrade), a
 * regular transaction on PostgreSQL (rows are locked with `FOR UPDATE`).
 *
 * @example
 * ```ts
 * await writeTransaction(context, (trx) => trx.updateTable('approval_requests').set({ updated_at: 1 }).execute());
 * ```
 */
export async function writeTransaction<T>(
  context: Pick<EngineContext, 'db' | 'dialect'>,
  work: (trx: Kysely<ApprovalTables>) => Promise<T>,
): Promise<T> {
  if (context.dialect === 'postgres') return context.db.transaction().execute(work);
  return context.db.connection().execute(async (connection) => {
    await sql`begin immediate`.execute(connection);
    try {
      const result = await work(connection);
      await sql`commit`.execute(connection);
      return result;
    } catch (error) {
      await sql`rollback`.execute(connection).catch(() => {});
      throw error;
    }
  });
}

/**
 * Reads one request row (locking it with `FOR UPDATE` on PostgreSQL when `lock` is set).
 *
 * @example
 * ```ts
 * const row = await readRequest(trx, 'postgres', id, true);
 * ```
 */
export async function readRequest(
  db: Kysely<ApprovalTables>,
  dialect: DialectName,
  id: string,
  lock = false,
): Promise<ApprovalRequestRow | null> {
  let query = db.selectFrom('approval_requests').selectAll().where('id', '=', id);
  if (lock && dialect === 'postgres') query = query.forUpdate();
  const row = await query.executeTakeFirst();
  return row ? normalizeRow(row) : null;
}

/**
 * Appends an entry to a request's timeline, inside the caller's transaction.
 *
 * @example
 * ```ts
 * await addTimeline(trx, row, now, 'vote', approverId, { decision: 'approve' });
 * ```
 */
export async function addTimeline(
  db: Kysely<ApprovalTables>,
  row: Pick<ApprovalRequestRow, 'id' | 'account_id'>,
  time: number,
  type: string,
  actorId: string | null,
  data: Record<string, unknown> = {},
): Promise<void> {
  await db
    .insertInto('approval_events')
    .values({
      id: createId('ape'),
      account_id: row.account_id,
      request_id: row.id,
      time,
      type,
      actor_id: actorId,
      data: JSON.stringify(data),
    })
    .execute();
}

/** The system actor of records written by the engine itself (timeouts, escalation, notifications). */
export const engineActor = { type: 'system', name: 'approvals' } as const;

/**
 * Performs committed effects in order: audit records (enqueued together and
 * awaited; a failure is logged, the committed change stands), events, Bus signals, then notifications
 * (dispatched in the background, never awaited).
 *
 * @example
 * ```ts
 * const effects: Effect[] = [];
 * await writeTransaction(context, async (trx) => {  effects.push({ kind: 'changed', row, change: 'vote', actorId }); });
 * await runEffects(context, effects);
 * ```
 */
export async function runEffects(context: EngineContext, effects: readonly Effect[]): Promise<void> {
  const { preloop } = context;
  // Enqueued together, in order: the audit trail writes them in one group commit.
  await Promise.all(
    effects.flatMap((effect) =>
      effect.kind === 'audit'
        ? [
            preloop.audit
              .record(effect.input)
              .catch((error) => preloop.logger.error('approvals: could not write an audit record', { error, action: effect.input.action })),
          ]
        : [],
    ),
  );
  for (const effect of effects) {
    switch (effect.kind) {
      case 'created':
        preloop.events.emit('approval-created', {
          accountId: effect.row.account_id,
          id: effect.row.id,
          status: effect.row.status as ApprovalStatus,
          kind: effect.row.kind,
          tool: effect.row.tool_name,
          subject: effect.row.subject_key,
          expiresAt: effect.row.expires_at,
        });
        if (effect.row.status === 'pending') {
          context.arm(nextDeadline(effect.row));
          await publish(context, {
            kind: 'created',
            accountId: effect.row.account_id,
            id: effect.row.id,
            deadline: nextDeadline(effect.row),
          });
        }
        break;
      case 'changed':
        preloop.events.emit('approval-updated', {
          accountId: effect.row.account_id,
          id: effect.row.id,
          status: effect.row.status as ApprovalStatus,
          change: effect.change,
          actorId: effect.actorId,
        });
        if (effect.row.status === 'pending') context.arm(nextDeadline(effect.row));
        await publish(context, {
          kind: 'changed',
          accountId: effect.row.account_id,
          id: effect.row.id,
          status: effect.row.status as ApprovalStatus,
          deadline: effect.row.status === 'pending' ? nextDeadline(effect.row) : null,
        });
        break;
      case 'event':
        (preloop.events.emit as (name: string, payload: unknown) => boolean)(effect.name, effect.payload);
        break;
      default:
        break;
    }
  }
  for (const effect of effects) {
    if (effect.kind === 'notify') context.dispatch(effect.row, effect.type);
  }
}

/**
 * The next moment the scheduler must look at a pending request: its pending escalation or its deadline.
 *
 * @example
 * ```ts
 * scheduler.arm(nextDeadline(row));
 * ```
 */
export function nextDeadline(row: Pick<ApprovalRequestRow, 'expires_at' | 'escalate_at' | 'escalated_at'>): number {
  return row.escalate_at !== null && row.escalated_at === null ? Math.min(row.escalate_at, row.expires_at) : row.expires_at;
}

async function publish(context: EngineContext, message: ApprovalBusMessage): Promise<void> {
  try {
    await context.preloop.bus.publish(approvalsBusChannel, message);
  } catch (error) {
    // Other instances still notice through their poll and sweep.
    context.preloop.logger.warn('approvals: could not publish on the Bus', { error, id: message.id });
  }
}
