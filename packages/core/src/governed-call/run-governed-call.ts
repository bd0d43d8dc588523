/**
 * The governed-call pipeline: the one order every governed call follows,
 * whatever its surface (MCP tool calls, gateway model calls, and what comes
 * next: tracker tools, flow steps, native-tool permission checks):
 *
 * authenticate → kill switch (read once) → resolve → visibility (one
 * governance read) → prepare (validation, before-hooks) → decision → plugin
 * `policy.evaluate` hooks → approval → audit intent → execute → after-hooks →
 * usage → one audit record.
 *
 * @module
 */

import type { Preloop } from '../kernel/preloop.js';
import { combineDecisions, type PolicyDecision } from '../policy/index.js';
import { redactString } from '../audit/redact.js';
import { isStoreUnavailable } from '../storage/store-unavailable.js';
import type {
  GovernedExecution,
  GovernedCallContext,
  GovernedCallOutcome,
  GovernedCallRecord,
  GovernedCallStage,
  GovernedCallState,
  GovernedCallSurface,
  GovernedRefusalCode,
  GovernedRefusalInit,
  GovernedSettlement,
} from './governed-call-types.js';

/** What the pipeline uses from the kernel (`tracing` when spans are recorded). */
export type GovernedCallKernel = Pick<Preloop, 'governance' | 'hooks' | 'logger'> & Partial<Pick<Preloop, 'tracing'>>;

const isRefusal = <Result>(value: object): value is GovernedRefusalInit<Result> => 'refuse' in value;

/**
 * Runs one governed call through the pipeline's named stages. Refusals come
 * back as `status: 'refused'` with a code; a stage that throws is recorded
 * (one audit record, outcome `failed`) and the error is rethrown for the
 * surface to answer. A streamed result comes back at once; its usage and
 * audit stages run when `settled` resolves.
 *
 * @example
 * ```ts
 * const outcome = await runGovernedCall(preloop, surface);
 * if (outcome.status === 'refused') console.log(outcome.code, outcome.reason);
 * ```
 */
export async function runGovernedCall<Target, Args, Result>(
  kernel: GovernedCallKernel,
  surface: GovernedCallSurface<Target, Args, Result>,
): Promise<GovernedCallOutcome<Target, Args, Result>> {
  const started = performance.now();
  const traced = kernel.tracing?.enabled && surface.telemetry ? { tracing: kernel.tracing, telemetry: surface.telemetry } : null;
  const startTime = traced ? Date.now() : 0;
  const trace: GovernedCallStage[] = [];
  const state: GovernedCallState<Target, Args> = {
    kind: surface.kind,
    principal: null,
    name: null,
    target: null,
    args: null,
    decision: null,
    approvalId: null,
  };
  let stage: GovernedCallStage = 'authenticate';
  const enter = (next: GovernedCallStage) => {
    stage = next;
    trace.push(next);
  };

  /** The usage and audit stages: each runs exactly once per call that has a principal, whatever its outcome. */
  const record = (
    outcome: GovernedCallRecord<Target, Args, Result>['outcome'],
    extra: Partial<GovernedCallRecord<Target, Args, Result>>,
  ) => {
    if (!state.principal) return;
    const entry: GovernedCallRecord<Target, Args, Result> = {
      ...state,
      principal: state.principal,
      outcome,
      stage,
      code: null,
      reason: null,
      result: null,
      settlement: null,
      replayed: false,
      error: undefined,
      durationMs: performance.now() - started,
      ...extra,
    };
    if (surface.usage) {
      trace.push('usage');
      try {
        surface.usage(entry);
      } catch (error) {
        kernel.logger.warn('governed call: the usage stage failed', { error, kind: surface.kind });
      }
    }
    trace.push('audit');
    try {
      const written = surface.audit(entry);
      if (written)
        written.catch((error: unknown) =>
          kernel.logger.warn('governed call: the audit record could not be written', { error, kind: surface.kind }),
        );
    } catch (error) {
      kernel.logger.warn('governed call: the audit record could not be written', { error, kind: surface.kind });
    }
    if (traced) span(entry);
  };

  /** The call's span (tracing on): described by the surface, parented to the incoming trace context. */
  const span = (entry: GovernedCallRecord<Target, Args, Result>) => {
    try {
      const { tracing, telemetry } = traced!;
      const description = telemetry.describe(entry, tracing.captureContent);
      if (!description.errorType && (entry.outcome === 'failed' || entry.outcome === 'denied'))
        description.errorType = entry.code ?? (entry.error as { code?: string } | undefined)?.code ?? '_OTHER';
      tracing.record({
        span: description,
        principal: entry.principal,
        outcome: entry.outcome,
        startTime,
        endTime: startTime + entry.durationMs,
        carrier: telemetry.carrier(),
      });
    } catch (error) {
      kernel.logger.warn('governed call: the span could not be recorded', { error, kind: surface.kind });
    }
  };

  const refuse = (
    code: GovernedRefusalCode,
    reason: string,
    result: Result | null = null,
    outcome: 'denied' | 'failed' = 'denied',
  ): GovernedCallOutcome<Target, Args, Result> => {
    record(outcome, { code, reason, result });
    return { ...state, trace, status: 'refused', code, reason, result };
  };

  const finished = (executed: GovernedExecution<Result>, replayed: boolean): GovernedCallOutcome<Target, Args, Result> => {
    const settle = (settlement: GovernedSettlement) =>
      record(settlement.failed ? 'failed' : 'succeeded', {
        result: executed.result,
        settlement,
        replayed,
        reason: settlement.reason ?? null,
      });
    if (executed.settled) {
      // A streamed result: the caller gets it now; usage and the record follow when the stream ends.
      executed.settled.then(settle, (error: unknown) =>
        settle({ failed: true, reason: redactString((error as Error)?.message ?? String(error)) }),
      );
    } else settle(executed.settlement ?? { failed: false });
    return { ...state, trace, status: 'ran', result: executed.result, replayed };
  };

  try {
    enter('authenticate');
    state.principal = await surface.authenticate();
    if (!state.principal) return { ...state, trace, status: 'refused', code: 'unauthenticated', reason: 'unauthenticated', result: null };
    const principal = state.principal;

    // The kill switch answers every name alike (it reveals nothing about which targets exist), read once per call.
    enter('kill-switch');
    const stopped = await kernel.governance.killSwitch.stopped(principal.accountId, surface.scope).catch((error: unknown) => {
      if (isStoreUnavailable(error)) throw error;
      return `Kill switch state cannot be read; ${surface.scope} are stopped`;
    });
    if (stopped) return refuse('killed', stopped);

    let verdict;
    let requested: string | null = null;
    for (;;) {
      enter('resolve');
      const found = await surface.resolve(principal, requested);
      if (!found) return refuse('not_found', `not found: ${requested ?? 'the requested target'}`);
      state.name = found.name;
      state.target = found.target;
      enter('visibility');
      verdict = await kernel.governance.decideCall(principal, surface.describe(found.target));
      if (!verdict.visible) {
        state.decision = verdict.decide(state.args ?? undefined);
        return refuse('hidden', `not visible: ${found.name}`);
      }
      if (state.args !== null) break; // a retarget: the arguments are prepared already
      enter('prepare');
      const prepared = await surface.prepare({ ...state, principal, name: found.name, target: found.target });
      if (isRefusal<Result>(prepared))
        return refuse(prepared.refuse, prepared.reason, prepared.reply ?? null, prepared.refuse === 'invalid' ? 'failed' : 'denied');
      state.args = prepared.args;
      if (prepared.retarget === undefined || prepared.retarget === found.name) break;
      requested = prepared.retarget; // resolved and governed once more; `prepare` does not run again
    }

    enter('decision');
    let decision: PolicyDecision = verdict.decide(state.args);
    state.decision = decision;
    const context = state as GovernedCallContext<Target, Args>;

    if (kernel.hooks.hasPolicyEvaluators) {
      enter('policy-hooks');
      const target = surface.describe(context.target);
      const fromPlugins = await kernel.hooks.evaluatePolicy(
        // A native tool (a permission check) is a tool call to plugins: `native.<tool>` with its arguments.
        target.kind !== 'model_call'
          ? {
              kind: 'tool_call',
              subject: principal,
              tool: { name: target.name, server: target.server ?? null, readOnly: target.readOnly },
              args: context.args,
              ...(verdict.session ? { session: verdict.session } : {}),
            }
          : { kind: 'model_call', subject: principal, model: { name: target.name }, body: surface.policyBody?.(context) ?? {} },
      );
      if (fromPlugins) decision = state.decision = combineDecisions([decision, fromPlugins]);
    }
    if (decision.action === 'deny')
      return decision.explanation.hidden ? refuse('hidden', `not visible: ${context.name}`) : refuse('denied', decision.reason);

    const run = async (): Promise<GovernedExecution<Result>> => {
      enter('intent');
      await surface.intent(context);
      enter('execute');
      const executed = await surface.execute(context);
      if (!surface.after || executed.settled) return executed;
      enter('after');
      return surface.after(context, executed);
    };

    if (decision.action === 'allow') {
      // No call runs unless its audit is secured first (fail closed).
      enter('intent');
      try {
        await surface.intent(context);
      } catch {
        return refuse('audit_unavailable', 'audit unavailable');
      }
      enter('execute');
      let executed = await surface.execute(context);
      if (surface.after && !executed.settled) {
        enter('after');
        executed = await surface.after(context, executed);
      }
      return finished(executed, false);
    }

    enter('approval');
    if (!surface.approve)
      return refuse(
        'approval',
        `${context.name} requires approval (workflow "${decision.workflow}"), which this kind of call does not support, so the call is denied.`,
      );
    const step = await surface.approve(context, decision);
    state.approvalId = step.approvalId;
    if (step.status === 'refused') return refuse('approval', step.reason, step.reply ?? null);
    if (step.status === 'pending') {
      record('pending', { reason: 'waiting for approval', result: step.reply });
      return { ...state, trace, status: 'pending', result: step.reply };
    }
    if (step.status === 'replayed') return finished(step.executed, true);
    if (!step.once) return finished(await run(), false);
    const { executed, replayed } = await step.once(run);
    return finished(executed, replayed);
  } catch (error) {
    record('failed', { error, reason: redactString((error as Error)?.message ?? String(error)).slice(0, 500) });
    throw error;
  }
}
