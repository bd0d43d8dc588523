import type { Preloop } from '@preloop/core';

/**
 * Registers the flows plugin's metrics on `preloop.metrics`: executions
 * started per flow and trigger, attempts finished per flow and outcome, and
 * their duration. Labels are flow ids (bounded by the flows an account keeps).
 *
 * @example
 * ```ts
 * const metrics = registerFlowMetrics(preloop);
 * metrics.observe('flow_1', 'succeeded', 2.5);
 * ```
 */
export function registerFlowMetrics(preloop: Preloop) {
  const started = preloop.metrics.counter({
    name: 'preloop_flow_executions_started_total',
    help: 'Flow executions queued, by flow and trigger type.',
    labelNames: ['flow', 'trigger'],
  });
  const finished = preloop.metrics.counter({
    name: 'preloop_flow_attempts_finished_total',
    help: 'Flow execution attempts finished on this instance, by flow and outcome (succeeded, failed, queued for a retry, waiting_approval, cancelled, timed_out).',
    labelNames: ['flow', 'outcome'],
  });
  const duration = preloop.metrics.histogram({
    name: 'preloop_flow_attempt_duration_seconds',
    help: 'How long flow execution attempts ran on this instance, by flow.',
    labelNames: ['flow'],
    buckets: [0.5, 1, 5, 15, 60, 300, 900, 3600],
  });
  return {
    started: (flow: string, trigger: string) => started.inc({ flow, trigger }),
    observe(flow: string, outcome: string, seconds: number) {
      finished.inc({ flow, outcome });
      duration.observe({ flow }, seconds);
    },
  };
}
