import {
  createId,
  PreloopError,
  type ApprovalOutcome,
  type ApprovalProvider,
  type Notifier,
  type Page,
  type Preloop,
  type Principal,
} from '@preloop/core';
import { createAiReviewer } from './ai-reviewer.js';
import { approvalsBusChannel, isApprovalBusMessage } from './approval-events.js';
import { createApproverDirectory } from './approver-directory.js';
import { createApprovalRequest } from './create-request.js';
import { decideApproval, type DecideInput, type DecideResult } from './decide.js';
import { mintDecisionLink, type MintedDecisionLink, type MintLinkInput } from './decision-links.js';
import { readRequest, type EngineContext } from './engine-context.js';
import { cancelApproval, claimExecution, storeExecutionResult } from './execution.js';
import { createLeaseKeeper } from './execution-lease.js';
import { listDeliveries, type ApprovalDelivery } from './delivery-outbox.js';
import { createNotifierDispatch, type NotifierDispatch } from './notifier-dispatch.js';
import type { ResolvedApprovalsOptions } from './options.js';
import {
  getApproval,
  getApprovalDetail,
  listApprovals,
  type ApprovalDetailFor,
  type ApprovalListQuery,
  type ApprovalViewFor,
} from './queries.js';
import type { ApprovalDetail, ApprovalListItem } from './api-schemas.js';
import { approvalReadiness, type ApprovalReadiness } from './readiness.js';
import { resolveExecution, type ResolveExecutionInput } from './resolve-execution.js';
import { createScheduler } from './scheduler.js';
import type { ApprovalTables } from './tables.js';
import { advanceRequest } from './transitions.js';
import { createWaiter } from './waiter.js';
import { toOutcome } from './views.js';
import { createWorkflowLookup } from './workflows.js';

/**
 * The running approval engine of one kernel: the approval provider contract
 * plus deciding, reading, links and the scheduler. Reach it with
 * `preloop.service('approvals')`.
 */
export interface ApprovalEngine extends ApprovalProvider {
  /** The one transactional decide every channel uses. */
  decide(input: DecideInput): Promise<DecideResult>;
  /** A request's public view (with `viewer`, whether that principal may decide it); `NOT_FOUND` outside the account. */
  get(accountId: string, id: string, viewer: Principal): Promise<ApprovalListItem>;
  get(accountId: string, id: string, viewer?: Principal): Promise<ApprovalViewFor>;
  /** A request with its votes and timeline (with `viewer`, whether that principal may decide it). */
  detail(accountId: string, id: string, viewer: Principal): Promise<ApprovalDetail>;
  detail(accountId: string, id: string, viewer?: Principal): Promise<ApprovalDetailFor>;
  /** Requests of an account, newest first (with `viewer`, whether that principal may decide each). */
  list(accountId: string, query: ApprovalListQuery | undefined, viewer: Principal): Promise<Page<ApprovalListItem>>;
  list(accountId: string, query?: ApprovalListQuery, viewer?: Principal): Promise<Page<ApprovalViewFor>>;
  /** Whether the account's workflows can approve anything, and whose calls nobody can approve (separation of duties). */
  readiness(accountId: string): Promise<ApprovalReadiness>;
  /** Mints a single-use decision link (the token is returned this once). */
  mintLink(input: MintLinkInput): Promise<MintedDecisionLink>;
  /** The stored result of an executed request (undefined when none is stored). */
  storedResult(accountId: string, id: string): Promise<unknown>;
  /** Resolves an `execution_unknown` request (admin): `executed`, or `not_executed` (approved again, unclaimed). */
  resolveExecution(input: ResolveExecutionInput): Promise<void>;
  /** Applies every due escalation and expiry, and every lapsed execution lease, now (the scheduler does this on its own). */
  sweep(): Promise<number>;
  /** Resolves once no AI review started by this instance is running (tests, shutdown). */
  aiReviewsIdle(): Promise<void>;
  /** Resolves once no delivery is left in the outbox for this engine's notifiers: each one sent, failed, given up or skipped (tests, shutdown). */
  notificationsIdle(): Promise<void>;
  /** The deliveries of a request's notifications (one per notification, recipient and notifier), oldest first; `NOT_FOUND` outside the account. */
  deliveries(accountId: string, id: string): Promise<ApprovalDelivery[]>;
  /** The notifiers in use (plugins' `contributions.notifiers` plus the `notifiers` option). */
  readonly notifiers: readonly Notifier[];
  /** Stops timers, rejects waits, aborts deliveries. */
  close(): Promise<void>;
}

/**
 * Builds the engine over a kernel: starts the scheduler (its first sweep
 * expires and escalates whatever came due while no instance ran) and
 * subscribes to the `approvals` Bus channel.
 *
 * @example
 * ```ts
 * const engine = await createApprovalEngine(preloop, resolveApprovalsOptions({ maxPendingPerSubject: 5 }));
 * const ticket = await engine.request({ principal, tool: { name: 'deploy', definitionHash: null }, args: {}, workflow: 'admins' });
 * ```
 */
export async function createApprovalEngine(preloop: Preloop, options: ResolvedApprovalsOptions): Promise<ApprovalEngine> {
  return (await buildApprovalEngine(preloop, options)).engine;
}

/**
 * Builds the engine and returns its shared context too (for the plugin's
 * decision-link routes) and its count of notifications in flight (for the
 * plugin's metrics). Internal: prefer {@link createApprovalEngine}.
 *
 * @example
 * ```ts
 * const { engine, context } = await buildApprovalEngine(preloop, resolveApprovalsOptions());
 * ```
 */
export async function buildApprovalEngine(
  preloop: Preloop,
  options: ResolvedApprovalsOptions,
): Promise<{ engine: ApprovalEngine; context: EngineContext; inFlight: () => number }> {
  const contributed = preloop.plugins.flatMap((plugin) => plugin.contributions?.notifiers ?? []);
  const notifiers = [...contributed, ...options.notifiers];
  const context: EngineContext = {
    preloop,
    db: preloop.db.withTables<ApprovalTables>(),
    dialect: preloop.dialect,
    options,
    directory: createApproverDirectory(preloop),
    instanceId: createId('ins'),
    now: options.clock,
    lookupWorkflow: createWorkflowLookup(preloop, options),
    dispatch: () => {},
    arm: () => {},
    enqueueNotification: async () => {},
    startAiReview: () => {},
  };
  const dispatcher: NotifierDispatch = createNotifierDispatch(context, notifiers);
  const scheduler = createScheduler(context);
  const waiter = createWaiter(context);
  const leases = createLeaseKeeper(context);
  context.dispatch = (row, type) => dispatcher.dispatch(row, type);
  context.enqueueNotification = (trx, row, type) => dispatcher.enqueue(trx, row, type);
  context.arm = (deadline) => scheduler.arm(deadline);
  const reviewer = createAiReviewer(context);
  context.startAiReview = (id) => reviewer.start(id);
  const unsubscribe = preloop.bus.subscribe(approvalsBusChannel, (payload) => {
    if (!isApprovalBusMessage(payload)) return;
    waiter.wake(payload.id);
    if (typeof payload.deadline === 'number') scheduler.arm(payload.deadline);
  });
  await scheduler.start();

  const engine: ApprovalEngine = {
    notifiers,
    request: (input) => createApprovalRequest(context, input),
    wait: (id, waitOptions) => waiter.wait(id, waitOptions),
    async status(id, accountId): Promise<ApprovalOutcome | null> {
      let row = await readRequest(context.db, context.dialect, id);
      if (!row || row.account_id !== accountId) return null;
      // A lapsed execution lease is applied on read, so a caller never waits on a dead instance's claim.
      if (row.status === 'approved' && row.execution_lease_expires_at !== null && row.execution_lease_expires_at <= context.now())
        row = (await advanceRequest(context, id)) ?? row;
      return toOutcome(row);
    },
    cancel: (id: string, actor: Principal, reason?: string) => cancelApproval(context, id, actor, reason),
    async claimExecution(id, claimOptions) {
      const claimed = await claimExecution(context, id, claimOptions);
      if (claimed) leases.hold(id);
      return claimed;
    },
    async storeResult(id, result) {
      leases.release(id);
      await storeExecutionResult(context, id, result);
    },
    resolveExecution: (input) => resolveExecution(context, input),
    decide: (input) => decideApproval(context, input),
    get: ((accountId: string, id: string, viewer?: Principal) => getApproval(context, accountId, id, viewer)) as ApprovalEngine['get'],
    detail: ((accountId: string, id: string, viewer?: Principal) =>
      getApprovalDetail(context, accountId, id, viewer)) as ApprovalEngine['detail'],
    list: ((accountId: string, query?: ApprovalListQuery, viewer?: Principal) =>
      listApprovals(context, accountId, query, viewer)) as ApprovalEngine['list'],
    readiness: (accountId) => approvalReadiness(context, accountId),
    mintLink: (input) => mintDecisionLink(context, input),
    async storedResult(accountId, id) {
      const row = await readRequest(context.db, context.dialect, id);
      if (!row || row.account_id !== accountId || row.result_json === null) return undefined;
      return JSON.parse(row.result_json) as unknown;
    },
    sweep: () => scheduler.sweep(),
    notificationsIdle: () => dispatcher.idle(),
    aiReviewsIdle: () => reviewer.idle(),
    async deliveries(accountId, id) {
      const row = await readRequest(context.db, context.dialect, id);
      if (!row || row.account_id !== accountId) throw new PreloopError('NOT_FOUND', `No approval request ${id}.`);
      return listDeliveries(context, accountId, id);
    },
    async close() {
      unsubscribe();
      waiter.close();
      leases.close();
      await scheduler.stop();
      await reviewer.close();
      await dispatcher.close();
    },
  };
  return { engine, context, inFlight: () => dispatcher.inFlight() };
}
