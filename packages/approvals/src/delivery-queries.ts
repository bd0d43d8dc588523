import { sql } from 'kysely';
import type { EngineContext } from './engine-context.js';
import type { ApprovalDeliveryRow } from './tables.js';

/*
 * Read-only questions the notification outbox asks about its rows (see
 * `createNotifierDispatch`).
 */

/**
 * Who a chained notifier's expansion leaves out: for a notice, approvers
 * who already have a row of this notifier (reached after a failure) or who
 * reacted (voted); for a resolved notice, everyone this notifier did not reach.
 *
 * @example
 * ```ts
 * const include = await recipientFilter(context, ['push', 'email'], planned);
 * ```
 */
export async function recipientFilter(
  context: Pick<EngineContext, 'db'>,
  chain: readonly string[],
  planned: ApprovalDeliveryRow,
): Promise<(userId: string) => boolean> {
  if (!chain.includes(planned.notifier_id)) return () => true;
  const reached = await context.db
    .selectFrom('approval_deliveries')
    .select(['recipient_key', 'type', 'status'])
    .where('request_id', '=', planned.request_id)
    .where('notifier_id', '=', planned.notifier_id)
    .execute();
  if (planned.type === 'approval.resolved') {
    const sent = new Set(reached.filter((row) => row.status === 'sent').map((row) => row.recipient_key));
    return (userId) => sent.has(userId);
  }
  const voted = await context.db.selectFrom('approval_votes').select('approver_id').where('request_id', '=', planned.request_id).execute();
  const skip = new Set([
    ...reached.filter((row) => row.type === planned.type).map((row) => row.recipient_key),
    ...voted.map((vote) => vote.approver_id),
  ]);
  return (userId) => !skip.has(userId);
}

/**
 * Whether this approver's request notice was held by flood control (digested or skipped): its resolved notice is not sent either.
 *
 * @example
 * ```ts
 * if (await digestedNotice(context, row)) return; // its resolved notice is not sent
 * ```
 */
export async function digestedNotice(context: Pick<EngineContext, 'db'>, row: ApprovalDeliveryRow): Promise<boolean> {
  const notice = await context.db
    .selectFrom('approval_deliveries')
    .select('status')
    .where('request_id', '=', row.request_id)
    .where('notifier_id', '=', row.notifier_id)
    .where('recipient_key', '=', row.recipient_key)
    .where('type', '=', 'approval.requested')
    .executeTakeFirst();
  return notice !== undefined && ['held', 'digested', 'skipped'].includes(notice.status);
}

/**
 * Whether this notifier delivered anything to this recipient about this request.
 *
 * @example
 * ```ts
 * if (!(await reached(context, row))) return; // nothing to resolve
 * ```
 */
export async function reached(context: Pick<EngineContext, 'db'>, row: ApprovalDeliveryRow): Promise<boolean> {
  const sent = await context.db
    .selectFrom('approval_deliveries')
    .select('id')
    .where('request_id', '=', row.request_id)
    .where('notifier_id', '=', row.notifier_id)
    .where('recipient_key', '=', row.recipient_key)
    .where('status', '=', 'sent')
    .executeTakeFirst();
  return sent !== undefined;
}

/**
 * The message this notifier sent the same recipient about the same request, to edit in place.
 *
 * @example
 * ```ts
 * const previous = await earlierMessage(context, row);
 * ```
 */
export async function earlierMessage(
  context: Pick<EngineContext, 'db'>,
  row: ApprovalDeliveryRow,
): Promise<{ id: string; messageRef: string } | null> {
  const earlier = await context.db
    .selectFrom('approval_deliveries')
    .select(['id', 'message_ref'])
    .where('request_id', '=', row.request_id)
    .where('notifier_id', '=', row.notifier_id)
    .where('recipient_key', '=', row.recipient_key)
    .where('status', '=', 'sent')
    .where('message_ref', 'is not', null)
    .orderBy('sent_at', 'desc')
    .executeTakeFirst();
  return earlier?.message_ref ? { id: earlier.id, messageRef: earlier.message_ref } : null;
}

/**
 * When the earliest open delivery can next be claimed (its retry, or the lapse of its lease), or null when none is open.
 *
 * @example
 * ```ts
 * const next = await openWork(context, ['webhook']);
 * ```
 */
export async function openWork(context: Pick<EngineContext, 'db'>, notifierIds: readonly string[]): Promise<number | null> {
  const next = await context.db
    .selectFrom('approval_deliveries')
    .select(
      sql<
        number | string | null
      >`min(case when lease_expires_at is not null and lease_expires_at > next_attempt_at then lease_expires_at else next_attempt_at end)`.as(
        'at',
      ),
    )
    .where('notifier_id', 'in', [...notifierIds])
    .where('status', 'in', ['planned', 'pending', 'sending'])
    .executeTakeFirst();
  return next?.at === null || next?.at === undefined ? null : Number(next.at);
}
