import { createId, type ApprovalNotificationLinks, type ApprovalNotificationType, type Notifier } from '@preloop/core';
import type { Kysely } from 'kysely';
import type { EngineContext } from './engine-context.js';
import type { ApprovalDeliveryRow, ApprovalRequestRow, ApprovalTables } from './tables.js';

/**
 * What a delivery shows in the admin API: `pending` (due or waiting for its
 * next attempt), `sending` (claimed by an instance), `sent`, `failed`
 * (permanent), `given_up` (attempts used up), `skipped` (the request was
 * decided before it went out), `held` (flood control: waiting for the
 * approver's digest), `digested` (went out in a digest).
 */
export type ApprovalDeliveryStatus = 'pending' | 'sending' | 'sent' | 'failed' | 'given_up' | 'skipped' | 'held' | 'digested';

/** Statuses of a delivery that will not change any more. */
export const finalDeliveryStatuses = ['sent', 'failed', 'given_up', 'skipped', 'expanded', 'digested'] as const;

/** Statuses of a delivery the outbox still works on. */
export const openDeliveryStatuses = ['planned', 'pending', 'sending'] as const;

/** One delivery of a request's notifications, as the admin API and the console show it. */
export interface ApprovalDelivery {
  /** The delivery's id: the idempotency key the notifier sends. */
  id: string;
  requestId: string;
  type: ApprovalNotificationType;
  /** The notifier's id (for example `webhook`, `slack`). */
  notifier: string;
  /** The approver it is for; null for a channel notifier, or while the recipients are not resolved yet. */
  recipient: { userId: string; name: string } | null;
  /** True for a digest: one message listing the approver's held requests (flood control). */
  digest: boolean;
  status: ApprovalDeliveryStatus;
  /** Attempts finished so far. */
  attempts: number;
  /** When the next attempt may start (epoch ms); null once final. */
  nextAttemptAt: number | null;
  /** The last failure as the notifier reported it (at most 500 characters), or null. */
  lastError: string | null;
  createdAt: number;
  updatedAt: number;
  sentAt: number | null;
}

const noRecipient = '*';

/**
 * The binding of a delivery's sealed links: they open only in this row.
 *
 * @example
 * ```ts
 * preloop.secrets.encryptForRow(linksBinding(row), JSON.stringify(links));
 * ```
 */
export function linksBinding(row: Pick<ApprovalDeliveryRow, 'id' | 'account_id'>) {
  return { table: 'approval_deliveries', column: 'links_sealed', accountId: row.account_id, rowId: row.id };
}

/**
 * Writes the deliveries of one notification into the outbox, inside the
 * caller's transaction (the one that changes the request): per notifier, one
 * `pending` row for a channel notifier, or one `planned` row for a notifier of
 * approvers, which the outbox expands into a row per approver. A later step
 * of the `fallback` chain is due only after its delay. Nothing is sent here.
 *
 * @example
 * ```ts
 * await writeTransaction(context, async (trx) => {  await enqueueNotification(context, trx, notifiers, row, 'approval.resolved'); });
 * ```
 */
export async function enqueueNotification(
  context: Pick<EngineContext, 'now' | 'options'>,
  trx: Kysely<ApprovalTables>,
  notifiers: readonly Notifier[],
  row: Pick<ApprovalRequestRow, 'id' | 'account_id'>,
  type: ApprovalNotificationType,
): Promise<void> {
  if (notifiers.length === 0) return;
  const now = context.now();
  const rows: ApprovalDeliveryRow[] = notifiers.map((notifier) => {
    const channel = (notifier.audience ?? 'approvers') === 'channel';
    // A later step of the fallback chain waits for its window (or for the step before it to fail).
    const step = type === 'approval.resolved' ? undefined : context.options.fallback.find((entry) => entry.notifier === notifier.id);
    return {
      id: createId('ntf'),
      account_id: row.account_id,
      request_id: row.id,
      type,
      notifier_id: notifier.id,
      recipient_key: channel ? noRecipient : '',
      recipient: null,
      links_sealed: null,
      status: channel ? 'pending' : 'planned',
      attempts: 0,
      next_attempt_at: now + (step?.afterMs ?? 0),
      lease_owner: null,
      lease_expires_at: null,
      last_error: null,
      message_ref: null,
      created_at: now,
      updated_at: now,
      sent_at: null,
    };
  });
  await trx
    .insertInto('approval_deliveries')
    .values(rows)
    .onConflict((conflict) => conflict.columns(['request_id', 'type', 'notifier_id', 'recipient_key']).doNothing())
    .execute();
}

/**
 * The rows a `planned` delivery expands into: one per approver, each with its
 * own idempotency key and its personal links sealed to the row.
 *
 * @example
 * ```ts
 * const children = expandDelivery(context, planned, [{ recipient, links }]);
 * ```
 */
export function expandDelivery(
  context: Pick<EngineContext, 'now' | 'preloop'>,
  planned: ApprovalDeliveryRow,
  deliveries: ReadonlyArray<{ recipient: { userId: string; name: string; email: string }; links: ApprovalNotificationLinks }>,
): ApprovalDeliveryRow[] {
  const now = context.now();
  return deliveries.map(({ recipient, links }) => {
    const id = createId('ntf');
    return {
      ...planned,
      id,
      recipient_key: recipient.userId,
      recipient: JSON.stringify(recipient),
      links_sealed: context.preloop.secrets.encryptForRow(linksBinding({ id, account_id: planned.account_id }), JSON.stringify(links)),
      status: 'pending',
      attempts: 0,
      next_attempt_at: now,
      lease_owner: null,
      lease_expires_at: null,
      last_error: null,
      message_ref: null,
      created_at: now,
      updated_at: now,
      sent_at: null,
    };
  });
}

/**
 * A delivery row as the admin API shows it (`planned` reads `pending`, with no recipient yet).
 *
 * @example
 * ```ts
 * const views = rows.map(toDeliveryView);
 * ```
 */
export function toDeliveryView(row: ApprovalDeliveryRow): ApprovalDelivery {
  const recipient = row.recipient ? (JSON.parse(row.recipient) as { userId: string; name: string }) : null;
  const status = (row.status === 'planned' ? 'pending' : row.status) as ApprovalDeliveryStatus;
  const open = (openDeliveryStatuses as readonly string[]).includes(row.status);
  return {
    id: row.id,
    requestId: row.request_id,
    type: row.type as ApprovalNotificationType,
    notifier: row.notifier_id,
    recipient: recipient ? { userId: recipient.userId, name: recipient.name } : null,
    digest: row.recipient_key.startsWith('digest:'),
    status,
    attempts: Number(row.attempts),
    nextAttemptAt: open ? Number(row.next_attempt_at) : null,
    lastError: row.last_error,
    createdAt: Number(row.created_at),
    updatedAt: Number(row.updated_at),
    sentAt: row.sent_at === null ? null : Number(row.sent_at),
  };
}

/**
 * The deliveries of one request, oldest first (expanded `planned` rows left out).
 *
 * @example
 * ```ts
 * const deliveries = await listDeliveries(context, accountId, requestId);
 * ```
 */
export async function listDeliveries(
  context: Pick<EngineContext, 'db'>,
  accountId: string,
  requestId: string,
): Promise<ApprovalDelivery[]> {
  const rows = await context.db
    .selectFrom('approval_deliveries')
    .selectAll()
    .where('account_id', '=', accountId)
    .where('request_id', '=', requestId)
    .where('status', '!=', 'expanded')
    .orderBy('created_at')
    .orderBy('id')
    .execute();
  return rows.map(toDeliveryView);
}
