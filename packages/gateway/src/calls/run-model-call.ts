/**
 * The path of every model call: authenticate → parse → allowed model (policy)
 * → rate limit → `model.before` → resolve the alias → plan → reserve budget →
 * forward (streaming or not) → record; with fallbacks to the alias's
 * alternate when the upstream fails before the first byte.
 *
 * @module
 */

import { isPreloopError, PreloopError, type Principal } from '@preloop/core';
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
import { requireUsableModel, toAliasName } from './model-names.js';

/** The 401 every unauthenticated gateway request gets. */
export function unauthenticated(): PreloopError {
  return new PreloopError('UNAUTHENTICATED', 'Missing or invalid credential: send a Preloop API key or runtime credential (with the gateway scope) as "Authorization: Bearer …" or "x-api-key".');
}

/** Reads the body as a JSON object with a string `model` (413 over the size limit, 408 when the upload stalls, 400 otherwise). */
export async function readModelRequest(
  request: GatewayRequest,
  options: Pick<ResolvedGatewayOptions, 'bodyLimitBytes' | 'bodyTimeoutMs'>,
): Promise<{ body: Record<string, unknown>; model: string }> {
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
  const model = (body as { model?: unknown }).model;
  if (typeof model !== 'string' || model === '') {
    throw new PreloopError('VALIDATION_ERROR', 'model: is required (the name of a model alias).', { details: { issues: [{ path: 'model', message: 'required' }] } });
  }
  return { body: body as Record<string, unknown>, model };
}

/** Throws `POLICY_DENIED` (403) unless policy lets `principal` use `model` (kill switch included). */
export async function requireAllowedModel(context: GatewayContext, principal: Principal, model: string): Promise<void> {
  const access = await context.preloop.governance.isModelAllowed(principal, model);
  if (!access.allowed) {
    throw new PreloopError('POLICY_DENIED', access.reason ?? `Model not allowed: ${model}`, { details: { model, scope: access.explanation.scope } });
  }
}

/** The alias ready to call, or `NOT_FOUND` (404). */
export async function requireAlias(context: GatewayContext, accountId: string, alias: string): Promise<ResolvedModel> {
  const resolved = await context.runtime.models.resolve(accountId, alias);
  if (!resolved) throw new PreloopError('NOT_FOUND', `The model "${alias}" does not exist; ask an administrator for the configured model aliases.`);
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

/**
 * Serves one model call of an ingress operation.
 *
 * @example
 * ```ts
 * return runModelCall(context, request, 'anthropic', 'messages');
 * ```
 */
export async function runModelCall(context: GatewayContext, request: GatewayRequest, format: IngressFormat, operation: GatewayOperation): Promise<GatewayReply> {
  const { preloop } = context;
  let principal: Principal | null = null;
  let model: string | null = null;
  try {
    // Once the records of earlier calls cannot be kept (the database is down and the buffer is full), serve no more.
    context.runtime.assertCanRecord();
    principal = await authenticateGatewayRequest(preloop, request);
    if (!principal) throw unauthenticated();
    const parsed = await readModelRequest(request, context.options);
    model = await toAliasName(context, principal.accountId, parsed.model);
    let target = await requireUsableModel(context, principal, model, parsed.model);
    await context.limiter.take(principal);
    const envelope = await preloop.hooks.beforeModel({ principal, model, body: parsed.body });
    if (envelope.model !== model) {
      model = envelope.model;
      target = await requireUsableModel(context, principal, model);
    }
    let fallbackFrom: string | null = null;
    const visited = new Set<string>();
    for (let attempt = 0; ; attempt++) {
      visited.add(target.alias);
      const plan = buildCallPlan(target, operation, envelope.body);
      const call = startModelCall(context, { principal, target, plan, client: request, requestBody: envelope.body, fallbackFrom });
      try {
        await call.reserve();
      } catch (error) {
        call.dispose();
        throw error;
      }
      const outcome = plan.stream ? await forwardStream(context, call, request, format) : await forwardComplete(context, call, request, format, envelope.body);
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
      return outcome.reply;
    }
  } catch (error) {
    const preloopError = asPreloopError(error);
    if (!isPreloopError(error)) preloop.logger.error('gateway: model call failed', { error, model });
    if (principal && auditedDenials.has(preloopError.code)) {
      context.runtime.audit({ accountId: principal.accountId, actor: principal, action: 'model.call', target: { type: 'model', id: model }, outcome: 'denied', data: { model, code: preloopError.code, reason: preloopError.message } });
    }
    return errorReply(format, preloopError);
  }
}
