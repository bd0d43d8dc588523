/**
 * The typed DOM events the elements dispatch. Every one is named `preloop-*`,
 * bubbles, and is composed (it crosses shadow roots), so a host listens on any
 * ancestor:
 *
 * @example
 * ```ts
 * document.addEventListener('preloop-approval-decided', (event) => toast(event.approval.status));
 * ```
 *
 * @module
 */
import type { Agent, ApiKey, ApprovalRequest, AuditVerifyReport, PolicyVersion, RuntimeSession, User } from '../client/api-types.js';

const init: EventInit = { bubbles: true, composed: true };

/** A user logged in through `<preloop-login>` (or the console's login form). */
export class PreloopUserLoggedInEvent extends Event {
  /** The event name. */
  static readonly eventName = 'preloop-user-logged-in' as const;
  constructor(public readonly user: User) {
    super(PreloopUserLoggedInEvent.eventName, init);
  }
}

/** The user logged out of the console. */
export class PreloopUserLoggedOutEvent extends Event {
  /** The event name. */
  static readonly eventName = 'preloop-user-logged-out' as const;
  constructor() {
    super(PreloopUserLoggedOutEvent.eventName, init);
  }
}

/** An element asks its host to show another view (for example a dashboard card linking to the approval queue). Cancelable: `preventDefault()` to handle it yourself. */
export class PreloopRouteRequestedEvent extends Event {
  /** The event name. */
  static readonly eventName = 'preloop-route-requested' as const;
  /** @param route A console route such as `/approvals` or `/sessions/<id>`. */
  constructor(public readonly route: string) {
    super(PreloopRouteRequestedEvent.eventName, { ...init, cancelable: true });
  }
}

/**
 * An approver chose approve or deny on a `<preloop-approval-card>` (for a question: sent an
 * answer, or declined); its container submits it. Cancelable: `preventDefault()` to submit it yourself.
 */
export class PreloopDecisionRequestedEvent extends Event {
  /** The event name. */
  static readonly eventName = 'preloop-decision-requested' as const;
  constructor(
    public readonly approvalId: string,
    public readonly decision: 'approve' | 'deny',
    public readonly comment: string,
    /** The answer to a question (`ask_user`), with `approve`; null otherwise. */
    public readonly answer: string | null = null,
  ) {
    super(PreloopDecisionRequestedEvent.eventName, { ...init, cancelable: true });
  }
}

/** An approval decision was accepted by the server. */
export class PreloopApprovalDecidedEvent extends Event {
  /** The event name. */
  static readonly eventName = 'preloop-approval-decided' as const;
  constructor(public readonly approval: ApprovalRequest) {
    super(PreloopApprovalDecidedEvent.eventName, init);
  }
}

/** A managed agent changed lifecycle state (or was enrolled) through the console. */
export class PreloopAgentChangedEvent extends Event {
  /** The event name. */
  static readonly eventName = 'preloop-agent-changed' as const;
  constructor(public readonly agent: Agent) {
    super(PreloopAgentChangedEvent.eventName, init);
  }
}

/** A runtime session was ended through the console. */
export class PreloopSessionEndedEvent extends Event {
  /** The event name. */
  static readonly eventName = 'preloop-session-ended' as const;
  constructor(public readonly session: RuntimeSession) {
    super(PreloopSessionEndedEvent.eventName, init);
  }
}

/** An API key was created. Carries the record only: the key itself is shown once, in the element, and never travels in events. */
export class PreloopApiKeyCreatedEvent extends Event {
  /** The event name. */
  static readonly eventName = 'preloop-api-key-created' as const;
  constructor(public readonly apiKey: ApiKey) {
    super(PreloopApiKeyCreatedEvent.eventName, init);
  }
}

/** A new policy version became active (applied or rolled back). */
export class PreloopPolicyAppliedEvent extends Event {
  /** The event name. */
  static readonly eventName = 'preloop-policy-applied' as const;
  constructor(public readonly policy: PolicyVersion) {
    super(PreloopPolicyAppliedEvent.eventName, init);
  }
}

/** The audit chain was verified. */
export class PreloopAuditVerifiedEvent extends Event {
  /** The event name. */
  static readonly eventName = 'preloop-audit-verified' as const;
  constructor(public readonly report: AuditVerifyReport) {
    super(PreloopAuditVerifiedEvent.eventName, init);
  }
}

/** A request of an element failed (the element shows it too); hosts may log or toast it. */
export class PreloopRequestFailedEvent extends Event {
  /** The event name. */
  static readonly eventName = 'preloop-request-failed' as const;
  constructor(
    public readonly error: Error,
    /** What the element was doing, for example `load approvals`. */
    public readonly action: string,
  ) {
    super(PreloopRequestFailedEvent.eventName, init);
  }
}

/** Every event class above, once: the maps below are derived from their `eventName`s. */
export type PreloopEventClass =
  | typeof PreloopUserLoggedInEvent
  | typeof PreloopUserLoggedOutEvent
  | typeof PreloopRouteRequestedEvent
  | typeof PreloopDecisionRequestedEvent
  | typeof PreloopApprovalDecidedEvent
  | typeof PreloopAgentChangedEvent
  | typeof PreloopSessionEndedEvent
  | typeof PreloopApiKeyCreatedEvent
  | typeof PreloopPolicyAppliedEvent
  | typeof PreloopAuditVerifiedEvent
  | typeof PreloopRequestFailedEvent;

/**
 * The elements' DOM events by name, derived from the event classes. It is
 * merged into `HTMLElementEventMap` and `DocumentEventMap`, so
 * `addEventListener('preloop-approval-decided', …)` is typed on any element and on `document`.
 *
 * @example
 * ```ts
 * const onDecided = (event: PreloopElementEventMap['preloop-approval-decided']) => console.log(event.approval.id);
 * ```
 */
export type PreloopElementEventMap = { [Class in PreloopEventClass as Class['eventName']]: InstanceType<Class> };

declare global {
  interface HTMLElementEventMap extends PreloopElementEventMap {}
  interface DocumentEventMap extends PreloopElementEventMap {}
}
