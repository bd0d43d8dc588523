import {
  classifyNotifierFailure,
  PreloopError,
  type ApprovalNotification,
  type ApprovalNotificationLinks,
  type ApprovalNotificationType,
  type Notifier,
  type NotifyReceipt,
} from '@preloop/core';
import { workflowFactors } from '@preloop/core/internal';
import { sql, type Kysely } from 'kysely';
import { mintDecisionLink } from './decision-links.js';
import { quietHoursEnd, readNotificationPreferences } from './notification-preferences.js';
import { digestItemLimit, digestKeyPrefix, heldForDigest, holdForDigest, overDigestLimit, settleHeld } from './delivery-digest.js';
import { enqueueNotification, expandDelivery, linksBinding } from './delivery-outbox.js';
import { digestedNotice, earlierMessage, openWork, reached, recipientFilter } from './delivery-queries.js';
import { addTimeline, engineActor, readRequest, runEffects, writeTransaction, type EngineContext } from './engine-context.js';
import { getApproval } from './queries.js';
import type { ApprovalDeliveryRow, ApprovalRequestRow, ApprovalTables } from './tables.js';
import { workflowOf } from './views.js';
import type { ApproverSet } from './workflows.js';

/** The notification outbox of one engine: writes deliveries with the change that causes them, and sends them in the background. */
export interface NotifierDispatch {
  /** Writes the deliveries of a notification about `row`, in the caller's transaction. */
  enqueue(trx: Kysely<ApprovalTables>, row: ApprovalRequestRow, type: ApprovalNotificationType): Promise<void>;
  /** Wakes the outbox once that transaction committed; never throws, never waits for delivery. */
  dispatch(row: ApprovalRequestRow, type: ApprovalNotificationType): void;
  /** Resolves when no delivery of this engine's notifiers is left to send (for tests and shutdown). */
  idle(): Promise<void>;
  /** How many deliveries this instance is sending now. */
  inFlight(): number;
  /** Stops polling, aborts attempts in flight and hands their deliveries back to the outbox. */
  close(): Promise<void>;
}

const noLinks: ApprovalNotificationLinks = { approve: null, deny: null, view: null };
const batchSize = 20;

/**
 * Creates the outbox over `notifiers`. A notification is written as rows of
 * `approval_deliveries` in the transaction that causes it (see
 * `enqueueNotification`); a notifier of approvers gets one `planned` row,
 * expanded into one row per eligible approver with personal single-use links.
 * Every instance polls the outbox (`notifierPollIntervalMs`, and at once after
 * its own commits) and claims due rows with a lease (`notifierLeaseMs`), so a
 * crashed instance's deliveries are taken over once the lease lapses. The
 * row's id is the idempotency key the notifier sends, so a delivery whose
 * outcome a crash left unknown is sent again under the same key. A failure is
 * retried with exponential backoff and jitter (`notifierBackoffMs` doubling
 * up to `notifierMaxBackoffMs`, or the channel's `retryAfterMs` when longer),
 * at most `notifierAttempts` attempts of `notifierTimeoutMs` each; a permanent
 * failure (`NotifierError { retryable: false }`) fails at once. Request and
 * escalation notices are skipped once the request is no longer pending.
 * With a `fallback` chain, a later notifier's notices wait for their delay,
 * and go to an approver at once when the notifier before failed for good.
 * Final failures emit `approval-notifier-failed` and every final state is
 * audited (`approval.notify`). Nothing a notifier does can decide a request.
 *
 * @example
 * ```ts
 * const outbox = createNotifierDispatch(context, notifiers);
 * await writeTransaction(context, (trx) => outbox.enqueue(trx, row, 'approval.requested'));
 * outbox.dispatch(row, 'approval.requested');
 * ```
 */
export function createNotifierDispatch(context: EngineContext, notifiers: readonly Notifier[]): NotifierDispatch {
  const { options, preloop, db } = context;
  const byId = new Map(notifiers.map((notifier) => [notifier.id, notifier]));
  const ids = [...byId.keys()];
  const chain = options.fallback.map((step) => step.notifier);
  for (const id of chain) {
    if (!byId.has(id))
      throw new PreloopError(
        'CONFIGURATION_ERROR',
        `approvals: option "fallback" names the notifier "${id}", which is not installed (installed: ${ids.join(', ') || 'none'}).`,
      );
  }
  const shutdown = new AbortController();
  const sending = new Set<Promise<void>>();
  let draining: Promise<void> | null = null;
  let again = false;
  let timer: ReturnType<typeof setTimeout> | null = null;
  const poll = ids.length > 0 ? setInterval(() => wake(), options.notifierPollIntervalMs) : null;
  poll?.unref?.();

  /** Rows of our notifiers that may be claimed now. */
  const claimable = (now: number) =>
    db
      .selectFrom('approval_deliveries')
      .where('notifier_id', 'in', ids)
      .where('status', 'in', ['planned', 'pending', 'sending'])
      .where('next_attempt_at', '<=', now)
      .where((eb) => eb.or([eb('lease_expires_at', 'is', null), eb('lease_expires_at', '<=', now)]));

  /** Claims one row with a lease: a conditional update, so one instance wins. */
  async function claim(row: ApprovalDeliveryRow, now: number): Promise<boolean> {
    const result = await db
      .updateTable('approval_deliveries')
      .set({
        status: row.status === 'planned' ? 'planned' : 'sending',
        lease_owner: context.instanceId,
        lease_expires_at: now + options.notifierLeaseMs,
        updated_at: now,
      })
      .where('id', '=', row.id)
      .where('status', '=', row.status)
      .where('next_attempt_at', '<=', now)
      .where((eb) => eb.or([eb('lease_expires_at', 'is', null), eb('lease_expires_at', '<=', now)]))
      .executeTakeFirst();
    return Number(result.numUpdatedRows) === 1;
  }

  async function drainOnce(): Promise<void> {
    for (;;) {
      if (shutdown.signal.aborted) return;
      const now = context.now();
      const due = await claimable(now).selectAll().orderBy('next_attempt_at').orderBy('id').limit(batchSize).execute();
      const claimed: ApprovalDeliveryRow[] = [];
      for (const row of due) if (await claim(row, now)) claimed.push({ ...row, attempts: Number(row.attempts) });
      await Promise.all(claimed.map((row) => track(row.status === 'planned' ? expand(row) : send(row))));
      if (due.length < batchSize) break;
    }
    await armNext();
  }

  function track(work: Promise<void>): Promise<void> {
    const task = work
      .catch((error) => preloop.logger.error('approvals: a notification delivery failed unexpectedly', { error }))
      .finally(() => sending.delete(task));
    sending.add(task);
    return task;
  }

  /** Arms a timer at the next retry this instance knows of. */
  async function armNext(): Promise<void> {
    const next = await db
      .selectFrom('approval_deliveries')
      .select((eb) => eb.fn.min('next_attempt_at').as('at'))
      .where('notifier_id', 'in', ids)
      .where('status', 'in', ['planned', 'pending'])
      .executeTakeFirst();
    if (next?.at === null || next?.at === undefined || shutdown.signal.aborted) return;
    const delay = Math.max(0, Number(next.at) - context.now());
    if (delay >= options.notifierPollIntervalMs) return;
    if (timer) clearTimeout(timer);
    timer = setTimeout(() => {
      timer = null;
      wake();
    }, delay + 5);
    timer.unref?.();
  }

  function wake(): Promise<void> {
    if (ids.length === 0 || shutdown.signal.aborted) return Promise.resolve();
    if (draining) {
      again = true;
      return draining;
    }
    draining = drainOnce()
      .catch((error) => preloop.logger.warn('approvals: the notification outbox could not be read; retrying at the next poll', { error }))
      .finally(() => {
        draining = null;
        if (again) {
          again = false;
          void wake();
        }
      });
    return draining;
  }

  /** Resolves a `planned` row's approvers, mints their links and writes one row each, then marks it `expanded`. */
  async function expand(planned: ApprovalDeliveryRow): Promise<void> {
    const request = await readRequest(db, context.dialect, planned.request_id);
    if (!request) return;
    const type = planned.type as ApprovalNotificationType;
    if (type !== 'approval.resolved' && request.status !== 'pending') {
      await finish(planned, request, 'skipped', null, null);
      return;
    }
    try {
      const children = expandDelivery(
        context,
        planned,
        await recipientsOf(request, type, planned.notifier_id, await recipientFilter(context, chain, planned)),
      );
      await writeTransaction(context, async (trx) => {
        if (children.length > 0) {
          await trx
            .insertInto('approval_deliveries')
            .values(children)
            .onConflict((conflict) => conflict.columns(['request_id', 'type', 'notifier_id', 'recipient_key']).doNothing())
            .execute();
        }
        await trx
          .updateTable('approval_deliveries')
          .set({ status: 'expanded', lease_owner: null, lease_expires_at: null, updated_at: context.now() })
          .where('id', '=', planned.id)
          .execute();
      });
      again = true;
    } catch (error) {
      // Recipients or links could not be resolved (a directory or database error): retried like an attempt.
      await recordFailure(planned, request, error, planned.attempts + 1);
    }
  }

  /** Once a chained notifier failed for good, the next one in the chain goes out now: to that approver, or (channel) at once. */
  async function fallBack(row: ApprovalDeliveryRow): Promise<void> {
    const step = chain.indexOf(row.notifier_id);
    if (step < 0 || step + 1 >= chain.length || row.type === 'approval.resolved') return;
    const next = byId.get(chain[step + 1]!)!;
    const now = context.now();
    if ((next.audience ?? 'approvers') === 'approvers' && row.recipient) {
      const links: ApprovalNotificationLinks = row.links_sealed
        ? (JSON.parse(preloop.secrets.decryptForRow(linksBinding(row), row.links_sealed)) as ApprovalNotificationLinks)
        : { ...noLinks, view: options.consoleUrl(row.request_id) };
      const [child] = expandDelivery(context, { ...row, notifier_id: next.id }, [{ recipient: JSON.parse(row.recipient), links }]);
      await db
        .insertInto('approval_deliveries')
        .values(child!)
        .onConflict((conflict) => conflict.columns(['request_id', 'type', 'notifier_id', 'recipient_key']).doNothing())
        .execute();
    } else {
      await db
        .updateTable('approval_deliveries')
        .set({ next_attempt_at: now, updated_at: now })
        .where('request_id', '=', row.request_id)
        .where('type', '=', row.type)
        .where('notifier_id', '=', next.id)
        .where('status', 'in', ['planned', 'pending'])
        .where('attempts', '=', 0)
        .where('next_attempt_at', '>', now)
        .execute();
    }
    again = true;
  }

  async function recipientsOf(
    row: ApprovalRequestRow,
    type: ApprovalNotificationType,
    notifierId: string,
    include: (userId: string) => boolean,
  ) {
    const workflow = workflowOf(row);
    const sets: ApproverSet[] =
      type === 'approval.escalated'
        ? workflow.escalation
          ? [workflow.escalation.approvers]
          : []
        : row.escalated_at !== null && workflow.escalation
          ? [...workflowFactors(workflow).map((factor) => factor.approvers), workflow.escalation.approvers]
          : workflowFactors(workflow).map((factor) => factor.approvers);
    const excluded = workflow.separationOfDuties ? (JSON.parse(row.excluded_user_ids) as string[]) : [];
    const users = [];
    for (const user of await context.directory.recipients(row.account_id, sets, excluded, options.maxRecipients)) {
      if (!include(user.userId)) continue;
      // An approver who muted this notifier gets nothing from it.
      if ((await readNotificationPreferences(context, row.account_id, user.userId)).mutedNotifiers.includes(notifierId)) continue;
      users.push(user);
    }
    const deliveries = [];
    for (const user of users) {
      let links: ApprovalNotificationLinks = { ...noLinks, view: options.consoleUrl(row.id) };
      if (type !== 'approval.resolved' && options.publicUrl) {
        const link = await mintDecisionLink(context, { accountId: row.account_id, requestId: row.id, approverId: user.userId });
        links = { approve: link.approveUrl, deny: link.denyUrl, view: link.url };
      }
      deliveries.push({ recipient: { userId: user.userId, name: user.name, email: user.email }, links });
    }
    return deliveries;
  }

  /** One attempt of one claimed delivery. */
  async function send(row: ApprovalDeliveryRow): Promise<void> {
    const notifier = byId.get(row.notifier_id)!;
    const request = await readRequest(db, context.dialect, row.request_id);
    if (!request) return;
    if (row.recipient_key.startsWith(digestKeyPrefix)) return sendDigest(row, request, notifier);
    const type = row.type as ApprovalNotificationType;
    if (type !== 'approval.resolved' && request.status !== 'pending') return finish(row, request, 'skipped', null, null);
    if (type === 'approval.resolved' && row.recipient_key === '*' && chain.includes(row.notifier_id) && !(await reached(context, row)))
      return finish(row, request, 'skipped', null, null);
    const preferences = row.recipient ? await readNotificationPreferences(context, row.account_id, row.recipient_key) : null;
    const quietUntil = quietHoursEnd(preferences?.quietHours ?? null, context.now());
    if (quietUntil !== null) return postpone(row, quietUntil);
    const digests = options.digest && notifier.digests && preferences?.digest !== false ? options.digest : null;
    if (digests && type === 'approval.resolved' && (await digestedNotice(context, row))) return finish(row, request, 'skipped', null, null);
    if (digests && type === 'approval.requested' && (await overDigestLimit(context, row, digests))) {
      await holdForDigest(context, row, digests);
      again = true;
      return;
    }
    const notification: ApprovalNotification = {
      id: row.id,
      type,
      request: await getApproval(context, row.account_id, row.request_id),
      recipient: row.recipient ? (JSON.parse(row.recipient) as ApprovalNotification['recipient']) : null,
      links: linksOf(row),
    };
    const previous = type !== 'approval.requested' && notifier.update ? await earlierMessage(context, row) : null;
    await attemptAndRecord(row, request, notifier, notification, previous);
  }

  /** Quiet hours: the delivery waits, unattempted, until they end. */
  async function postpone(row: ApprovalDeliveryRow, until: number): Promise<void> {
    await db
      .updateTable('approval_deliveries')
      .set({ status: 'pending', next_attempt_at: until, lease_owner: null, lease_expires_at: null, updated_at: context.now() })
      .where('id', '=', row.id)
      .where('lease_owner', '=', context.instanceId)
      .execute();
  }

  function linksOf(row: ApprovalDeliveryRow): ApprovalNotificationLinks {
    return row.links_sealed
      ? (JSON.parse(preloop.secrets.decryptForRow(linksBinding(row), row.links_sealed)) as ApprovalNotificationLinks)
      : { ...noLinks, view: options.consoleUrl(row.request_id) };
  }

  /** One digest: the held notices of one approver still pending, as one notification; the others are skipped. */
  async function sendDigest(row: ApprovalDeliveryRow, request: ApprovalRequestRow, notifier: Notifier): Promise<void> {
    const held = await heldForDigest(context, row);
    const pending: ApprovalDeliveryRow[] = [];
    const decided: string[] = [];
    for (const entry of held) {
      if ((await readRequest(db, context.dialect, entry.request_id))?.status === 'pending') pending.push(entry);
      else decided.push(entry.id);
    }
    await settleHeld(context, decided, 'skipped');
    if (pending.length === 0) return finish(row, request, 'skipped', null, null);
    const items = await Promise.all(
      pending
        .slice(0, digestItemLimit)
        .map(async (entry) => ({ request: await getApproval(context, entry.account_id, entry.request_id), links: linksOf(entry) })),
    );
    const notification: ApprovalNotification = {
      id: row.id,
      type: 'approval.requested',
      request: items[0]!.request,
      recipient: JSON.parse(row.recipient!) as ApprovalNotification['recipient'],
      links: items[0]!.links,
      digest: { items, total: pending.length },
    };
    await attemptAndRecord(row, request, notifier, notification, null, () =>
      settleHeld(
        context,
        pending.map((entry) => entry.id),
        'digested',
      ),
    );
  }

  /** Runs one attempt and records its outcome: sent, a retry with backoff, failed or given up. */
  async function attemptAndRecord(
    row: ApprovalDeliveryRow,
    request: ApprovalRequestRow,
    notifier: Notifier,
    notification: ApprovalNotification,
    previous: { id: string; messageRef: string } | null,
    afterSent?: () => Promise<void>,
  ): Promise<void> {
    const attempt = row.attempts + 1;
    try {
      const receipt = await attemptOnce(notifier, notification, attempt, previous);
      const messageRef = receipt && typeof receipt.messageRef === 'string' ? receipt.messageRef.slice(0, 1000) : null;
      await afterSent?.();
      await finish({ ...row, attempts: attempt }, request, 'sent', null, messageRef ?? previous?.messageRef ?? null);
    } catch (error) {
      await recordFailure(row, request, error, attempt);
    }
  }

  /** A failed attempt: failed at once when permanent, given up after the last attempt, else due again after the backoff. */
  async function recordFailure(row: ApprovalDeliveryRow, request: ApprovalRequestRow, error: unknown, attempt: number): Promise<void> {
    const message = (error instanceof Error ? error.message : String(error)).slice(0, 500);
    const { retryable, retryAfterMs } = classifyNotifierFailure(error);
    if (shutdown.signal.aborted) return; // handed back by close()
    if (!retryable) return finish({ ...row, attempts: attempt }, request, 'failed', message, null);
    if (attempt >= options.notifierAttempts) return finish({ ...row, attempts: attempt }, request, 'given_up', message, null);
    const backoff = Math.min(options.notifierMaxBackoffMs, options.notifierBackoffMs * 2 ** (attempt - 1));
    const delay = Math.max(backoff / 2 + Math.random() * (backoff / 2), retryAfterMs ?? 0);
    const now = context.now();
    await db
      .updateTable('approval_deliveries')
      .set({
        status: row.status === 'planned' ? 'planned' : 'pending',
        attempts: attempt,
        next_attempt_at: Math.round(now + delay),
        lease_owner: null,
        lease_expires_at: null,
        last_error: message,
        updated_at: now,
      })
      .where('id', '=', row.id)
      .where('lease_owner', '=', context.instanceId)
      .execute();
  }

  async function attemptOnce(
    notifier: Notifier,
    notification: ApprovalNotification,
    attempt: number,
    previous: { id: string; messageRef: string } | null,
  ) {
    const controller = new AbortController();
    const onShutdown = () => controller.abort(new Error('The approval engine is closing.'));
    shutdown.signal.addEventListener('abort', onShutdown, { once: true });
    const timer = setTimeout(
      () => controller.abort(new Error(`The notifier "${notifier.id}" did not answer within ${options.notifierTimeoutMs} ms.`)),
      options.notifierTimeoutMs,
    );
    try {
      const call = previous
        ? () =>
            notifier.update!(notification, { attempt, signal: controller.signal, messageRef: previous.messageRef, previousId: previous.id })
        : () => notifier.notify(notification, { attempt, signal: controller.signal });
      return await Promise.race([
        Promise.resolve().then(call) as Promise<void | NotifyReceipt>,
        new Promise<never>((_, reject) =>
          controller.signal.addEventListener('abort', () => reject(controller.signal.reason), { once: true }),
        ),
      ]);
    } finally {
      clearTimeout(timer);
      shutdown.signal.removeEventListener('abort', onShutdown);
    }
  }

  /** Records a final state: the row, then the audit record (and the timeline and an event on failure). */
  async function finish(
    row: ApprovalDeliveryRow,
    request: ApprovalRequestRow,
    status: 'sent' | 'failed' | 'given_up' | 'skipped',
    error: string | null,
    messageRef: string | null,
  ): Promise<void> {
    const now = context.now();
    const summary = {
      delivery: row.id,
      notifier: row.notifier_id,
      type: row.type,
      recipient: row.recipient_key === '*' ? null : row.recipient_key || null,
      status,
      attempts: row.attempts,
    };
    await writeTransaction(context, async (trx) => {
      await trx
        .updateTable('approval_deliveries')
        .set({
          status,
          attempts: row.attempts,
          lease_owner: null,
          lease_expires_at: null,
          last_error: error,
          message_ref: messageRef,
          sent_at: status === 'sent' ? now : null,
          updated_at: now,
        })
        .where('id', '=', row.id)
        .execute();
      if (status === 'failed' || status === 'given_up') await addTimeline(trx, request, now, 'notify_failed', null, { ...summary, error });
      // A digest that failed for good takes its held notices with it.
      if ((status === 'failed' || status === 'given_up') && row.recipient_key.startsWith(digestKeyPrefix)) {
        await trx
          .updateTable('approval_deliveries')
          .set({ status, last_error: error, updated_at: now })
          .where('notifier_id', '=', row.notifier_id)
          .where('recipient_key', '=', row.recipient_key.slice(digestKeyPrefix.length))
          .where('status', '=', 'held')
          .execute();
      }
    });
    if (status === 'failed' || status === 'given_up') {
      await fallBack(row).catch((failure) =>
        preloop.logger.warn('approvals: could not start the next channel of the fallback chain', { error: failure, id: row.id }),
      );
      preloop.events.emit('approval-notifier-failed', {
        accountId: request.account_id,
        requestId: request.id,
        notifierId: row.notifier_id,
        type: row.type as ApprovalNotificationType,
        attempts: row.attempts,
        error: error ?? '',
      });
    }
    await runEffects(context, [
      {
        kind: 'audit',
        input: {
          accountId: request.account_id,
          actor: engineActor,
          action: 'approval.notify',
          target: { type: 'approval', id: request.id },
          outcome: status === 'sent' ? 'success' : status === 'skipped' ? 'skipped' : 'failure',
          runtimeSessionId: request.runtime_session_id,
          data: error ? { ...summary, error: error.slice(0, 200) } : summary,
        },
      },
    ]);
  }

  return {
    enqueue: (trx, row, type) => enqueueNotification(context, trx, notifiers, row, type),
    inFlight: () => sending.size,
    dispatch() {
      void wake();
    },
    async idle() {
      if (ids.length === 0) return;
      for (;;) {
        // Waits for a running drain without asking for another one (which would loop forever).
        await (draining ?? wake());
        await Promise.allSettled([...sending]);
        if (draining) continue;
        const next = await openWork(context, ids);
        if (next === null || shutdown.signal.aborted) return;
        await new Promise((resolve) => setTimeout(resolve, Math.min(250, Math.max(5, next - context.now()))));
      }
    },
    async close() {
      shutdown.abort();
      if (poll) clearInterval(poll);
      if (timer) clearTimeout(timer);
      await Promise.race([Promise.allSettled([draining, ...sending]), new Promise((resolve) => setTimeout(resolve, 2000).unref?.())]);
      if (ids.length === 0) return;
      // Attempts cut short are handed back at once rather than when their lease lapses (their outcome is unknown: the idempotency key covers a resend).
      await db
        .updateTable('approval_deliveries')
        .set({
          status: sql<string>`case when status = 'planned' then 'planned' else 'pending' end`,
          lease_owner: null,
          lease_expires_at: null,
        })
        .where('lease_owner', '=', context.instanceId)
        .where('status', 'in', ['planned', 'sending'])
        .execute()
        .catch(() => {});
    },
  };
}
