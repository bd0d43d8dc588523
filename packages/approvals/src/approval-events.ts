import type { ApprovalStatus } from '@preloop/core';

/** What changed on an approval request. */
export type ApprovalChange =
  | 'joined'
  | 'vote'
  | 'approved'
  | 'denied'
  | 'expired'
  | 'escalated'
  | 'cancelled'
  | 'execution_claimed'
  | 'executed'
  /** The execution lease of an idempotent tool lapsed: the request is claimable again. */
  | 'execution_released'
  /** The execution lease lapsed on a non-idempotent tool: approved, outcome not known. */
  | 'execution_unknown'
  /** An admin resolved an `execution_unknown` request. */
  | 'execution_resolved'
  /** The AI reviewer gave its opinion (or failed) without deciding the request. */
  | 'ai_review';

/**
 * The approvals plugin's events, by name, with their payloads: merged into the
 * kernel's event map below, and sent to the console by the live stream (`GET /events`).
 */
export interface ApprovalEventMap {
  /** An approval request was created (pending, or denied at once by flood control). */
  'approval-created': {
    accountId: string;
    id: string;
    status: ApprovalStatus;
    kind: string;
    tool: string;
    subject: string;
    expiresAt: number;
  };
  /** An approval request changed: a vote, a decision, expiry, escalation, cancel, execution. */
  'approval-updated': { accountId: string; id: string; status: ApprovalStatus; change: ApprovalChange; actorId: string | null };
  /** A subject reached its cap of pending requests; its new requests are denied. */
  'approval-flood': { accountId: string; subject: string; pending: number; cap: number; tool: string; requestId: string };
  /** A decision link was refused: used (a replay alarm), expired, for another request, or tampered. */
  'approval-link-refused': { accountId: string; requestId: string | null; code: string; replay: boolean };
  /** A notifier failed every attempt for one notification. */
  'approval-notifier-failed': { accountId: string; requestId: string; notifierId: string; type: string; attempts: number; error: string };
}

declare module '@preloop/core' {
  interface PreloopEventMap extends ApprovalEventMap {}
}

/** The Bus channel on which approval changes reach every instance. */
export const approvalsBusChannel = 'approvals';

/** A message on {@link approvalsBusChannel}. */
export type ApprovalBusMessage =
  | { kind: 'created'; accountId: string; id: string; deadline: number }
  | { kind: 'changed'; accountId: string; id: string; status: ApprovalStatus; deadline: number | null };

/**
 * True when `value` is a well-formed {@link ApprovalBusMessage}.
 *
 * @example
 * ```ts
 * bus.subscribe(approvalsBusChannel, (payload) => { if (isApprovalBusMessage(payload)) wake(payload.id); });
 * ```
 */
export function isApprovalBusMessage(value: unknown): value is ApprovalBusMessage {
  if (typeof value !== 'object' || value === null) return false;
  const message = value as Record<string, unknown>;
  return (
    (message.kind === 'created' || message.kind === 'changed') && typeof message.id === 'string' && typeof message.accountId === 'string'
  );
}
