/**
 * What `delivery-crash.test.ts` and its child kernels share (not published):
 * the approvals options, short enough that a dead instance's delivery is taken
 * over within about 2 s.
 */
import type { ApprovalsOptions } from '@preloop/approvals';

/** Attempts of at most 1 s, leases of 1.5 s, a 100 ms poll. */
export const crashTestApprovals: ApprovalsOptions = {
  workflows: { crash: { approvers: { roles: ['approver'] }, timeoutSeconds: 600 } },
  notifierTimeoutMs: 1000,
  notifierLeaseMs: 1500,
  notifierPollIntervalMs: 100,
  notifierBackoffMs: 50,
  notifierMaxBackoffMs: 200,
  notifierAttempts: 20,
};
