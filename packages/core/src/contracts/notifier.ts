import type { PrincipalType } from '../identity/principal.js';
import type { ArgumentRedaction } from '../redaction/redact-arguments.js';
import type { ApprovalKind, ApprovalStatus } from './approval.js';
import { describeValue } from './describe-value.js';

/** The version of the notifier contract described in this file. */
export const notifierContractVersion = 1;

/** What an approval notification announces. */
export type ApprovalNotificationType = 'approval.requested' | 'approval.escalated' | 'approval.resolved';

/**
 * An approval request as notifiers, the admin API and the console see it: the
 * exact call to approve, who asks, and where it stands. It never carries the
 * executed call's result.
 */
export interface ApprovalRequestView {
  id: string;
  accountId: string;
  status: ApprovalStatus;
  kind: ApprovalKind;
  /** The tool and the hash of its pinned definition. */
  tool: { name: string; definitionHash: string | null };
  /**
   * The arguments as they may be shown (`redactArguments`): secret-named
   * fields read `[redacted]`, credential-shaped values `[redacted:<kind>]`,
   * strings over 4 KB end with `…[truncated N bytes; sha256 …]`, the whole
   * stays under 64 KB. The exact arguments are behind `argsHash`
   * (`GET /approvals/:id/arguments`, audited).
   */
  args: Record<string, unknown>;
  /** Every place in `args` that was redacted or cut, with its path, so a viewer can mark it. */
  argsRedactions: ArgumentRedaction[];
  /** SHA-256 (hex) of the canonical JSON of the exact arguments, as bound at creation. */
  argsHash: string;
  /** Who asked. */
  subject: { type: PrincipalType; id: string; name: string; userId: string | null; apiKeyId: string | null; agentId: string | null };
  runtimeSessionId: string | null;
  /**
   * The workflow it runs under (snapshot taken at creation). `quorum` is the
   * approvals needed in all (with factors: the sum of the factors' quorums);
   * `factors`, when the workflow has them, lists each factor and its quorum.
   */
  workflow: { name: string; quorum: number; requireReason: boolean; escalates: boolean; factors?: Array<{ name: string; quorum: number }> };
  /** Why policy asked for approval. */
  reason: string | null;
  /** The agent's own justification (untrusted). */
  justification: string | null;
  /** For questions: the text, the options and whether free text is allowed. */
  question: { text: string; options: string[]; allowFreeText: boolean } | null;
  /** Distinct approvers who voted each way so far. */
  votes: { approve: number; deny: number };
  createdAt: number;
  /** The current deadline (epoch ms); escalation moves it once. */
  expiresAt: number;
  escalatedAt: number | null;
  decidedAt: number | null;
  /** The user whose vote resolved it, or null (timeout, cancel, flood control). */
  decidedBy: string | null;
  /** The resolving approver's comment. */
  comment: string | null;
  /** The answer to a question. */
  answer: string | null;
  /** Why it ended without an approver saying so: `timeout`, `flood_control: …`, a cancel reason. */
  outcomeReason: string | null;
  executedAt: number | null;
  /**
   * The execution claim of an approved call: when it was claimed and until when
   * its lease runs (renewed while the call runs); null when not claimed.
   */
  execution?: { claimedAt: number; leaseExpiresAt: number | null; idempotent: boolean } | null;
}

/** The links an approver can use to decide; null when no public URL is configured or the notification is not personal. */
export interface ApprovalNotificationLinks {
  /** Opens the confirm page with Approve selected (a GET never decides). */
  approve: string | null;
  /** Opens the confirm page with Deny selected. */
  deny: string | null;
  /** Opens the confirm page (or the console page for channel notifications). */
  view: string | null;
}

/** One notification handed to a notifier. */
export interface ApprovalNotification {
  /**
   * The idempotency key of this delivery (one notification, one recipient, one
   * notifier): the same on every attempt, after a restart and on any
   * instance. Send it where the channel deduplicates (the webhook id, an
   * email's Message-ID, an API's idempotency key or message metadata).
   */
  id: string;
  type: ApprovalNotificationType;
  request: ApprovalRequestView;
  /** The approver this notification is for (audience `approvers`), or null (audience `channel`). */
  recipient: { userId: string; name: string; email: string } | null;
  /** Single-use decision links personal to `recipient`; approve and deny are null for `approval.resolved`. */
  links: ApprovalNotificationLinks;
  /**
   * Flood control: present on an `approval.requested` notification that
   * stands for several requests held back for this recipient (only sent to
   * notifiers with `digests: true`). `request` and `links` are the first item's.
   */
  digest?: ApprovalDigest;
}

/** Several pending requests sent to one approver as one message. */
export interface ApprovalDigest {
  /** The requests still pending, oldest first, each with the recipient's links (at most 50). */
  items: Array<{ request: ApprovalRequestView; links: ApprovalNotificationLinks }>;
  /** How many requests the digest stands for (more than `items.length` when cut). */
  total: number;
}

/** What a notifier receives besides the notification. */
export interface NotifyContext {
  /** 1 for the first attempt, then 2, 3… for retries of the same notification (counted across restarts). */
  attempt: number;
  /** Aborted when the attempt times out or the server shuts down. */
  signal: AbortSignal;
}

/**
 * What `notify` may return: the channel's reference to the message it sent
 * (for example a Slack channel and `ts`), kept with the delivery so that
 * `update` can edit that message later. Nothing returned is ever a decision.
 */
export interface NotifyReceipt {
  /** Opaque to the engine, at most 1,000 characters; null when the channel has no message to edit. */
  messageRef?: string | null;
}

/** What `update` receives besides the notification. */
export interface NotifyUpdateContext extends NotifyContext {
  /** The `messageRef` returned by `notify` for the earlier notification to the same recipient. */
  messageRef: string;
  /** The id (idempotency key) of that earlier notification. */
  previousId: string;
}

/** Options of {@link NotifierError}. */
export interface NotifierErrorOptions {
  /** False when sending again cannot succeed (unknown address, rejected content, revoked token): the delivery fails at once. @default true */
  retryable?: boolean;
  /** The channel asked to wait this long before the next attempt (HTTP `Retry-After`, Slack `ratelimited`). @default null */
  retryAfterMs?: number | null;
  /** The underlying error, kept for logs. */
  cause?: unknown;
}

/**
 * A failed delivery, classified: `retryable` (the engine tries again with
 * backoff) or permanent (the delivery is marked failed at once and the next
 * channel, if any, takes over). Any other thrown value counts as retryable.
 * Its message is stored and shown to admins: never put a credential in it.
 *
 * @example
 * ```ts
 * if (response.status === 404) throw new NotifierError('slack: channel_not_found', { retryable: false });
 * ```
 */
export class NotifierError extends Error {
  /** Whether sending again may succeed. */
  readonly retryable: boolean;
  /** How long the channel asked to wait before the next attempt, or null. */
  readonly retryAfterMs: number | null;

  constructor(message: string, options: NotifierErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'NotifierError';
    this.retryable = options.retryable ?? true;
    this.retryAfterMs = options.retryAfterMs ?? null;
  }
}

/**
 * How the engine reads a notifier's failure: permanent only when the error
 * says `retryable: false` (a {@link NotifierError} or any error with that
 * property); `retryAfterMs` when it carries a non-negative number.
 *
 * @example
 * ```ts
 * classifyNotifierFailure(new NotifierError('gone', { retryable: false })); // { retryable: false, retryAfterMs: null }
 * ```
 */
export function classifyNotifierFailure(error: unknown): { retryable: boolean; retryAfterMs: number | null } {
  if (typeof error !== 'object' || error === null) return { retryable: true, retryAfterMs: null };
  const candidate = error as { retryable?: unknown; retryAfterMs?: unknown };
  const retryAfterMs =
    typeof candidate.retryAfterMs === 'number' && Number.isFinite(candidate.retryAfterMs) && candidate.retryAfterMs >= 0
      ? candidate.retryAfterMs
      : null;
  return { retryable: candidate.retryable !== false, retryAfterMs };
}

/**
 * A notification channel for approvals (contract version 1): email, Slack,
 * webhook, push. Plugins contribute notifiers through `contributions.notifiers`.
 *
 * The engine keeps every delivery in a durable outbox and calls `notify` with
 * the delivery's id as idempotency key, retrying with exponential backoff
 * across restarts and instances. `notify` resolves once the channel accepted
 * the message, and rejects otherwise: with a {@link NotifierError}
 * `{ retryable: false }` when sending again cannot help, anything else to
 * ask for a retry. It never waits for a tool call, and nothing it returns is a
 * decision.
 *
 * A message shows at least the tool name, who asks (`request.subject.name`),
 * the arguments, the reason and justification when present, a question's text
 * and options, and every non-null link; an `approval.resolved` message shows
 * the outcome (`request.status`). Arguments come redacted (`request.args`):
 * show them as they are (cut to the channel's size limit if needed), and never
 * the notifier's own credentials. `@preloop/core/testing`'s
 * `notifierConformance` checks these promises against the channel's wire
 * protocol.
 */
export interface Notifier {
  /** Unique among installed notifiers, for example `webhook` or `slack`. */
  id: string;
  /** The contract version implemented: 1. */
  version: 1;
  /**
   * `approvers`: one notification per eligible approver, with that approver's
   * personal decision links. `channel`: one notification per event, without
   * decision links (a shared room or feed). @default 'approvers'
   */
  audience?: 'approvers' | 'channel';
  /**
   * Whether the notifier shows a digest (`notification.digest`): when an
   * agent floods an approver, the engine then sends one message listing the
   * requests instead of one each. @default false
   */
  digests?: boolean;
  /**
   * Delivers one notification; resolves when the channel accepted it (with a
   * receipt naming the message when it can be edited later), rejects to have
   * it retried (or with `NotifierError { retryable: false }` to fail it).
   */
  notify(notification: ApprovalNotification, context: NotifyContext): Promise<void | NotifyReceipt>;
  /**
   * Optional: edits a message sent earlier in place (Slack `chat.update`).
   * When present, the engine calls it instead of `notify` for an
   * `approval.escalated` or `approval.resolved` notification to a recipient
   * whose earlier notification returned a `messageRef`. Same failure rules
   * as `notify`.
   */
  update?(notification: ApprovalNotification, context: NotifyUpdateContext): Promise<void | NotifyReceipt>;
}

/**
 * True when `value` implements the notifier contract (version 1).
 *
 * @example
 * ```ts
 * if (!isNotifier(candidate)) throw new Error('not a notifier');
 * ```
 */
export function isNotifier(value: unknown): value is Notifier {
  return findNotifierProblems(value).length === 0;
}

/**
 * What keeps `value` from implementing the notifier contract (version 1), one
 * sentence per problem; empty when it is a notifier.
 *
 * @example
 * ```ts
 * findNotifierProblems({ id: 'slack', version: 2 });
 * // ['"version" must be 1 (got 2)', '"notify" must be a function']
 * ```
 */
export function findNotifierProblems(value: unknown): string[] {
  if (typeof value !== 'object' || value === null) return [`must be an object ({ id, version: 1, notify }), not ${describeValue(value)}`];
  const candidate = value as Partial<Record<keyof Notifier, unknown>>;
  const problems: string[] = [];
  if (typeof candidate.id !== 'string' || candidate.id.length === 0)
    problems.push(`"id" must be a non-empty string (got ${describeValue(candidate.id)})`);
  if (candidate.version !== notifierContractVersion)
    problems.push(`"version" must be ${notifierContractVersion} (got ${describeValue(candidate.version)})`);
  if (typeof candidate.notify !== 'function') problems.push(`"notify" must be a function`);
  if (candidate.digests !== undefined && typeof candidate.digests !== 'boolean')
    problems.push(`"digests" must be a boolean when present (got ${describeValue(candidate.digests)})`);
  if (candidate.update !== undefined && typeof candidate.update !== 'function')
    problems.push(`"update" must be a function when present (got ${describeValue(candidate.update)})`);
  if (candidate.audience !== undefined && candidate.audience !== 'approvers' && candidate.audience !== 'channel') {
    problems.push(`"audience" must be "approvers" or "channel" (got ${describeValue(candidate.audience)})`);
  }
  return problems;
}
