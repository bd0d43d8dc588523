import {
  decodeCursor,
  PreloopError,
  toPage,
  type AgentRuntime,
  type Page,
  type PolicyDecision,
  type PolicyHookInput,
  type Preloop,
  type Principal,
} from '@preloop/core';
import type { Selectable } from 'kysely';
import type { ExecutionView, FlowView } from './api-schemas.js';
import { matchesEventTrigger } from './event-filter.js';
import { createExecutionLogs, type ExecutionLogs } from './execution-logs.js';
import { createExecutionStore, normalizeExecutionRow, terminalStatuses, type ExecutionStatus } from './execution-store.js';
import { validateInputs, type FlowInputValue } from './flow-inputs.js';
import { createFlowRunner, type FlowRunner } from './flow-runner.js';
import { createFlowStore, webhookSecretName, type Flow, type FlowInput } from './flow-store.js';
import type { ResolvedFlowsOptions } from './options.js';
import { createScheduler } from './schedules.js';
import type { FlowExecutionRow, FlowTables } from './tables.js';
import { verifyWebhook, webhookDeliveryHeader, webhookSignatureHeader, webhookTimestampHeader } from './webhook-signature.js';
import { globMatches } from './tool-globs.js';
import { registerFlowMetrics } from './flow-metrics.js';

/** The path (below `/api/v1`) of a flow's webhook. */
export const flowWebhookPath = (flowId: string) => `/flows/hooks/${flowId}`;

/** Turns a stored execution into its API view. */
export function toExecutionView(row: Selectable<FlowExecutionRow>): ExecutionView {
  const normalized = normalizeExecutionRow(row);
  return {
    id: normalized.id,
    flowId: normalized.flow_id,
    flowVersion: normalized.flow_version,
    status: normalized.status as ExecutionStatus,
    trigger: JSON.parse(normalized.trigger),
    input: JSON.parse(normalized.input),
    renderedPrompt: normalized.rendered_prompt,
    attempt: normalized.attempt,
    failures: normalized.failures,
    runAfter: normalized.run_after,
    leaseOwner: normalized.lease_owner,
    leaseExpiresAt: normalized.lease_expires_at,
    deadlineAt: normalized.deadline_at,
    runtimeSessionId: normalized.runtime_session_id,
    approvalRequestId: normalized.approval_request_id,
    cancelRequested: normalized.cancel_requested === 1,
    result: normalized.result,
    error: normalized.error,
    costMicros: normalized.cost_micros,
    usage: normalized.usage ? JSON.parse(normalized.usage) : null,
    createdAt: normalized.created_at,
    updatedAt: normalized.updated_at,
    startedAt: normalized.started_at,
    finishedAt: normalized.finished_at,
  };
}

/**
 * Builds the flows service of one kernel: the flow store, the durable
 * execution queue and its runner, the triggers (kernel events, signed
 * webhooks, schedules, manual starts), the log writer and the policy hook
 * that narrows what a flow's runs may call.
 *
 * @example
 * ```ts
 * const service = createFlowsService(preloop, resolved, runtimes);
 * await service.run(accountId, flowId, { inputs: { repo: 'acme/api' } });
 * ```
 */
export function createFlowsService(preloop: Preloop, options: ResolvedFlowsOptions, runtimes: ReadonlyMap<string, AgentRuntime>) {
  const db = preloop.db.withTables<FlowTables>();
  const now = options.now;
  const runtimeProblems = (id: string, runtimeOptions: Record<string, unknown>) => {
    const runtime = runtimes.get(id);
    if (!runtime) return [`no runtime "${id}" is installed (installed: ${[...runtimes.keys()].join(', ') || 'none'})`];
    return runtime.validateOptions?.(runtimeOptions) ?? [];
  };
  const flows = createFlowStore(preloop, db, now, runtimeProblems);
  const store = createExecutionStore(db, preloop.dialect);
  const logs: ExecutionLogs = createExecutionLogs(db, preloop.events, now);
  const metrics = registerFlowMetrics(preloop);
  const runner: FlowRunner = createFlowRunner({
    preloop,
    db,
    store,
    flows,
    logs,
    runtimes,
    endpoints: options.endpoints,
    instanceId: options.instanceId,
    leaseMs: options.leaseMs,
    pollIntervalMs: options.pollIntervalMs,
    maxConcurrentRuns: options.maxConcurrentRuns,
    now,
    observe: metrics.observe,
  });

  const view = (flow: Flow): FlowView => ({
    ...flow,
    webhookUrl: flow.triggers.some((trigger) => trigger.type === 'webhook')
      ? `${options.publicUrl}/api/v1${flowWebhookPath(flow.id)}`
      : null,
  });

  /** Queues an execution of `flow` unless the kill switch stops flows; wakes the runner. */
  const enqueue = async (
    flow: Flow & { accountId: string },
    trigger: Record<string, unknown>,
    input: { event: unknown; inputs: Record<string, unknown> },
    dedupeKey: string | null,
  ) => {
    const stopped = await preloop.governance.killSwitch.stopped(flow.accountId, 'flows');
    if (stopped) throw new PreloopError('POLICY_DENIED', `Flow ${flow.name} was not started: ${stopped}.`, { status: 409 });
    const { row, created } = await store.enqueue({
      accountId: flow.accountId,
      flowId: flow.id,
      flowVersion: flow.version,
      trigger,
      input,
      dedupeKey,
      now: now(),
    });
    if (created) {
      metrics.started(flow.id, String(trigger.type));
      logs.append({ accountId: flow.accountId, executionId: row.id, stream: 'system', text: `queued by ${String(trigger.type)} trigger` });
      preloop.events.emit('flow-execution-updated', { accountId: flow.accountId, executionId: row.id, flowId: flow.id, status: 'queued' });
      void runner.wake();
    }
    return { row, created };
  };

  // Event triggers: every kernel event (but the flows' own) is matched against the enabled flows' event triggers.
  // Cached for a few seconds: a change on this instance drops it at once, one on another instance within 5 s.
  let eventFlows: { at: number; flows: Promise<Array<Flow & { accountId: string }>> } | null = null;
  const enabledFlows = () => {
    if (!eventFlows || Date.now() - eventFlows.at > 5000) eventFlows = { at: Date.now(), flows: flows.enabled() };
    return eventFlows.flows;
  };
  const forgetFlows = () => {
    eventFlows = null;
  };
  const onEvent = (name: string, payload: unknown) => {
    if (name.startsWith('flow-') || closed) return;
    void (async () => {
      for (const flow of await enabledFlows()) {
        if ((payload as { accountId?: unknown } | null)?.accountId !== flow.accountId) continue;
        for (const trigger of flow.triggers) {
          if (trigger.type !== 'event' || trigger.event !== name || !matchesEventTrigger(trigger, payload)) continue;
          const delivery = (payload as { deliveryId?: unknown; type?: unknown }).deliveryId;
          const dedupeKey =
            typeof delivery === 'string' ? `event:${name}:${delivery}:${String((payload as { type?: unknown }).type)}` : null;
          await enqueue(flow, { type: 'event', event: name }, { event: payload, inputs: {} }, dedupeKey).catch((error) =>
            preloop.logger.warn('flows: an event did not start a flow', { flowId: flow.id, event: name, error: (error as Error)?.message }),
          );
          break;
        }
      }
    })().catch(() => undefined);
  };

  const scheduler = createScheduler({
    preloop,
    db,
    now,
    instanceId: options.instanceId,
    flows: () => flows.enabled(),
    fire: async (flow, tick) => {
      await enqueue(
        flow,
        { type: 'schedule', scheduledAt: tick.scheduledAt, cron: tick.cron, timezone: tick.timezone },
        { event: { scheduledAt: tick.scheduledAt, cron: tick.cron, timezone: tick.timezone }, inputs: validateInputs(flow.inputs, {}) },
        `schedule:${tick.scheduledAt}`,
      );
    },
  });
  let scheduleTimer: ReturnType<typeof setInterval> | null = null;
  let pruneTimer: ReturnType<typeof setInterval> | null = null;
  const prune = async () => {
    await scheduler.prune(now() - 86_400_000);
    await db
      .deleteFrom('flow_webhook_deliveries')
      .where('received_at', '<', now() - options.webhookToleranceSeconds * 2000)
      .execute();
  };
  let stopEvents: (() => void) | null = null;
  let closed = false;

  // Narrowing: a flow's runs may call only its tools and its model, and its approval tools wait for its workflow.
  const sessionFlows = new Map<string, { flow: Promise<Flow | null>; at: number }>();
  const flowOfSession = (sessionId: string): Promise<Flow | null> => {
    const cached = sessionFlows.get(sessionId);
    if (cached && now() - cached.at < 10_000) return cached.flow;
    const flow = (async () => {
      const row = await db.selectFrom('flow_executions').select('flow_id').where('runtime_session_id', '=', sessionId).executeTakeFirst();
      return row ? flows.find(row.flow_id).catch(() => null) : null;
    })();
    if (sessionFlows.size > 10_000) sessionFlows.clear();
    sessionFlows.set(sessionId, { flow, at: now() });
    return flow;
  };
  const evaluate = async (input: PolicyHookInput): Promise<PolicyDecision | undefined> => {
    const sessionId = input.subject.runtimeSessionId;
    if (!sessionId || input.subject.type !== 'runtime_session') return undefined;
    const flow = await flowOfSession(sessionId);
    if (!flow) return undefined;
    const explanation = { scope: `flow:${flow.id}`, rule: null };
    if (input.kind === 'model_call') {
      if (flow.model !== null && input.model.name !== flow.model)
        return { action: 'deny', reason: `Flow ${flow.name} may only use model ${flow.model}.`, explanation };
      return undefined;
    }
    const tool = input.tool.name;
    if (flow.tools !== null && !globMatches(flow.tools, tool))
      return { action: 'deny', reason: `Flow ${flow.name} may not call ${tool} (not in its tools).`, explanation };
    // `tools/list` shows the run only its tools (the approval below applies to calls).
    if (input.kind === 'tool_listing') return undefined;
    if (flow.approval && globMatches(flow.approval.tools, tool))
      return {
        action: 'require_approval',
        workflow: flow.approval.workflow,
        reason: `Flow ${flow.name} asks approval for ${tool}.`,
        explanation,
      };
    return undefined;
  };

  /** The flow's managed agent as a principal: who cancels its approval requests when no person is named. */
  const flowPrincipal = async (accountId: string, flowId: string): Promise<Principal> => {
    const flow = await flows.find(flowId).catch(() => null);
    return {
      type: 'agent',
      id: flow?.agentId ?? flowId,
      accountId,
      name: flow ? `flow:${flow.name}` : `flow ${flowId}`,
      role: null,
      userId: null,
      apiKeyId: null,
      agentId: flow?.agentId ?? null,
      runtimeSessionId: null,
      teamIds: [],
      scopes: [],
    };
  };

  const readExecution = async (accountId: string, id: string) => {
    const row = await store.read(id);
    if (!row || row.account_id !== accountId) throw new PreloopError('NOT_FOUND', `No execution with id ${id}.`);
    return row;
  };

  return {
    flows,
    logs,
    evaluate,
    view,
    /** The installed runtimes (id and description), for a flow builder. */
    runtimes: () => [...runtimes.values()].map((runtime) => ({ id: runtime.id, description: runtime.description ?? '' })),
    /** Starts the runner, the scheduler and the event triggers. */
    start() {
      runner.start();
      stopEvents = preloop.events.onAny(onEvent);
      preloop.events.on('flow-changed', forgetFlows);
      if (options.scheduleIntervalMs > 0) {
        scheduleTimer = setInterval(() => void scheduler.check().catch(() => undefined), options.scheduleIntervalMs);
        scheduleTimer.unref?.();
      }
      // Claimed ticks are kept a day; webhook delivery ids for twice the timestamp window (older ones are refused anyway).
      pruneTimer = setInterval(() => void prune().catch(() => undefined), 10 * 60_000);
      pruneTimer.unref?.();
    },
    /** Checks the schedules now (tests drive it with a fake clock). */
    checkSchedules: () => scheduler.check(),
    /** Forgets claimed schedule ticks older than a day and webhook delivery ids older than twice the timestamp window (every 10 minutes by itself). */
    prune,
    /** Runs one runner tick now. */
    tick: () => runner.wake(),
    /** Executions running on this instance. */
    runningHere: () => runner.running(),
    async listFlows(accountId: string): Promise<FlowView[]> {
      return (await flows.list(accountId)).map(view);
    },
    async getFlow(accountId: string, id: string): Promise<FlowView> {
      return view(await flows.get(accountId, id));
    },
    async createFlow(accountId: string, input: FlowInput) {
      const saved = await flows.create(accountId, input);
      return { flow: view(saved.flow), webhookSecret: saved.webhookSecret };
    },
    async updateFlow(accountId: string, id: string, input: FlowInput) {
      const saved = await flows.update(accountId, id, input);
      return { flow: view(saved.flow), webhookSecret: saved.webhookSecret };
    },
    async setEnabled(accountId: string, id: string, enabled: boolean) {
      return view(await flows.setEnabled(accountId, id, enabled));
    },
    deleteFlow: (accountId: string, id: string) => flows.delete(accountId, id),
    rotateWebhookSecret: (accountId: string, id: string) => flows.rotateWebhookSecret(accountId, id),

    /** Starts a flow by hand with inputs (validated against its declared inputs). A disabled flow is a 409. */
    async run(accountId: string, flowId: string, body: { inputs?: Record<string, FlowInputValue> }, startedBy: string | null) {
      const flow = { ...(await flows.get(accountId, flowId)), accountId };
      if (!flow.enabled) throw new PreloopError('CONFLICT', `Flow ${flow.name} is disabled; enable it first.`);
      const inputs = validateInputs(flow.inputs, body.inputs);
      const { row } = await enqueue(flow, { type: 'manual', startedBy }, { event: null, inputs }, null);
      return toExecutionView(row);
    },

    /** Handles a signed webhook delivery: verify (before parsing), dedupe the delivery id, queue. */
    async webhook(flowId: string, request: Request, body: string) {
      const refused = (message: string) => new PreloopError('UNAUTHENTICATED', `Webhook refused: ${message}.`);
      const flow = await flows.find(flowId).catch(() => null);
      if (!flow?.triggers.some((trigger) => trigger.type === 'webhook')) throw refused('unknown flow or no webhook trigger');
      const secret = await preloop.secrets.get(flow.accountId, webhookSecretName(flow.id)).catch(() => null);
      if (!secret) throw refused('the flow has no webhook secret');
      const problem = verifyWebhook({
        secret,
        timestamp: request.headers.get(webhookTimestampHeader),
        signature: request.headers.get(webhookSignatureHeader),
        body,
        now: now(),
        toleranceSeconds: options.webhookToleranceSeconds,
      });
      if (problem) throw refused(problem);
      const deliveryId = request.headers.get(webhookDeliveryHeader);
      if (!deliveryId || !/^[A-Za-z0-9._:-]{1,200}$/.test(deliveryId))
        throw new PreloopError(
          'VALIDATION_ERROR',
          `Missing or malformed ${webhookDeliveryHeader} header (1 to 200 letters, digits, ._:-).`,
        );
      if (!flow.enabled) throw new PreloopError('CONFLICT', `Flow ${flow.name} is disabled.`);
      let event: unknown;
      try {
        event = body === '' ? null : JSON.parse(body);
      } catch {
        throw new PreloopError('VALIDATION_ERROR', 'The webhook body is not JSON.');
      }
      const seen = await db
        .insertInto('flow_webhook_deliveries')
        .values({ flow_id: flow.id, delivery_id: deliveryId, account_id: flow.accountId, received_at: now() })
        .onConflict((conflict) => conflict.columns(['flow_id', 'delivery_id']).doNothing())
        .executeTakeFirst();
      if (Number(seen.numInsertedOrUpdatedRows ?? 0) !== 1)
        throw new PreloopError('CONFLICT', `Delivery ${deliveryId} was already received (replay refused).`);
      const { row } = await enqueue(
        flow,
        { type: 'webhook', deliveryId },
        { event, inputs: validateInputs(flow.inputs, {}) },
        `webhook:${deliveryId}`,
      );
      return { executionId: row.id, status: row.status as ExecutionStatus };
    },

    /** One execution; its cost is read from its runtime session's usage (the gateway writes the last call's just after it answers). */
    async getExecution(accountId: string, id: string): Promise<ExecutionView> {
      const row = await readExecution(accountId, id);
      const view = toExecutionView(row);
      if (row.runtime_session_id) view.costMicros = Math.max(view.costMicros, await store.sessionCost(accountId, row.runtime_session_id));
      return view;
    },
    /** Executions newest first: of one flow (`flowId`, a 404 when it does not exist) or of every flow (null). */
    async listExecutions(
      accountId: string,
      flowId: string | null,
      query: { status?: ExecutionStatus; cursor?: string; limit?: number },
    ): Promise<Page<ExecutionView>> {
      if (flowId !== null) await flows.get(accountId, flowId);
      const limit = query.limit ?? 50;
      const after = decodeCursor(query.cursor);
      let select = db.selectFrom('flow_executions').selectAll().where('account_id', '=', accountId);
      if (flowId !== null) select = select.where('flow_id', '=', flowId);
      if (query.status) select = select.where('status', '=', query.status);
      if (after) select = select.where('id', '<', after);
      const rows = await select
        .orderBy('id', 'desc')
        .limit(limit + 1)
        .execute();
      return toPage(rows, limit, (row) => row.id, toExecutionView);
    },
    /**
     * Cancels: a queued or parked execution at once (a parked one's pending approval request is cancelled too,
     * by `actor`, else by the flow's agent); a running one is aborted by the instance running it.
     */
    async cancel(accountId: string, id: string, reason: string, actor?: Principal): Promise<ExecutionView> {
      const row = await readExecution(accountId, id);
      if (terminalStatuses.includes(row.status as ExecutionStatus))
        throw new PreloopError('CONFLICT', `Execution ${id} already ended (${row.status}).`);
      const outcome = await store.cancel(id, now(), reason);
      if (outcome === 'requested') runner.abort(id, { status: 'cancelled', message: reason });
      if (outcome === 'cancelled') {
        logs.append({ accountId, executionId: id, stream: 'system', text: `cancelled: ${reason}` });
        // A parked execution's pending approval request goes with it (the approvals engine audits the cancel).
        if (row.status === 'waiting_approval' && row.approval_request_id && preloop.hooks.approvals) {
          const by = actor ?? (await flowPrincipal(accountId, row.flow_id));
          await preloop.hooks.approvals
            .cancel(row.approval_request_id, by, `flow execution ${id} cancelled: ${reason}`)
            .then(() =>
              logs.append({ accountId, executionId: id, stream: 'system', text: `approval request ${row.approval_request_id} cancelled` }),
            )
            .catch((error: Error) =>
              logs.append({
                accountId,
                executionId: id,
                stream: 'system',
                text: `approval request ${row.approval_request_id} not cancelled: ${error?.message ?? String(error)}`,
              }),
            );
        }
        preloop.events.emit('flow-execution-updated', { accountId, executionId: id, flowId: row.flow_id, status: 'cancelled' });
        if (row.runtime_session_id)
          await preloop.identity.runtimeSessions.end(accountId, row.runtime_session_id, 'execution cancelled').catch(() => undefined);
      }
      return toExecutionView((await store.read(id))!);
    },
    /** Queues a new execution with the same trigger and input as an ended one. */
    async retry(accountId: string, id: string): Promise<ExecutionView> {
      const row = await readExecution(accountId, id);
      if (!['failed', 'cancelled', 'timed_out'].includes(row.status))
        throw new PreloopError('CONFLICT', `Execution ${id} is ${row.status}; only a failed, cancelled or timed-out execution is retried.`);
      const flow = { ...(await flows.get(accountId, row.flow_id)), accountId };
      const { row: retried } = await enqueue(
        flow,
        { type: 'retry', of: id, original: JSON.parse(row.trigger) },
        JSON.parse(row.input),
        null,
      );
      return toExecutionView(retried);
    },
    /** The execution's log after `afterSeq`. */
    async readLog(accountId: string, id: string, afterSeq = 0) {
      await readExecution(accountId, id);
      return logs.read(id, afterSeq);
    },
    /** Cancels every running execution of the account (the kill switch was pulled). */
    async cancelRunning(accountId: string, reason: string) {
      for (const id of await store.runningIds(accountId)) {
        await store.cancel(id, now(), reason);
        runner.abort(id, { status: 'cancelled', message: reason });
      }
    },
    async close() {
      closed = true;
      stopEvents?.();
      preloop.events.off('flow-changed', forgetFlows);
      if (scheduleTimer) clearInterval(scheduleTimer);
      if (pruneTimer) clearInterval(pruneTimer);
      await runner.close();
    },
  };
}

/** The flows plugin's service (`preloop.service('flows')`). */
export type FlowsService = ReturnType<typeof createFlowsService>;
