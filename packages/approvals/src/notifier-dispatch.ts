import { createId, workflowFactors, type ApprovalNotification, type ApprovalNotificationLinks, type ApprovalNotificationType, type Notifier } from '@preloop/core';
import { mintDecisionLink } from './decision-links.js';
import { addTimeline, engineActor, readRequest, runEffects, writeTransaction, type EngineContext } from './engine-context.js';
import { getApproval } from './queries.js';
import type { ApprovalRequestRow } from './tables.js';
import { workflowOf } from './views.js';
import type { ApproverSet } from './workflows.js';

/** Sends approval notifications through every notifier, in the background, with retries. */
export interface NotifierDispatch {
  /** Starts delivering a notification about `row`; never throws, never waits for delivery. */
  dispatch(row: ApprovalRequestRow, type: ApprovalNotificationType): void;
  /** Resolves when every delivery started so far has finished (for tests and shutdown). */
  idle(): Promise<void>;
  /** How many notifications are being delivered or waiting to be retried. */
  inFlight(): number;
  /** Aborts deliveries in flight and stops retrying. */
  close(): Promise<void>;
}

type Delivery = { recipient: ApprovalNotification['recipient']; links: ApprovalNotificationLinks };

const noLinks: ApprovalNotificationLinks = { approve: null, deny: null, view: null };

/**
 * Creates the dispatcher over `notifiers`. Each notification goes to each
 * notifier: per eligible approver with personal single-use links (audience
 * `approvers`), or once (audience `channel`). A failed attempt is retried with
 * exponential backoff and jitter (`notifierBackoffMs` doubling up to
 * `notifierMaxBackoffMs`, at most `notifierAttempts` attempts, each limited to
 * `notifierTimeoutMs`); retries of a request or escalation notice stop once the
 * request is no longer pending. Nothing a notifier does or returns can decide a
 * request. Final failures emit `approval-notifier-failed`; every notifier's
 * result per notification is audited (`approval.notify`).
 *
 * @example
 * ```ts
 * const dispatch = createNotifierDispatch(context, notifiers);
 * dispatch.dispatch(row, 'approval.requested');
 * ```
 */
export function createNotifierDispatch(context: EngineContext, notifiers: readonly Notifier[]): NotifierDispatch {
  const { options, preloop } = context;
  const inFlight = new Set<Promise<void>>();
  const shutdown = new AbortController();

  const sleep = (ms: number) =>
    new Promise<void>((resolve) => {
      if (shutdown.signal.aborted) return resolve();
      const timer = setTimeout(done, ms);
      function done() {
        clearTimeout(timer);
        shutdown.signal.removeEventListener('abort', done);
        resolve();
      }
      shutdown.signal.addEventListener('abort', done, { once: true });
    });

  async function stillPending(id: string): Promise<boolean> {
    const row = await readRequest(context.db, context.dialect, id);
    return row?.status === 'pending';
  }

  async function attemptOnce(notifier: Notifier, notification: ApprovalNotification, attempt: number): Promise<void> {
    const controller = new AbortController();
    const onShutdown = () => controller.abort(new Error('The approval engine is closing.'));
    shutdown.signal.addEventListener('abort', onShutdown, { once: true });
    const timer = setTimeout(() => controller.abort(new Error(`The notifier "${notifier.id}" did not answer within ${options.notifierTimeoutMs} ms.`)), options.notifierTimeoutMs);
    try {
      await Promise.race([
        Promise.resolve().then(() => notifier.notify(notification, { attempt, signal: controller.signal })),
        new Promise<never>((_, reject) => controller.signal.addEventListener('abort', () => reject(controller.signal.reason), { once: true })),
      ]);
    } finally {
      clearTimeout(timer);
      shutdown.signal.removeEventListener('abort', onShutdown);
    }
  }

  /** Delivers one notification to one notifier with retries; returns the attempts used and the last error, if it failed. */
  async function deliver(notifier: Notifier, notification: ApprovalNotification): Promise<{ attempts: number; error: Error | null; skipped: boolean }> {
    let lastError: Error | null = null;
    for (let attempt = 1; attempt <= options.notifierAttempts; attempt += 1) {
      if (shutdown.signal.aborted) return { attempts: attempt - 1, error: lastError ?? new Error('closed'), skipped: false };
      if (attempt > 1 && notification.type !== 'approval.resolved' && !(await stillPending(notification.request.id))) {
        return { attempts: attempt - 1, error: null, skipped: true };
      }
      try {
        await attemptOnce(notifier, notification, attempt);
        return { attempts: attempt, error: null, skipped: false };
      } catch (error) {
        lastError = error instanceof Error ? error : new Error(String(error));
      }
      if (attempt < options.notifierAttempts) {
        const backoff = Math.min(options.notifierMaxBackoffMs, options.notifierBackoffMs * 2 ** (attempt - 1));
        await sleep(backoff / 2 + Math.random() * (backoff / 2));
      }
    }
    return { attempts: options.notifierAttempts, error: lastError, skipped: false };
  }

  async function deliveriesFor(row: ApprovalRequestRow, type: ApprovalNotificationType): Promise<Delivery[]> {
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
    const recipients = await context.directory.recipients(row.account_id, sets, excluded, options.maxRecipients);
    const deliveries: Delivery[] = [];
    for (const user of recipients) {
      let links = noLinks;
      if (type !== 'approval.resolved' && options.publicUrl) {
        const link = await mintDecisionLink(context, { accountId: row.account_id, requestId: row.id, approverId: user.userId });
        links = { approve: link.approveUrl, deny: link.denyUrl, view: link.url };
      } else {
        links = { ...noLinks, view: options.consoleUrl(row.id) };
      }
      deliveries.push({ recipient: { userId: user.userId, name: user.name, email: user.email }, links });
    }
    return deliveries;
  }

  async function run(row: ApprovalRequestRow, type: ApprovalNotificationType): Promise<void> {
    const request = await getApproval(context, row.account_id, row.id);
    const needsApprovers = notifiers.some((notifier) => (notifier.audience ?? 'approvers') === 'approvers');
    const personal = needsApprovers ? await deliveriesFor(row, type) : [];
    await Promise.all(
      notifiers.map(async (notifier) => {
        const deliveries: Delivery[] =
          (notifier.audience ?? 'approvers') === 'channel' ? [{ recipient: null, links: { ...noLinks, view: options.consoleUrl(row.id) } }] : personal;
        const results = await Promise.all(
          deliveries.map(async (delivery) => {
            const notification: ApprovalNotification = { id: createId('ntf'), type, request, recipient: delivery.recipient, links: delivery.links };
            const result = await deliver(notifier, notification);
            if (result.error) {
              preloop.events.emit('approval-notifier-failed', {
                accountId: row.account_id,
                requestId: row.id,
                notifierId: notifier.id,
                type,
                attempts: result.attempts,
                error: result.error.message.slice(0, 500),
              });
            }
            return result;
          }),
        );
        const failed = results.filter((result) => result.error !== null).length;
        const delivered = results.filter((result) => result.error === null && !result.skipped).length;
        const summary = { notifier: notifier.id, type, recipients: deliveries.length, delivered, failed, attempts: results.reduce((sum, result) => sum + result.attempts, 0) };
        await writeTransaction(context, (trx) => addTimeline(trx, row, context.now(), failed > 0 ? 'notify_failed' : 'notified', null, summary)).catch(() => {});
        await runEffects(context, [
          {
            kind: 'audit',
            input: {
              accountId: row.account_id,
              actor: engineActor,
              action: 'approval.notify',
              target: { type: 'approval', id: row.id },
              outcome: failed > 0 ? 'failure' : 'success',
              runtimeSessionId: row.runtime_session_id,
              data: { ...summary, errors: results.filter((result) => result.error).map((result) => result.error!.message.slice(0, 200)).slice(0, 5) },
            },
          },
        ]);
      }),
    );
  }

  return {
    inFlight: () => inFlight.size,
    dispatch(row, type) {
      if (notifiers.length === 0 || shutdown.signal.aborted) return;
      const task = run(row, type)
        .catch((error) => preloop.logger.error('approvals: notification dispatch failed', { error, id: row.id, type }))
        .finally(() => inFlight.delete(task));
      inFlight.add(task);
    },
    async idle() {
      while (inFlight.size > 0) await Promise.allSettled([...inFlight]);
    },
    async close() {
      shutdown.abort();
      await Promise.race([Promise.allSettled([...inFlight]), new Promise((resolve) => setTimeout(resolve, 2000).unref?.())]);
    },
  };
}
