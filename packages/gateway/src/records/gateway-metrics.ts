/**
 * The gateway's Prometheus metrics, fed by its own events.
 *
 * @module
 */

import type { Preloop } from '@preloop/core';
import './gateway-event-map.js';

/**
 * Registers the gateway's metrics on `preloop.metrics` and feeds them from the gateway's
 * events: model calls by alias, provider and outcome, tokens, spend, upstream errors and
 * budget refusals. Labels are bounded: aliases are configured, providers are plugins,
 * outcomes and error codes are fixed sets. Calling it twice for one kernel is harmless.
 *
 * @example
 * ```ts
 * registerGatewayMetrics(preloop); // done by the gateway() plugin's init
 * ```
 */
export function registerGatewayMetrics(preloop: Preloop): void {
  const { metrics, events } = preloop;
  if (metrics.registry.getSingleMetric('preloop_model_calls_total')) return;
  const calls = metrics.counter({
    name: 'preloop_model_calls_total',
    help: 'Model calls through the gateway (recorded usage), by alias, provider and outcome.',
    labelNames: ['alias', 'provider', 'outcome'],
  });
  const tokens = metrics.counter({
    name: 'preloop_model_tokens_total',
    help: 'Tokens of model calls, by alias, provider and direction (input, output).',
    labelNames: ['alias', 'provider', 'direction'],
  });
  const cost = metrics.counter({
    name: 'preloop_model_cost_micro_dollars_total',
    help: 'Priced spend of model calls in micro-dollars, by alias.',
    labelNames: ['alias'],
  });
  const upstreamErrors = metrics.counter({
    name: 'preloop_upstream_errors_total',
    help: 'Model calls whose upstream failed (error status, unreachable, timeout, malformed), by alias and error code.',
    labelNames: ['alias', 'code'],
  });
  const budgetRefusals = metrics.counter({
    name: 'preloop_budget_refusals_total',
    help: 'Model calls refused because a budget would pass its hard limit, by alias.',
    labelNames: ['alias'],
  });
  events.on('gateway-usage-recorded', (usage) => {
    const provider = usage.provider ?? 'unknown';
    calls.inc({ alias: usage.alias, provider, outcome: usage.status });
    if (usage.inputTokens) tokens.inc({ alias: usage.alias, provider, direction: 'input' }, usage.inputTokens);
    if (usage.outputTokens) tokens.inc({ alias: usage.alias, provider, direction: 'output' }, usage.outputTokens);
    if (usage.costMicros) cost.inc({ alias: usage.alias }, usage.costMicros);
    if (usage.status === 'upstream_error' || usage.status === 'timeout' || usage.errorCode?.startsWith('upstream_')) {
      upstreamErrors.inc({ alias: usage.alias, code: usage.errorCode ?? usage.status });
    }
  });
  events.on('gateway-budget-exceeded', ({ alias }) => budgetRefusals.inc({ alias }));
}
