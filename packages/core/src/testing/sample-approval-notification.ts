import type { ApprovalNotification, ApprovalNotificationType, ApprovalRequestView } from '../contracts/notifier.js';

/** What {@link sampleApprovalNotification} may change from its defaults. */
export interface SampleApprovalNotificationOverrides {
  /** The idempotency key. @default a fresh `ntf_conformance_…` id */
  id?: string;
  /** @default 'approval.requested' */
  type?: ApprovalNotificationType;
  /** Fields of the request view to replace. @default a pending `deploy` request */
  request?: Partial<ApprovalRequestView>;
  /** The approver, or null for a channel notification. @default Ann Approver <ann.approver@example.com> */
  recipient?: ApprovalNotification['recipient'];
  /** @default personal approve/deny/view links under https://preloop.example.com (approve and deny null for `approval.resolved` or without a recipient) */
  links?: Partial<ApprovalNotification['links']>;
}

let sequence = 0;

/**
 * A complete, realistic approval notification as the engine hands it to a
 * notifier (arguments already redacted), for notifier tests and the
 * conformance suite.
 *
 * @example
 * ```ts
 * const notification = sampleApprovalNotification({ type: 'approval.resolved', request: { status: 'approved' } });
 * await notifier.notify(notification, { attempt: 1, signal: new AbortController().signal });
 * ```
 */
export function sampleApprovalNotification(overrides: SampleApprovalNotificationOverrides = {}): ApprovalNotification {
  sequence += 1;
  const type = overrides.type ?? 'approval.requested';
  const id = overrides.id ?? `ntf_conformance_${Date.now().toString(36)}_${sequence}`;
  const requestId = overrides.request?.id ?? 'apr_conformance_0001';
  const createdAt = Date.UTC(2026, 0, 15, 9, 30);
  const resolved = type === 'approval.resolved';
  const request: ApprovalRequestView = {
    id: requestId,
    accountId: 'acc_conformance',
    status: resolved ? 'approved' : 'pending',
    kind: 'tool_call',
    tool: { name: 'deploy_service', definitionHash: 'a'.repeat(64) },
    args: { env: 'production', api_key: '[redacted]', note: 'rollout with [redacted:api-key]', replicas: 3 },
    argsRedactions: [
      { path: ['api_key'], reason: 'secret-name' },
      { path: ['note'], reason: 'secret-value', kinds: ['api-key'] },
    ],
    argsHash: 'b'.repeat(64),
    subject: { type: 'agent', id: 'agt_conformance', name: 'Release Bot', userId: 'usr_owner', apiKeyId: null, agentId: 'agt_conformance' },
    runtimeSessionId: null,
    workflow: { name: 'production-deploys', quorum: 1, requireReason: false, escalates: true },
    reason: 'Deploys to production need a human',
    justification: 'Hotfix for the checkout outage',
    question: null,
    votes: resolved ? { approve: 1, deny: 0 } : { approve: 0, deny: 0 },
    createdAt,
    expiresAt: createdAt + 15 * 60_000,
    escalatedAt: type === 'approval.escalated' ? createdAt + 10 * 60_000 : null,
    decidedAt: resolved ? createdAt + 2 * 60_000 : null,
    decidedBy: resolved ? 'usr_conformance_ann' : null,
    comment: resolved ? 'Looks right' : null,
    answer: null,
    outcomeReason: null,
    executedAt: null,
    execution: null,
    ...overrides.request,
  };
  const recipient =
    overrides.recipient === undefined
      ? { userId: 'usr_conformance_ann', name: 'Ann Approver', email: 'ann.approver@example.com' }
      : overrides.recipient;
  const base = `https://preloop.example.com/api/v1/approvals/${requestId}`;
  const personal = recipient !== null && !resolved;
  const links = {
    approve: personal ? `${base}/links/pla_conformance${sequence}?decision=approve` : null,
    deny: personal ? `${base}/links/pla_conformance${sequence}?decision=deny` : null,
    view: personal ? `${base}/links/pla_conformance${sequence}` : `https://preloop.example.com/console/approvals/${requestId}`,
    ...overrides.links,
  };
  return { id, type, request, recipient, links };
}
