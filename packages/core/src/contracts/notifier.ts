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
  /** Stable across retries of this delivery: use it as an idempotency key (for example the webhook id). */
  id: string;
  type: ApprovalNotificationType;
  request: ApprovalRequestView;
  /** The approver this notification is for (audience `approvers`), or null (audience `channel`). */
  recipient: { userId: string; name: string; email: string } | null;
  /** Single-use decision links personal to `recipient`; approve and deny are null for `approval.resolved`. */
  links: ApprovalNotificationLinks;
}

/** What a notifier receives besides the notification. */
export interface NotifyContext {
  /** 1 for the first attempt, then 2, 3… for retries of the same notification. */
  attempt: number;
  /** Aborted when the attempt times out or the server shuts down. */
  signal: AbortSignal;
}

/**
 * A notification channel for approvals (contract version 1): email, Slack,
 * webhook, push. Plugins contribute notifiers through `contributions.notifiers`.
 * `notify` throws (or rejects) to ask for a retry; the engine retries with
 * exponential backoff, never waits for it to answer a tool call, and never
 * treats anything it returns as a decision.
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
  /** Delivers one notification; throw to have it retried. */
  notify(notification: ApprovalNotification, context: NotifyContext): Promise<void>;
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
  if (typeof candidate.id !== 'string' || candidate.id.length === 0) problems.push(`"id" must be a non-empty string (got ${describeValue(candidate.id)})`);
  if (candidate.version !== notifierContractVersion) problems.push(`"version" must be ${notifierContractVersion} (got ${describeValue(candidate.version)})`);
  if (typeof candidate.notify !== 'function') problems.push(`"notify" must be a function`);
  if (candidate.audience !== undefined && candidate.audience !== 'approvers' && candidate.audience !== 'channel') {
    problems.push(`"audience" must be "approvers" or "channel" (got ${describeValue(candidate.audience)})`);
  }
  return problems;
}
