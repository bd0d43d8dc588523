/**
 * `@preloop/approvals/api`: the types of the approvals plugin's admin API,
 * derived from the zod schemas its routes validate and answer with. Types
 * only, no run-time code: a browser client imports them with `import type`.
 *
 * @example
 * ```ts
 * import type { ApprovalDetail, DecideApprovalInput } from '@preloop/approvals/api';
 * ```
 *
 * @module
 */
import type {
  ApprovalArguments,
  ApprovalDetail,
  ApprovalListItem,
  ApprovalListParams,
  ApprovalPage,
  ApprovalReadiness,
  CancelApprovalInput,
  DecideApprovalInput,
  DecideApprovalResult,
  LinkDecisionInput,
  LinkDecisionResult,
  MintedDecisionLink,
  MintLinkBody,
  ResolveExecutionBody,
} from './api-schemas.js';
import type { ApprovalDelivery } from './delivery-outbox.js';
import type { NotificationPreferences } from './notification-preferences.js';

export type { ApprovalRequestView, ArgumentRedaction, FactorTally, ApprovalStatus, ApprovalKind } from '@preloop/core';
export type {
  ApprovalArguments,
  ApprovalDetail,
  ApprovalListItem,
  ApprovalListParams,
  ApprovalPage,
  ApprovalReadiness,
  ApprovalTimelineEntry,
  ApprovalVoteView,
  CancelApprovalInput,
  DecideApprovalInput,
  DecideApprovalResult,
  DecisionRefusal,
  LinkDecisionInput,
  LinkDecisionResult,
  MintedDecisionLink,
  MintLinkBody,
  ReadinessUser,
  ResolveExecutionBody,
  ViewerDecision,
  WorkflowReadiness,
  WorkflowReadinessStatus,
} from './api-schemas.js';
export type { ApprovalDelivery, ApprovalDeliveryStatus } from './delivery-outbox.js';
/** The approvals' live events (`approval-created`, `approval-updated`, …) by name, with the payloads the server emits. */
export type { ApprovalChange, ApprovalEventMap } from './approval-events.js';
export type { NotificationPreferences } from './notification-preferences.js';

/**
 * Every route of the approvals plugin, keyed `METHOD /path` (below `/api/v1`):
 * its body, query and success response. Error statuses answer core's `ApiError`
 * (`@preloop/core/api`); `string` is an HTML page (the decision link's).
 */
export interface ApprovalRoutes {
  'GET /approvals': { query: ApprovalListParams; response: ApprovalPage };
  'GET /approvals/readiness': { response: ApprovalReadiness };
  'GET /approvals/:id': { response: ApprovalDetail };
  'POST /approvals/:id/decide': { body: DecideApprovalInput; response: DecideApprovalResult };
  'POST /approvals/:id/cancel': { body: CancelApprovalInput; response: ApprovalListItem };
  'POST /approvals/:id/resolve-execution': { body: ResolveExecutionBody; response: ApprovalDetail };
  'POST /approvals/:id/links': { body: MintLinkBody; response: MintedDecisionLink };
  'GET /approvals/:id/arguments': { response: ApprovalArguments };
  'GET /approvals/:id/deliveries': { response: { items: ApprovalDelivery[] } };
  'GET /notification-preferences': { response: NotificationPreferences & { userId: string } };
  'PUT /notification-preferences': { body: NotificationPreferences; response: NotificationPreferences & { userId: string } };
  'GET /notification-preferences/:userId': { response: NotificationPreferences & { userId: string } };
  'PUT /notification-preferences/:userId': { body: NotificationPreferences; response: NotificationPreferences & { userId: string } };
  'GET /approvals/:id/links/:token': { response: string };
  'POST /approvals/:id/links/:token': { body: LinkDecisionInput; response: LinkDecisionResult | string };
}
