/**
 * One upstream attempt of a model call: its abort listeners and timers, its
 * budget reservation, and `finish`, which records it exactly once (usage
 * record, settlement, gateway event, session activity) and hands the usage
 * record to the governed-call pipeline, which writes the call's audit record.
 *
 * @module
 */

import { createId, PreloopError, type Principal } from '@preloop/core';
import { redactAuditData, redactString } from '@preloop/core/internal';
import { formatUsd, reserveBudgets, type Reservation } from '../budgets/budget-ledger.js';
import type { ResolvedModel } from '../models/model-alias.js';
import type { CallSnapshot, UsageRecord, UsageStatus } from '../records/usage-record.js';
import { computeCost } from '../usage/compute-cost.js';
import type { Usage } from '../usage/usage.js';
import type { CallPlan } from './call-plans.js';
import type { GatewayRequest } from './exchange.js';
import type { GatewayContext } from './gateway-context.js';
import { reservationMicros } from './reservation-estimate.js';

/** Why the upstream request was aborted. */
export type AbortReason = 'client' | 'timeout' | 'done';

/** How an attempt ended, as `finish` records it. */
export interface CallResult {
  status: UsageStatus;
  httpStatus: number | null;
  errorCode: string | null;
  usage: Usage;
  estimated: boolean;
  /** The client's response (object or streamed text), for body capture. */
  response?: unknown;
}

/** One upstream attempt. */
export interface ModelCall {
  readonly id: string;
  readonly principal: Principal;
  readonly target: ResolvedModel;
  readonly plan: CallPlan;
  /** Calls `listener` when the attempt is aborted (the transport stops the upstream request). */
  onAbort(listener: () => void): void;
  /** Why it was aborted, or null. */
  readonly abortReason: AbortReason | null;
  abort(reason: AbortReason): void;
  /** Reserves the call's worst-case cost on every applicable budget (throws `BUDGET_EXCEEDED`). */
  reserve(): Promise<void>;
  /** Notes the time of the first upstream byte. */
  markFirstByte(): void;
  /** Records the attempt once; later calls do nothing. */
  finish(result: CallResult): void;
  /** Drops an attempt that never went upstream (its reservation was refused): nothing is recorded. */
  dispose(): void;
  readonly finished: boolean;
}

/** What starts an attempt. */
export interface ModelCallInit {
  principal: Principal;
  target: ResolvedModel;
  plan: CallPlan;
  /** The client's request (its disconnect aborts the attempt). */
  client: Pick<GatewayRequest, 'aborted' | 'onAbort'>;
  /** The client's request body, for body capture. */
  requestBody: Record<string, unknown>;
  fallbackFrom: string | null;
  /** Told the attempt's usage record once it is finished (the governed-call pipeline audits the call from it). */
  onFinish?(record: UsageRecord): void;
}

const deniedUnpriced = (alias: string) =>
  new PreloopError(
    'BUDGET_EXCEEDED',
    `Model alias "${alias}" has no price, so its cost cannot be held against a hard budget limit; configure its prices.`,
    {
      details: { errorCode: 'unpriced_model_under_budget' },
    },
  );

/**
 * Starts an attempt: arms the total timeout and listens for the client going away.
 *
 * @example
 * ```ts
 * const call = startModelCall(context, { principal, target, plan, client: request, requestBody: body, fallbackFrom: null });
 * await call.reserve();
 * ```
 */
export function startModelCall(context: GatewayContext, init: ModelCallInit): ModelCall {
  const { preloop, runtime, options } = context;
  const { principal, target, plan } = init;
  const startedAt = Date.now();
  const startedHr = performance.now();
  const abortListeners: Array<() => void> = [];
  let reason: AbortReason | null = null;
  let reservation: Reservation | null = null;
  let ttfbMs: number | null = null;
  let finished = false;
  const abort = (why: AbortReason) => {
    if (reason !== null) return;
    reason = why;
    for (const listener of abortListeners.splice(0)) listener();
  };
  let stopWatchingClient = (): void => {};
  if (init.client.aborted) abort('client');
  else stopWatchingClient = init.client.onAbort(() => abort('client'));
  const totalTimer = setTimeout(() => abort('timeout'), options.timeouts.totalMs);
  totalTimer.unref?.();

  const snapshot: CallSnapshot = {
    accountId: principal.accountId,
    time: startedAt,
    principalType: principal.type,
    principalId: principal.id,
    userId: principal.userId,
    apiKeyId: principal.apiKeyId,
    agentId: principal.agentId,
    runtimeSessionId: principal.runtimeSessionId,
    alias: target.alias,
    provider: target.provider.id,
    upstreamModel: target.upstreamModel,
    operation: plan.operation,
    streamed: plan.stream,
  };

  const capture = (value: unknown): string | null => {
    if (!options.capture.bodies || value === undefined) return null;
    if (typeof value === 'string') return redactString(value.slice(0, options.capture.maxBytes));
    return JSON.stringify(redactAuditData(value, { maxBytes: options.capture.maxBytes }));
  };

  return {
    id: createId('use'),
    principal,
    target,
    plan,
    onAbort(listener) {
      if (reason !== null && reason !== 'done') listener();
      else abortListeners.push(listener);
    },
    get abortReason() {
      return reason;
    },
    get finished() {
      return finished;
    },
    abort,
    async reserve() {
      const budgets = await runtime.budgets.applicable(principal, target.alias);
      if (budgets.length === 0) return;
      let amount = 0;
      if (target.prices) {
        amount = reservationMicros(
          target.prices,
          Buffer.byteLength(plan.body),
          plan.maxOutputTokens,
          options.budgets.defaultMaxOutputTokens,
          options.budgets.fixedInputTokens,
        );
      } else if (options.budgets.unpriced === 'deny' && budgets.some((budget) => budget.hardLimitMicros !== null)) {
        throw deniedUnpriced(target.alias);
      }
      try {
        reservation = await reserveBudgets(
          runtime.db,
          preloop.dialect,
          budgets,
          amount,
          startedAt + options.timeouts.totalMs + 60_000,
          snapshot,
        );
      } catch (error) {
        const budgetId =
          error instanceof PreloopError ? (error.details as { budget?: { id?: string } } | undefined)?.budget?.id : undefined;
        if (budgetId)
          preloop.events.emit('gateway-budget-exceeded', {
            accountId: principal.accountId,
            budgetId,
            alias: target.alias,
            principalId: principal.id,
          });
        throw error;
      }
    },
    dispose() {
      finished = true;
      clearTimeout(totalTimer);
      stopWatchingClient();
    },
    markFirstByte() {
      ttfbMs ??= Math.round(performance.now() - startedHr);
    },
    finish(result) {
      if (finished) return;
      finished = true;
      clearTimeout(totalTimer);
      stopWatchingClient();
      if (reason === null) reason = 'done';
      abortListeners.length = 0;
      const price = computeCost(result.usage, target.prices);
      // Listed field by field: `{ ...snapshot, more }` would hit V8's slow path for added keys (~15 µs).
      const record: UsageRecord = {
        accountId: snapshot.accountId,
        time: snapshot.time,
        principalType: snapshot.principalType,
        principalId: snapshot.principalId,
        userId: snapshot.userId,
        apiKeyId: snapshot.apiKeyId,
        agentId: snapshot.agentId,
        runtimeSessionId: snapshot.runtimeSessionId,
        alias: snapshot.alias,
        provider: snapshot.provider,
        upstreamModel: snapshot.upstreamModel,
        operation: snapshot.operation,
        streamed: snapshot.streamed,
        id: this.id,
        status: result.status,
        httpStatus: result.httpStatus,
        errorCode: result.errorCode,
        inputTokens: result.usage.inputTokens,
        outputTokens: result.usage.outputTokens,
        cachedInputTokens: result.usage.cachedInputTokens,
        cacheWriteTokens: result.usage.cacheCreationInputTokens,
        reasoningTokens: result.usage.reasoningTokens,
        costMicros: price.costMicros,
        costSource: target.costSource,
        usageEstimated: result.estimated,
        latencyMs: Math.round(performance.now() - startedHr),
        ttfbMs,
        fallbackFrom: init.fallbackFrom,
      };
      const sessionId = principal.runtimeSessionId;
      const cost = record.costMicros === null ? 'unpriced' : formatUsd(record.costMicros);
      const summary = `${target.alias} ${plan.operation}: ${record.status}, ${record.inputTokens} in / ${record.outputTokens} out tokens, ${cost}, ${record.latencyMs} ms`;
      runtime.writer.write({
        record,
        settlement: reservation ? { reservation, costMicros: price.costMicros } : null,
        event: sessionId
          ? {
              id: createId('gev'),
              account_id: principal.accountId,
              runtime_session_id: sessionId,
              usage_id: record.id,
              time: startedAt,
              alias: target.alias,
              status: record.status,
              summary,
              request_body: capture(init.requestBody),
              response_body: capture(result.response),
            }
          : null,
      });
      recordActivity(context, record, summary);
      init.onFinish?.(record);
    },
  };
}

/** The runtime session's activity, off the request path; failures are logged, never thrown. The audit record is the pipeline's (one per call, see `run-model-call.ts`). */
function recordActivity(context: GatewayContext, record: UsageRecord, summary: string): void {
  if (!record.runtimeSessionId) return;
  const { preloop } = context;
  preloop.identity
    .recordActivity(record.runtimeSessionId, {
      kind: 'model_call',
      status: record.status,
      summary,
      data: {
        usageId: record.id,
        alias: record.alias,
        inputTokens: record.inputTokens,
        outputTokens: record.outputTokens,
        costMicros: record.costMicros,
      },
    })
    .catch((error) => preloop.logger.warn('gateway: session activity failed', { error, usageId: record.id }));
}
