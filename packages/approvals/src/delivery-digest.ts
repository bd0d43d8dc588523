import { createId } from '@preloop/core';
import { sql } from 'kysely';
import { writeTransaction, type EngineContext } from './engine-context.js';
import type { ApprovalDeliveryRow } from './tables.js';

/** The `recipient_key` prefix of a digest row: `digest:<userId>`. */
export const digestKeyPrefix = 'digest:';

/** Most requests listed in one digest (the rest are counted in `total`). */
export const digestItemLimit = 50;

/**
 * Whether `row`, a request notice to one approver, is over the flood-control
 * limit: `after` notices of this notifier already went to (or are being sent
 * to, claimed before it) the same approver within the window.
 *
 * @example
 * ```ts
 * if (await overDigestLimit(context, row, limits)) await holdForDigest(context, row, limits);
 * ```
 */
export async function overDigestLimit(
  context: Pick<EngineContext, 'db' | 'now'>,
  row: ApprovalDeliveryRow,
  limits: { after: number; windowMs: number },
): Promise<boolean> {
  const since = context.now() - limits.windowMs;
  const recent = await context.db
    .selectFrom('approval_deliveries')
    .select((eb) => eb.fn.countAll().as('count'))
    .where('notifier_id', '=', row.notifier_id)
    .where('recipient_key', '=', row.recipient_key)
    .where('type', '=', 'approval.requested')
    .where((eb) =>
      eb.or([
        eb.and([eb('status', 'in', ['sent', 'digested']), eb('sent_at', '>=', since)]),
        eb.and([eb('status', '=', 'sending'), eb('id', '<', row.id)]),
      ]),
    )
    .executeTakeFirst();
  return Number(recent?.count ?? 0) >= limits.after;
}

/**
 * Holds `row` for the approver's next digest (status `held`) and makes sure
 * a digest row is due at the end of the window.
 *
 * @example
 * ```ts
 * await holdForDigest(context, row, { after: 5, windowMs: 60_000 });
 * ```
 */
export async function holdForDigest(
  context: Pick<EngineContext, 'db' | 'dialect' | 'now'>,
  row: ApprovalDeliveryRow,
  limits: { windowMs: number },
): Promise<void> {
  const now = context.now();
  const key = `${digestKeyPrefix}${row.recipient_key}`;
  await writeTransaction(context, async (trx) => {
    // One open digest per approver and notifier: on PostgreSQL, holds of one approver queue behind a lock (SQLite's write transaction is exclusive already).
    if (context.dialect === 'postgres') await sql`select pg_advisory_xact_lock(hashtext(${`${row.notifier_id}:${key}`}))`.execute(trx);
    await trx
      .updateTable('approval_deliveries')
      .set({ status: 'held', lease_owner: null, lease_expires_at: null, updated_at: now })
      .where('id', '=', row.id)
      .execute();
    const open = await trx
      .selectFrom('approval_deliveries')
      .select('id')
      .where('notifier_id', '=', row.notifier_id)
      .where('recipient_key', '=', key)
      .where('status', '=', 'pending')
      .executeTakeFirst();
    if (open) return;
    await trx
      .insertInto('approval_deliveries')
      .values({
        ...row,
        id: createId('ntf'),
        recipient_key: key,
        links_sealed: null,
        status: 'pending',
        attempts: 0,
        next_attempt_at: now + limits.windowMs,
        lease_owner: null,
        lease_expires_at: null,
        last_error: null,
        message_ref: null,
        created_at: now,
        updated_at: now,
        sent_at: null,
      })
      .onConflict((conflict) => conflict.columns(['request_id', 'type', 'notifier_id', 'recipient_key']).doNothing())
      .execute();
  });
}

/**
 * The notices held for the approver of a digest row, oldest first.
 *
 * @example
 * ```ts
 * const held = await heldForDigest(context, digestRow);
 * ```
 */
export async function heldForDigest(context: Pick<EngineContext, 'db'>, digest: ApprovalDeliveryRow): Promise<ApprovalDeliveryRow[]> {
  return context.db
    .selectFrom('approval_deliveries')
    .selectAll()
    .where('notifier_id', '=', digest.notifier_id)
    .where('recipient_key', '=', digest.recipient_key.slice(digestKeyPrefix.length))
    .where('type', '=', 'approval.requested')
    .where('status', '=', 'held')
    .orderBy('id')
    .execute();
}

/**
 * Settles held notices: `digested` (they went out in the digest) or `skipped` (decided meanwhile).
 *
 * @example
 * ```ts
 * await settleHeld(context, ids, 'digested');
 * ```
 */
export async function settleHeld(context: Pick<EngineContext, 'db' | 'now'>, ids: string[], status: 'digested' | 'skipped'): Promise<void> {
  const now = context.now();
  for (let index = 0; index < ids.length; index += 500) {
    await context.db
      .updateTable('approval_deliveries')
      .set({ status, sent_at: status === 'digested' ? now : null, updated_at: now })
      .where('id', 'in', ids.slice(index, index + 500))
      .where('status', '=', 'held')
      .execute();
  }
}
