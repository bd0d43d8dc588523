import {
  PreloopError,
  type AgentRuntime,
  type ApprovalOutcome,
  type Preloop,
  type RuntimeEndpoints,
  type RuntimeRunResult,
} from '@preloop/core';
import type { Kysely, Selectable } from 'kysely';
import type { ClaimedExecution, ExecutionStatus, ExecutionStore } from './execution-store.js';
import type { ExecutionLogs } from './execution-logs.js';
import type { Flow, FlowStore } from './flow-store.js';
import type { FlowExecutionRow, FlowTables } from './tables.js';
import { renderTemplate } from './templates.js';

/** What the runner needs. */
export interface FlowRunnerContext {
  preloop: Preloop;
  db: Kysely<FlowTables>;
  store: ExecutionStore;
  flows: FlowStore;
  logs: ExecutionLogs;
  runtimes: ReadonlyMap<string, AgentRuntime>;
  endpoints: RuntimeEndpoints;
  instanceId: string;
  leaseMs: number;
  pollIntervalMs: number;
  maxConcurrentRuns: number;
  now: () => number;
  /** Counts a finished attempt (metrics). */
  observe(flowId: string, status: ExecutionStatus, seconds: number): void;
}

/** How long a run's credential outlives the attempt's deadline, in seconds (the timeout's own stop takes a moment). */
const credentialMarginSeconds = 60;

/** Approval outcomes that end a parked execution as failed instead of resuming it. */
const refusedStatuses = new Set(['denied', 'expired', 'cancelled']);

/** Why a run was stopped from outside. */
type StopReason = { status: 'cancelled' | 'timed_out' | 'failed' | 'released' | 'shutdown'; message: string };

/**
 * The execution runner of one instance: on every tick it fails or requeues
 * executions whose lease lapsed (their instance stopped), resumes executions
 * whose approval was decided, and claims due executions up to its worker
 * limit. Each claimed run renews its lease, watches for cancel, the kill
 * switch, the timeout and the budget, and settles with compare-and-set on its
 * lease, so an execution never has two runners.
 *
 * @example
 * ```ts
 * const runner = createFlowRunner(context);
 * runner.start();
 * await runner.close();
 * ```
 */
export function createFlowRunner(context: FlowRunnerContext) {
  const { preloop, store, logs, now } = context;
  const active = new Map<
    string,
    { accountId: string; controller: AbortController; stop: (reason: StopReason) => void; done: Promise<void> }
  >();
  let timer: ReturnType<typeof setInterval> | null = null;
  let ticking: Promise<void> | null = null;
  let closed = false;

  const log = (row: { account_id: string; id: string }, stream: string, text: string) =>
    logs.append({ accountId: row.account_id, executionId: row.id, stream, text });
  const announce = (row: { account_id: string; id: string; flow_id: string }, status: string) =>
    preloop.events.emit('flow-execution-updated', { accountId: row.account_id, executionId: row.id, flowId: row.flow_id, status });

  const backoffMs = (flow: Flow, failures: number) => Math.round(flow.retries.backoffSeconds * 1000 * 2 ** Math.max(0, failures - 1));

  /** Ends the execution's runtime session and records its cost (from the gateway's usage rows). */
  const finish = async (row: Selectable<FlowExecutionRow>, reason: string) => {
    if (!row.runtime_session_id) return;
    const cost = await store.sessionCost(row.account_id, row.runtime_session_id);
    await context.db
      .updateTable('flow_executions')
      .set({ cost_micros: cost })
      .where('id', '=', row.id)
      .execute()
      .catch(() => undefined);
    await preloop.identity.runtimeSessions.end(row.account_id, row.runtime_session_id, reason).catch(() => undefined);
  };

  /** Lapsed leases: the instance stopped mid-run. Retried per the flow's policy, or failed. */
  const reap = async () => {
    const time = now();
    for (const row of await store.expired(time, 20)) {
      const flow = await context.flows.find(row.flow_id).catch(() => null);
      const failures = row.failures + 1;
      const retry = flow !== null && failures <= flow.retries.count;
      const message = `the instance running attempt ${row.attempt} (${row.lease_owner}) stopped renewing its lease`;
      const settled = await store.settleExpired(
        row,
        retry
          ? { status: 'queued', failures, run_after: time + backoffMs(flow, failures), updated_at: time, error: message }
          : { status: 'failed', failures, error: message, finished_at: time, updated_at: time },
      );
      if (!settled) continue;
      log(row, 'system', retry ? `${message}; retrying (retry ${failures} of ${flow!.retries.count})` : `${message}; failed`);
      announce(row, retry ? 'queued' : 'failed');
      // The stopped attempt's session ends, so a process it left running loses its credential; a retry starts a new one.
      if (!retry) await finish(row, 'execution failed');
      else if (row.runtime_session_id)
        await preloop.identity.runtimeSessions.end(row.account_id, row.runtime_session_id, 'instance stopped').catch(() => undefined);
    }
  };

  /** Parked executions whose approval was decided (on any instance) go back to the queue. */
  const resumeDecided = async () => {
    const provider = preloop.hooks.approvals;
    if (!provider) return;
    for (const parked of await store.waiting(20)) {
      if (!parked.approval_request_id) continue;
      const outcome = await provider.status(parked.approval_request_id, parked.account_id).catch(() => null);
      if (outcome && outcome.status !== 'pending') await settleDecided(parked.id, outcome);
    }
  };

  /**
   * A parked execution's approval was decided: approved, it is queued again to resume; denied, expired or
   * cancelled, the execution ends `failed` with the reason (the run is not resumed to carry on without the call).
   */
  const settleDecided = async (id: string, outcome: ApprovalOutcome) => {
    if (!refusedStatuses.has(outcome.status)) return resumeExecution(id);
    const why = outcome.reason ?? outcome.comment ?? null;
    const row = await store.read(id);
    if (!row) return;
    const message = `approval request ${outcome.id} ${outcome.status}${why ? `: ${why}` : ''}`;
    if (!(await store.failParked(id, now(), message))) return;
    log(row, 'error', `ended failed: ${message}`);
    await logs.flush(id, true);
    announce(row, 'failed');
    await finish(row, 'execution failed');
  };

  const resumeExecution = async (id: string) => {
    if (await store.resume(id, now())) {
      const row = await store.read(id);
      if (row) {
        log(row, 'system', `approval request ${row.approval_request_id} decided; resuming`);
        announce(row, 'queued');
      }
    }
  };

  const claimDue = async () => {
    const free = context.maxConcurrentRuns - active.size;
    if (free <= 0) return;
    for (const due of await store.due(now(), free * 3)) {
      if (active.size >= context.maxConcurrentRuns) return;
      const flow = await context.flows.find(due.flow_id).catch(() => null);
      if (!flow) continue;
      const stopped = await preloop.governance.killSwitch.stopped(flow.accountId, 'flows').catch(() => 'unknown');
      if (stopped) continue;
      const claim = await store.claim(due.id, context.instanceId, now(), context.leaseMs, flow.concurrency);
      if (claim) start(claim, flow);
    }
  };

  /** The kill switch (scope `flows`) cancels what runs here; its state is cached and dropped on change across instances. */
  const applyKillSwitch = async () => {
    for (const entry of active.values()) {
      const stopped = await preloop.governance.killSwitch.stopped(entry.accountId, 'flows').catch(() => null);
      if (stopped) entry.stop({ status: 'cancelled', message: stopped });
    }
  };

  const tick = async () => {
    if (closed) return;
    try {
      await applyKillSwitch();
      await reap();
      await resumeDecided();
      await claimDue();
    } catch (error) {
      preloop.logger.warn('flows: runner tick failed', { error: (error as Error)?.message });
    }
  };

  const runTick = () => {
    if (!ticking) ticking = tick().finally(() => (ticking = null));
    return ticking;
  };

  const start = (claim: ClaimedExecution, flow: Flow & { accountId: string }) => {
    const controller = new AbortController();
    let stopReason: StopReason | null = null;
    const stop = (reason: StopReason) => {
      if (stopReason) return;
      stopReason = reason;
      controller.abort(new PreloopError('CONFLICT', reason.message));
    };
    const done = run(claim, flow, controller, stop, () => stopReason)
      .catch((error) =>
        preloop.logger.error('flows: execution run failed', { executionId: claim.row.id, error: (error as Error)?.message }),
      )
      .finally(() => {
        active.delete(claim.row.id);
        if (!closed) void runTick();
      });
    active.set(claim.row.id, { accountId: flow.accountId, controller, stop, done });
  };

  const run = async (
    claim: ClaimedExecution,
    flow: Flow & { accountId: string },
    controller: AbortController,
    stop: (reason: StopReason) => void,
    stopReason: () => StopReason | null,
  ) => {
    const row = claim.row;
    const startedAt = now();
    announce(row, 'running');
    log(row, 'system', `attempt ${row.attempt} started on ${context.instanceId}`);
    const runtime = context.runtimes.get(flow.runtime.id);
    let result: RuntimeRunResult;
    let sessionId = row.runtime_session_id;
    // Renew the lease; watch for cancel, the kill switch and the budget.
    const heartbeatMs = Math.max(50, Math.min(context.leaseMs / 3, 5000));
    let lastRenewed = now();
    let renewing = false;
    const heartbeat = setInterval(() => {
      // Renewals that fail or hang (the database is unreachable from here) for two thirds of the lease: stop before
      // another instance may take the execution over, so it never runs twice at once.
      if (now() - lastRenewed >= (context.leaseMs * 2) / 3)
        return stop({
          status: 'released',
          message: `the lease could not be renewed for ${now() - lastRenewed} ms; stopping before another instance takes over`,
        });
      if (renewing) return;
      renewing = true;
      void (async () => {
        const renewedAt = now();
        if (!(await store.renew(claim, renewedAt, context.leaseMs))) {
          const current = await store.read(row.id);
          if (current?.status === 'running' && current.cancel_requested === 1 && current.lease_owner === claim.owner)
            return stop({ status: 'cancelled', message: current.error ?? 'cancelled' });
          return stop({ status: 'released', message: 'the lease was lost (this instance paused longer than the lease)' });
        }
        lastRenewed = renewedAt;
        const current = await store.read(row.id);
        if (current?.cancel_requested === 1) return stop({ status: 'cancelled', message: current.error ?? 'cancelled' });
        const killed = await preloop.governance.killSwitch.stopped(flow.accountId, 'flows').catch(() => null);
        if (killed) return stop({ status: 'cancelled', message: killed });
        if (flow.budgetMicros !== null && sessionId) {
          const cost = await store.sessionCost(flow.accountId, sessionId);
          if (cost > flow.budgetMicros)
            stop({ status: 'failed', message: `budget exceeded: spent ${cost} of ${flow.budgetMicros} micro-dollars` });
        }
      })()
        .catch(() => undefined)
        .finally(() => (renewing = false));
    }, heartbeatMs);
    heartbeat.unref?.();
    const deadline = Number(row.deadline_at ?? 0) > 0 ? Number(row.deadline_at) : startedAt + flow.timeoutSeconds * 1000;
    const timeout = setTimeout(
      () => stop({ status: 'timed_out', message: `timed out after ${flow.timeoutSeconds} s` }),
      Math.max(0, deadline - now()),
    );
    timeout.unref?.();
    try {
      if (!runtime) throw new PreloopError('CONFIGURATION_ERROR', `no runtime "${flow.runtime.id}" is installed`);
      const input = JSON.parse(row.input) as { event?: unknown; inputs?: Record<string, unknown> };
      const prompt =
        row.rendered_prompt ??
        (await renderTemplate(flow.prompt, {
          event: input.event ?? null,
          inputs: input.inputs ?? {},
          flow: { id: flow.id, name: flow.name },
        }));
      let credential: string;
      // The credential lasts the attempt (to its deadline, plus a minute), not the kernel's shorter TTL: a command's
      // process keeps the one it was started with. Core caps it at 24 h; the session ending revokes it earlier.
      const credentialTtlSeconds = Math.ceil(Math.max(0, deadline - now()) / 1000) + credentialMarginSeconds;
      const resumed = sessionId
        ? await preloop.identity.runtimeSessions.heartbeat(flow.accountId, sessionId, { credentialTtlSeconds }).catch(() => null)
        : null;
      if (resumed) credential = resumed.credential.token;
      else {
        const started = await preloop.identity.runtimeSessions.start(flow.accountId, {
          name: `flow ${flow.name}`.slice(0, 200),
          agentId: flow.agentId,
          source: 'flow',
          externalId: row.id,
          metadata: { flowId: flow.id, executionId: row.id },
          credentialTtlSeconds,
        });
        sessionId = started.session.id;
        credential = started.credential.token;
      }
      logs.protect(row.id, [credential]);
      await store.update(claim, { rendered_prompt: prompt, runtime_session_id: sessionId, deadline_at: deadline, updated_at: now() });
      result = await runtime.run({
        accountId: flow.accountId,
        flowId: flow.id,
        executionId: row.id,
        attempt: row.attempt,
        prompt,
        model: flow.model,
        endpoints: context.endpoints,
        credential,
        runtimeSessionId: sessionId!,
        options: flow.runtime.options,
        signal: controller.signal,
        log: (stream, text) => log(row, stream, text),
        checkpoint: row.checkpoint ? JSON.parse(row.checkpoint) : null,
        allowedTools: flow.tools,
      });
    } catch (error) {
      result = { status: 'failed', error: (error as Error)?.message ?? String(error) };
    } finally {
      clearInterval(heartbeat);
      clearTimeout(timeout);
    }
    await settle(claim, flow, result, stopReason(), sessionId, startedAt);
  };

  const settle = async (
    claim: ClaimedExecution,
    flow: Flow & { accountId: string },
    result: RuntimeRunResult,
    stopped: StopReason | null,
    sessionId: string | null,
    startedAt: number,
  ) => {
    const row = claim.row;
    const time = now();
    const usage = result.usage ? JSON.stringify(result.usage) : null;
    let status: ExecutionStatus;
    let patch: Partial<FlowExecutionRow>;
    if (stopped?.status === 'released') {
      log(row, 'system', `stopped: ${stopped.message}`);
      await logs.flush(row.id, true);
      return;
    }
    if (stopped?.status === 'shutdown') {
      // A graceful stop hands the execution back (not a failure): the next instance resumes it from the start.
      if (await store.update(claim, { status: 'queued', run_after: time, lease_owner: null, lease_expires_at: null, updated_at: time })) {
        log(row, 'system', `attempt ${row.attempt} stopped: ${stopped.message}; queued again`);
        announce(row, 'queued');
      }
      await logs.flush(row.id, true);
      return;
    }
    if (stopped) {
      status = stopped.status;
      patch = { status, error: stopped.message, finished_at: time };
    } else if (result.status === 'waiting_approval') {
      status = 'waiting_approval';
      patch = {
        status,
        approval_request_id: result.approvalRequestId,
        checkpoint: JSON.stringify(result.checkpoint ?? null),
        lease_owner: null,
        lease_expires_at: null,
      };
    } else if (result.status === 'succeeded') {
      status = 'succeeded';
      patch = { status, result: result.output.slice(0, 65_536), error: null, finished_at: time };
    } else {
      const failures = row.failures + 1;
      if (failures <= flow.retries.count) {
        status = 'queued';
        patch = {
          status,
          failures,
          error: result.error,
          run_after: time + backoffMs(flow, failures),
          lease_owner: null,
          lease_expires_at: null,
        };
      } else {
        status = 'failed';
        patch = { status, failures, error: result.error, finished_at: time };
      }
    }
    const written = await store.update(claim, { ...patch, usage: usage ?? undefined, updated_at: time });
    if (!written) {
      log(row, 'system', 'the lease was lost before the result could be stored; another instance owns this execution');
      await logs.flush(row.id, true);
      return;
    }
    const detail = patch.error
      ? `: ${patch.error}`
      : result.status === 'waiting_approval'
        ? `: approval request ${result.approvalRequestId}`
        : '';
    log(row, status === 'failed' || status === 'timed_out' ? 'error' : 'system', `attempt ${row.attempt} ended ${status}${detail}`);
    await logs.flush(row.id, status !== 'queued' && status !== 'waiting_approval');
    context.observe(flow.id, status, (time - startedAt) / 1000);
    const settledRow = { ...row, runtime_session_id: sessionId };
    if (status === 'succeeded' || status === 'failed' || status === 'cancelled' || status === 'timed_out')
      await finish(settledRow, `execution ${status}`);
    else if (sessionId) {
      const cost = await store.sessionCost(row.account_id, sessionId);
      await context.db.updateTable('flow_executions').set({ cost_micros: cost }).where('id', '=', row.id).execute();
    }
    announce(row, status);
    if (status === 'waiting_approval' && result.status === 'waiting_approval') {
      // Decided before we parked? Then resume at once.
      const outcome = await preloop.hooks.approvals?.status(result.approvalRequestId, row.account_id).catch(() => null);
      if (outcome && outcome.status !== 'pending') await settleDecided(row.id, outcome);
    }
  };

  // `approval-updated` comes from the approvals plugin (not a dependency of this package): observed by name.
  const onAnyEvent = (name: string, payload: unknown) => {
    if (name !== 'approval-updated' || closed) return;
    const update = payload as { id?: unknown; status?: unknown };
    if (typeof update.id === 'string' && update.status !== 'pending') onApproval(update.id);
  };
  let stopEvents: (() => void) | null = null;
  const onApproval = (approvalId: string) => {
    void (async () => {
      const rows = await context.db
        .selectFrom('flow_executions')
        .select(['id', 'account_id'])
        .where('approval_request_id', '=', approvalId)
        .where('status', '=', 'waiting_approval')
        .execute();
      for (const parked of rows) {
        const outcome = await preloop.hooks.approvals?.status(approvalId, parked.account_id).catch(() => null);
        if (outcome && outcome.status !== 'pending') await settleDecided(parked.id, outcome);
      }
      if (rows.length) await runTick();
    })().catch(() => undefined);
  };

  return {
    /** Starts the polling loop. */
    start() {
      stopEvents = preloop.events.onAny(onAnyEvent);
      timer = setInterval(() => void runTick(), context.pollIntervalMs);
      timer.unref?.();
      void runTick();
    },
    /** Runs one tick now (after an enqueue, so a run starts without waiting for the next poll). */
    wake: () => runTick(),
    /** Aborts the run of `id` on this instance, if it runs here. */
    abort(id: string, reason: StopReason) {
      active.get(id)?.stop(reason);
    },
    /** Executions running on this instance. */
    running: () => active.size,
    /**
     * Stops the loop. Running executions are aborted and queued again (not
     * counted as a failure), for another instance or the next start to run.
     */
    async close() {
      closed = true;
      stopEvents?.();
      if (timer) clearInterval(timer);
      await ticking;
      for (const entry of active.values()) entry.stop({ status: 'shutdown', message: 'the instance is shutting down' });
      await Promise.all([...active.values()].map((entry) => entry.done));
    },
  };
}

/** The runner's interface. */
export type FlowRunner = ReturnType<typeof createFlowRunner>;
