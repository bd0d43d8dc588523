import { PreloopError, findNotifierProblems, type Notifier, type Preloop } from '@preloop/core';
import type { ApprovalWorkflowInput, WorkflowResolver } from './workflows.js';

/** Options of the {@link approvals} plugin. */
export interface ApprovalsOptions {
  /**
   * Workflows by name, used before the active policy's (handy for hosts and
   * tests; timeouts may be as short as 1 s here). @default {}
   */
  workflows?: Record<string, ApprovalWorkflowInput>;
  /** Your own workflow lookup, tried first; return null to fall through. @default none */
  resolveWorkflow?: WorkflowResolver;
  /** The workflow used when none of the lookups knows the name. @default one approval by an owner or admin within 300 s */
  defaultWorkflow?: ApprovalWorkflowInput;
  /** Most pending requests one subject (principal) may have; beyond it new requests are denied. @default 20 */
  maxPendingPerSubject?: number;
  /**
   * The server's public base URL (for example `https://preloop.example.com`),
   * used to build decision links in notifications. Without it, notifications
   * carry no links. @default process.env.PRELOOP_PUBLIC_URL, else none
   */
  publicUrl?: string | null;
  /** The console page of a request, for channel notifications and resolved notices. @default `${publicUrl}/approvals/${id}` when `publicUrl` is set */
  consoleUrl?: (requestId: string) => string | null;
  /** Lifetime of decision links, in seconds. @default 86400 */
  linkTtlSeconds?: number;
  /** Notifiers besides those contributed by plugins (`contributions.notifiers`). @default [] */
  notifiers?: Notifier[];
  /** Attempts per notification (the first included). @default 5 */
  notifierAttempts?: number;
  /** First retry delay in ms; it doubles each retry (with jitter). @default 1000 */
  notifierBackoffMs?: number;
  /** Longest retry delay, in ms. @default 30000 */
  notifierMaxBackoffMs?: number;
  /** Time allowed for one notifier attempt, in ms. @default 10000 */
  notifierTimeoutMs?: number;
  /**
   * How long an instance holds a delivery it is sending, in ms; when the
   * instance dies, another one (or the restarted one) takes the delivery over
   * once the lease lapses and sends it again under the same idempotency key.
   * Must exceed `notifierTimeoutMs`. @default 30000, or twice `notifierTimeoutMs` when that is longer
   */
  notifierLeaseMs?: number;
  /** How often each instance looks for due deliveries in the outbox besides its own commits and retry timers, in ms. @default 2000 */
  notifierPollIntervalMs?: number;
  /**
   * Escalation across channels: the notifiers (by id) tried one after another
   * for request and escalation notices, instead of all at once. The first
   * goes out at once; each next one goes to an approver when the previous one
   * failed for that approver (`failed` or `given_up`), or `afterSeconds`
   * after the notice when the approver has not reacted (voted) by then; all
   * of it is skipped once the request is decided. A resolved notice goes only
   * to the approvers a chained notifier reached. Notifiers not named here are
   * sent at once, as usual. For example
   * `[{ notifier: 'push' }, { notifier: 'slack', afterSeconds: 30 }, { notifier: 'email', afterSeconds: 60 }]`.
   * @default [] (every notifier at once)
   */
  fallback?: Array<{ notifier: string; afterSeconds?: number }>;
  /**
   * Flood control per approver: through a notifier that shows digests
   * (`digests: true`), an approver gets at most `after` request notices in
   * `windowSeconds`; the next ones are held and go out together as one
   * digest at the end of the window (only those still pending). `false`
   * sends every notice. @default { after: 5, windowSeconds: 60 }
   */
  digest?: { after?: number; windowSeconds?: number } | false;
  /** Most approvers notified per request and notification. @default 50 */
  maxRecipients?: number;
  /** How often a waiting call re-reads its request in case a Bus signal was missed, in ms. @default 5000 */
  pollIntervalMs?: number;
  /** How often the scheduler sweeps for overdue requests besides its precise timer, in ms. @default 15000 */
  sweepIntervalMs?: number;
  /** How long an executed (or approved) request answers identical retries with its stored result, in seconds. @default 86400 */
  reuseResultSeconds?: number;
  /**
   * Length of an execution claim's lease, in seconds. The instance running an
   * approved call renews it every third of this while the call runs; when the
   * instance dies, the lease lapses and the request becomes `execution_unknown`
   * (or claimable again, for an idempotent tool). An identical retry learns
   * this within about one lease. @default 30
   */
  executionLeaseSeconds?: number;
  /**
   * How workflows with an `aiReviewer` reach their model: through the model
   * gateway, in-process, so the reviewer's calls are governed (kill switch,
   * policy, budgets), metered and audited like any agent's. `gateway` builds
   * the gateway's web handler once, on the first review (pass
   * `(preloop) => createGateway(preloop)` from `@preloop/gateway`); the
   * reviewer calls its OpenAI chat completions route with a runtime
   * credential of the account's reviewer agent (`agentName`, enrolled on first
   * use, kind `ai_reviewer`). Without it, an AI reviewer has no model and its
   * workflow's `fallback` applies. @default none
   */
  aiReviewer?: {
    gateway: (preloop: Preloop) => (request: Request) => Promise<Response>;
    /** Name of the managed agent the reviewer acts as, per account. @default 'preloop-ai-reviewer' */
    agentName?: string;
    /** The gateway's OpenAI base path. @default '/openai' */
    basePath?: string;
  };
  /** The clock, in epoch ms (tests move it). @default Date.now */
  clock?: () => number;
}

/** Options after validation and defaults. */
export interface ResolvedApprovalsOptions {
  workflows: Record<string, ApprovalWorkflowInput>;
  resolveWorkflow: WorkflowResolver | undefined;
  defaultWorkflow: ApprovalWorkflowInput | undefined;
  maxPendingPerSubject: number;
  publicUrl: string | null;
  consoleUrl: (requestId: string) => string | null;
  linkTtlSeconds: number;
  notifiers: Notifier[];
  notifierAttempts: number;
  notifierBackoffMs: number;
  notifierMaxBackoffMs: number;
  notifierTimeoutMs: number;
  notifierLeaseMs: number;
  notifierPollIntervalMs: number;
  /** The fallback chain, with each step's delay after the notice in ms (the first step's is 0). */
  fallback: Array<{ notifier: string; afterMs: number }>;
  /** Flood control per approver, or null when off. */
  digest: { after: number; windowMs: number } | null;
  maxRecipients: number;
  pollIntervalMs: number;
  sweepIntervalMs: number;
  reuseResultSeconds: number;
  executionLeaseSeconds: number;
  aiReviewer: { gateway: (preloop: Preloop) => (request: Request) => Promise<Response>; agentName: string; basePath: string } | null;
  clock: () => number;
}

function integer(name: string, value: number | undefined, fallback: number, min: number, max: number): number {
  if (value === undefined) return fallback;
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new PreloopError(
      'CONFIGURATION_ERROR',
      `approvals: option "${name}" must be an integer from ${min} to ${max}; got ${String(value)}.`,
    );
  }
  return value;
}

function resolveAiReviewerOption(option: ApprovalsOptions['aiReviewer']): ResolvedApprovalsOptions['aiReviewer'] {
  if (option === undefined) return null;
  if (typeof option !== 'object' || option === null || typeof option.gateway !== 'function') {
    throw new PreloopError(
      'CONFIGURATION_ERROR',
      'approvals: option "aiReviewer.gateway" must be a function (preloop) => gateway web handler, for example (preloop) => createGateway(preloop).',
    );
  }
  const agentName = option.agentName ?? 'preloop-ai-reviewer';
  if (typeof agentName !== 'string' || agentName.trim() === '' || agentName.length > 200) {
    throw new PreloopError(
      'CONFIGURATION_ERROR',
      'approvals: option "aiReviewer.agentName" must be a non-empty name of at most 200 characters.',
    );
  }
  const basePath = option.basePath ?? '/openai';
  if (typeof basePath !== 'string' || !/^\/[A-Za-z0-9/_-]*$/.test(basePath)) {
    throw new PreloopError(
      'CONFIGURATION_ERROR',
      `approvals: option "aiReviewer.basePath" must be a path such as /openai; got "${String(basePath)}".`,
    );
  }
  return { gateway: option.gateway, agentName, basePath: basePath.replace(/\/+$/, '') };
}

/**
 * Validates the plugin's options and fills in defaults; a bad value is a
 * `CONFIGURATION_ERROR` naming the option.
 *
 * @example
 * ```ts
 * const resolved = resolveApprovalsOptions({ maxPendingPerSubject: 5 });
 * ```
 */
export function resolveApprovalsOptions(options: ApprovalsOptions = {}): ResolvedApprovalsOptions {
  const rawUrl = options.publicUrl === undefined ? (process.env.PRELOOP_PUBLIC_URL ?? null) : options.publicUrl;
  let publicUrl: string | null = null;
  if (rawUrl) {
    try {
      const url = new URL(rawUrl);
      if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new Error('not http(s)');
      publicUrl = url.toString().replace(/\/+$/, '');
    } catch {
      throw new PreloopError(
        'CONFIGURATION_ERROR',
        `approvals: option "publicUrl" must be an http(s) URL such as https://preloop.example.com; got "${rawUrl}".`,
      );
    }
  }
  for (const [index, notifier] of (options.notifiers ?? []).entries()) {
    const problems = findNotifierProblems(notifier);
    if (problems.length > 0) {
      throw new PreloopError(
        'CONFIGURATION_ERROR',
        `approvals: option "notifiers[${index}]" is not a version 1 notifier: ${problems.join('; ')}.`,
      );
    }
  }
  const notifierTimeoutMs = integer('notifierTimeoutMs', options.notifierTimeoutMs, 10_000, 1, 600_000);
  const notifierLeaseMs = integer('notifierLeaseMs', options.notifierLeaseMs, Math.max(30_000, notifierTimeoutMs * 2), 2, 3_600_000);
  if (notifierLeaseMs <= notifierTimeoutMs) {
    throw new PreloopError(
      'CONFIGURATION_ERROR',
      `approvals: option "notifierLeaseMs" (${notifierLeaseMs}) must exceed "notifierTimeoutMs" (${notifierTimeoutMs}), so an attempt ends before another instance may take the delivery over.`,
    );
  }
  const fallback = (options.fallback ?? []).map((step, index) => {
    if (typeof step !== 'object' || step === null || typeof step.notifier !== 'string' || step.notifier === '') {
      throw new PreloopError('CONFIGURATION_ERROR', `approvals: option "fallback[${index}].notifier" must be a notifier id.`);
    }
    const afterSeconds = integer(`fallback[${index}].afterSeconds`, step.afterSeconds, 0, 0, 86_400);
    if (index === 0 && afterSeconds !== 0)
      throw new PreloopError(
        'CONFIGURATION_ERROR',
        'approvals: option "fallback[0].afterSeconds" must be 0 (the first channel goes out at once).',
      );
    return { notifier: step.notifier, afterMs: afterSeconds * 1000 };
  });
  fallback.forEach((step, index) => {
    if (fallback.findIndex((other) => other.notifier === step.notifier) !== index)
      throw new PreloopError('CONFIGURATION_ERROR', `approvals: option "fallback" names "${step.notifier}" twice.`);
    if (index > 0 && step.afterMs < fallback[index - 1]!.afterMs) {
      throw new PreloopError(
        'CONFIGURATION_ERROR',
        `approvals: option "fallback[${index}].afterSeconds" must not be less than the step before it (delays count from the notice).`,
      );
    }
  });
  return {
    workflows: options.workflows ?? {},
    resolveWorkflow: options.resolveWorkflow,
    defaultWorkflow: options.defaultWorkflow,
    maxPendingPerSubject: integer('maxPendingPerSubject', options.maxPendingPerSubject, 20, 1, 100_000),
    publicUrl,
    consoleUrl: options.consoleUrl ?? ((id) => (publicUrl ? `${publicUrl}/approvals/${encodeURIComponent(id)}` : null)),
    linkTtlSeconds: integer('linkTtlSeconds', options.linkTtlSeconds, 86_400, 1, 2_592_000),
    notifiers: options.notifiers ?? [],
    notifierAttempts: integer('notifierAttempts', options.notifierAttempts, 5, 1, 20),
    notifierBackoffMs: integer('notifierBackoffMs', options.notifierBackoffMs, 1000, 0, 600_000),
    notifierMaxBackoffMs: integer('notifierMaxBackoffMs', options.notifierMaxBackoffMs, 30_000, 0, 3_600_000),
    notifierTimeoutMs,
    notifierLeaseMs,
    notifierPollIntervalMs: integer('notifierPollIntervalMs', options.notifierPollIntervalMs, 2000, 10, 600_000),
    fallback,
    digest:
      options.digest === false
        ? null
        : {
            after: integer('digest.after', options.digest?.after, 5, 1, 10_000),
            windowMs: integer('digest.windowSeconds', options.digest?.windowSeconds, 60, 1, 86_400) * 1000,
          },
    maxRecipients: integer('maxRecipients', options.maxRecipients, 50, 1, 10_000),
    pollIntervalMs: integer('pollIntervalMs', options.pollIntervalMs, 5000, 10, 600_000),
    sweepIntervalMs: integer('sweepIntervalMs', options.sweepIntervalMs, 15_000, 10, 3_600_000),
    reuseResultSeconds: integer('reuseResultSeconds', options.reuseResultSeconds, 86_400, 0, 2_592_000),
    executionLeaseSeconds: integer('executionLeaseSeconds', options.executionLeaseSeconds, 30, 1, 3600),
    aiReviewer: resolveAiReviewerOption(options.aiReviewer),
    clock: options.clock ?? Date.now,
  };
}
