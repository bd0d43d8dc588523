/**
 * The path of every model call: the gateway's surface of core's governed-call
 * pipeline (`runGovernedCall`): authenticate → kill switch → parse and
 * resolve the alias → policy (visibility) → rate limit and `model.before` →
 * plugin `policy.evaluate` hooks → room for the records → plan, reserve
 * budget, forward (streaming or not), with fallbacks to the alias's alternate
 * when the upstream fails before the first byte → one audit record when the
 * call (or its stream) ends.
 *
 * @module
 */

import {
  isPreloopError,
  PreloopError,
  runGovernedCall,
  type GovernedCallRecord,
  type GovernedCallSurface,
  type GovernedExecution,
  type GovernedRefusalCode,
  type GovernedSettlement,
  type PolicyDecision,
  type Principal,
} from '@preloop/core';
import type { ResolvedModel } from '../models/model-alias.js';
import { authenticateGatewayRequest } from '../http/gateway-auth.js';
import type { ResolvedGatewayOptions } from '../http/gateway-options.js';
import { buildCallPlan, type GatewayOperation } from './call-plans.js';
import { discardReply, type GatewayReply, type GatewayRequest } from './exchange.js';
import { forwardComplete } from './forward-complete.js';
import { forwardStream } from './forward-stream.js';
import type { GatewayContext } from './gateway-context.js';
import { asPreloopError, errorReply, type IngressFormat } from './ingress-errors.js';
import { startModelCall } from './model-call.js';
import { modelNotFound, toAliasName } from './model-names.js';
import { describeModelCallSpan } from './model-call-span.js';
import type { UsageRecord } from '../records/usage-record.js';

/** The 401 every unauthenticated gateway request gets. */
export function unauthenticated(): PreloopError {
  return new PreloopError(
    'UNAUTHENTICATED',
    'Missing or invalid credential: send a Preloop API key or runtime credential (with the gateway scope) as "Authorization: Bearer …", "x-api-key" or "x-goog-api-key".',
  );
}

/** Reads the body as a JSON object (413 over the size limit, 408 when the upload stalls, 400 otherwise). */
export async function readJsonObject(
  request: GatewayRequest,
  options: Pick<ResolvedGatewayOptions, 'bodyLimitBytes' | 'bodyTimeoutMs'>,
): Promise<Record<string, unknown>> {
  const text = await request.readText({ bytes: options.bodyLimitBytes, timeoutMs: options.bodyTimeoutMs });
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch (cause) {
    throw new PreloopError('VALIDATION_ERROR', `Malformed JSON body: ${(cause as Error).message}`, { cause });
  }
  if (body === null || typeof body !== 'object' || Array.isArray(body)) {
    throw new PreloopError('VALIDATION_ERROR', 'The request body must be a JSON object.');
  }
  return body as Record<string, unknown>;
}

/** Reads the body as a JSON object with a string `model` (413 over the size limit, 408 when the upload stalls, 400 otherwise). */
export async function readModelRequest(
  request: GatewayRequest,
  options: Pick<ResolvedGatewayOptions, 'bodyLimitBytes' | 'bodyTimeoutMs'>,
): Promise<{ body: Record<string, unknown>; model: string }> {
  const body = await readJsonObject(request, options);
  const model = (body as { model?: unknown }).model;
  if (typeof model !== 'string' || model === '') {
    throw new PreloopError('VALIDATION_ERROR', 'model: is required (the name of a model alias).', {
      details: { issues: [{ path: 'model', message: 'required' }] },
    });
  }
  return { body, model };
}

/** Throws `POLICY_DENIED` (403) unless policy lets `principal` use `model` (kill switch included). */
export async function requireAllowedModel(context: GatewayContext, principal: Principal, model: string): Promise<void> {
  const access = await context.preloop.governance.isModelAllowed(principal, model);
  if (!access.allowed) {
    throw new PreloopError('POLICY_DENIED', access.reason ?? `Model not allowed: ${model}`, {
      details: { model, scope: access.explanation.scope },
    });
  }
}

/** The alias ready to call, or `NOT_FOUND` (404). */
export async function requireAlias(context: GatewayContext, accountId: string, alias: string): Promise<ResolvedModel> {
  const resolved = await context.runtime.models.resolve(accountId, alias);
  if (!resolved)
    throw new PreloopError('NOT_FOUND', `The model "${alias}" does not exist; ask an administrator for the configured model aliases.`);
  return resolved;
}

/** The fallback alias if it exists and policy allows it for `principal`; null otherwise (the failure stands). */
async function fallbackTarget(context: GatewayContext, principal: Principal, alias: string): Promise<ResolvedModel | null> {
  try {
    await requireAllowedModel(context, principal, alias);
    return await requireAlias(context, principal.accountId, alias);
  } catch (error) {
    context.preloop.logger.warn('gateway: fallback skipped', { alias, reason: (error as Error).message });
    return null;
  }
}

const auditedDenials = new Set(['POLICY_DENIED', 'BUDGET_EXCEEDED']);

type Body = Record<string, unknown>;
type ModelCallRecord = GovernedCallRecord<ResolvedModel, Body, GatewayReply>;

const settlementOf = (record: UsageRecord): GovernedSettlement => ({
  failed: record.status !== 'success',
  reason: record.errorCode,
  detail: record,
});

/** The 403 of a call governance refused (kill switch, policy, a plugin's hook, an approval model calls cannot wait for). */
function deniedError(
  code: GovernedRefusalCode,
  reason: string,
  decision: PolicyDecision | null,
  model: string | null,
): PreloopError | null {
  const scope = decision?.explanation.scope ?? null;
  if (code === 'killed') return new PreloopError('POLICY_DENIED', reason, { details: { model, scope: 'kill-switch' } });
  if (code === 'hidden')
    return new PreloopError('POLICY_DENIED', `The policy does not allow the model "${model}" for this credential (${scope}).`, {
      details: { model, scope },
    });
  if (code === 'denied') return new PreloopError('POLICY_DENIED', reason, { details: { model, scope } });
  if (code === 'approval')
    return new PreloopError(
      'POLICY_DENIED',
      `The model "${model}" requires approval (${decision?.action === 'require_approval' ? `workflow "${decision.workflow}"` : 'policy'}), and model calls cannot wait for one, so the call is denied.`,
      { details: { model, scope } },
    );
  return null;
}

/**
 * The call's one audit record: denials by governance or a budget, and calls
 * that went upstream (failures always; successes unless `auditCalls` is
 * `failures`: the usage record with the same id holds every detail). Client
 * errors (400, 404, 413, 429) get none, as before the pipeline.
 */
function auditModelCall(context: GatewayContext, record: ModelCallRecord): void {
  const usage = record.settlement?.detail as UsageRecord | undefined;
  if (usage) {
    // Kept small on purpose (redaction, canonical JSON and hashing cost grow with it): the usage
    // record with the same id holds every detail; the audit record names the principal, the alias
    // (target), the outcome, the cost and the usage id.
    if (usage.status === 'success' && context.options.auditCalls !== 'all') return;
    const data: Record<string, unknown> =
      usage.errorCode === null
        ? { usageId: usage.id, costMicros: usage.costMicros }
        : { usageId: usage.id, costMicros: usage.costMicros, errorCode: usage.errorCode };
    if (record.approvalId) data.approvalId = record.approvalId;
    context.runtime.audit({
      accountId: usage.accountId,
      actor: record.principal,
      action: 'model.call',
      target: { type: 'model', id: usage.alias },
      outcome: usage.status === 'success' ? 'success' : 'failure',
      runtimeSessionId: usage.runtimeSessionId,
      data,
    });
    return;
  }
  const error =
    record.error !== undefined
      ? asPreloopError(record.error)
      : record.code
        ? deniedError(record.code, record.reason ?? '', record.decision, record.name)
        : null;
  if (!error || !auditedDenials.has(error.code)) return;
  context.runtime.audit({
    accountId: record.principal.accountId,
    actor: record.principal,
    action: 'model.call',
    target: { type: 'model', id: record.name },
    outcome: 'denied',
    data: {
      model: record.name,
      code: error.code,
      reason: error.message,
      ...(record.decision ? { scope: record.decision.explanation.scope } : {}),
    },
  });
}

/**
 * Serves one model call of an ingress operation. `pathModel` is the model
 * named in the URL (the Gemini ingress); otherwise the body's `model` is.
 *
 * @example
 * ```ts
 * return runModelCall(context, request, 'anthropic', 'messages');
 * ```
 */
export async function runModelCall(
  context: GatewayContext,
  request: GatewayRequest,
  format: IngressFormat,
  operation: GatewayOperation,
  pathModel?: string,
): Promise<GatewayReply> {
  const { preloop } = context;
  let body: Body = {};
  let requested: string | null = null;
  let model: string | null = null;

  /** The upstream attempts: the alias, then its fallbacks while the upstream fails before the first byte. */
  async function execute(principal: Principal, first: ResolvedModel, requestBody: Body): Promise<GovernedExecution<GatewayReply>> {
    let target = first;
    let fallbackFrom: string | null = null;
    const visited = new Set<string>();
    for (let attempt = 0; ; attempt++) {
      visited.add(target.alias);
      const plan = buildCallPlan(target, operation, requestBody);
      const ending: { record: UsageRecord | null; notify: ((record: UsageRecord) => void) | null } = { record: null, notify: null };
      const call = startModelCall(context, {
        principal,
        target,
        plan,
        client: request,
        requestBody,
        fallbackFrom,
        onFinish(record) {
          ending.record = record;
          ending.notify?.(record);
        },
      });
      try {
        await call.reserve();
      } catch (error) {
        call.dispose();
        throw error;
      }
      const outcome = plan.stream
        ? await forwardStream(context, call, request, format)
        : await forwardComplete(context, call, request, format, requestBody);
      const next = target.fallback;
      if (outcome.retry && next && attempt < context.options.maxFallbacks && !visited.has(next) && !request.aborted) {
        const fallback = await fallbackTarget(context, principal, next);
        if (fallback) {
          discardReply(outcome.reply);
          fallbackFrom = target.alias;
          target = fallback;
          continue;
        }
      }
      if (ending.record) return { result: outcome.reply, settlement: settlementOf(ending.record) };
      // A stream still running: the call is recorded when it ends (or the client leaves).
      return {
        result: outcome.reply,
        settled: new Promise<GovernedSettlement>((resolve) => (ending.notify = (record) => resolve(settlementOf(record)))),
      };
    }
  }

  const surface: GovernedCallSurface<ResolvedModel, Body, GatewayReply> = {
    kind: 'model_call',
    scope: 'models',
    async authenticate() {
      // Once the records of earlier calls cannot be kept (the database is down and the buffer is full), serve no more.
      context.runtime.assertCanRecord();
      const principal = await authenticateGatewayRequest(preloop, request);
      if (!principal) throw unauthenticated();
      return principal;
    },
    async resolve(principal, name) {
      if (name === null && pathModel !== undefined) {
        body = await readJsonObject(request, context.options);
        requested = pathModel;
        name = await toAliasName(context, principal.accountId, pathModel);
      } else if (name === null) {
        const parsed = await readModelRequest(request, context.options);
        body = parsed.body;
        requested = parsed.model;
        name = await toAliasName(context, principal.accountId, parsed.model);
      } else requested = name;
      model = name;
      const target = await context.runtime.models.resolve(principal.accountId, name);
      return target ? { name, target } : null;
    },
    describe: (target) => ({ kind: 'model_call', name: target.alias }),
    async prepare({ principal, name }) {
      await context.limiter.take(principal);
      const envelope = await preloop.hooks.beforeModel({ principal, model: name, body });
      return envelope.model === name ? { args: envelope.body } : { args: envelope.body, retarget: envelope.model };
    },
    policyBody: ({ args }) => args,
    // The call's record is kept in memory until written: room for it is checked again right before it runs.
    intent: () => context.runtime.assertCanRecord(),
    execute: ({ principal, target, args }) => execute(principal, target, args),
    audit: (record) => auditModelCall(context, record),
    telemetry: {
      carrier: () => ({ traceparent: request.header('traceparent'), tracestate: request.header('tracestate') }),
      describe: (record, captureContent) => describeModelCallSpan(record, operation, captureContent),
    },
  };

  try {
    const outcome = await runGovernedCall(preloop, surface);
    if (outcome.status !== 'refused') return outcome.result;
    if (outcome.code === 'unauthenticated') throw unauthenticated();
    if (outcome.code === 'not_found') throw await modelNotFound(context, outcome.principal!, model!, requested ?? model!);
    if (outcome.code === 'audit_unavailable') context.runtime.assertCanRecord();
    throw (
      deniedError(outcome.code, outcome.reason, outcome.decision, model) ??
      new PreloopError('POLICY_DENIED', outcome.reason, { details: { model } })
    );
  } catch (error) {
    const preloopError = asPreloopError(error);
    if (!isPreloopError(error)) preloop.logger.error('gateway: model call failed', { error, model });
    return errorReply(format, preloopError);
  }
}
