import { Environment } from '@marcbachmann/cel-js';
import { PreloopError } from '@preloop/core';
import type { EventTrigger } from './flow-schema.js';

const environment = new Environment({ limits: { maxAstNodes: 2000, maxDepth: 64 } }).registerVariable('event', 'dyn', {
  description: 'The event payload.',
});

/** A compiled event condition: evaluates to true, false, or throws. */
export type CompiledEventCondition = (event: unknown) => unknown;

const compiled = new Map<string, CompiledEventCondition>();

/**
 * Compiles an event trigger's CEL condition (over `event`, the payload);
 * throws `VALIDATION_ERROR` naming `path` when it does not parse or is not a
 * bool. Compiled conditions are cached by text.
 *
 * @example
 * ```ts
 * const condition = compileEventCondition('event.issue.title.contains("crash")');
 * condition({ issue: { title: 'App crash' } }); // true
 * ```
 */
export function compileEventCondition(expression: string, path = 'condition'): CompiledEventCondition {
  const cached = compiled.get(expression);
  if (cached) return cached;
  let condition: CompiledEventCondition;
  try {
    const parsed = environment.parse(expression);
    const checked = parsed.check();
    if (!checked.valid) throw checked.error;
    if (checked.type !== 'bool' && checked.type !== 'dyn') throw new Error(`must evaluate to a bool, not ${checked.type}`);
    condition = (event) => parsed({ event: toCelValue(event) });
  } catch (error) {
    const message = (error instanceof Error ? error.message : String(error)).split('\n')[0]!.slice(0, 300);
    throw new PreloopError('VALIDATION_ERROR', `${path}: invalid CEL condition: ${message}`, { details: { issues: [{ path, message }] } });
  }
  if (compiled.size > 1000) compiled.clear();
  compiled.set(expression, condition);
  return condition;
}

/** JSON as CEL reads it: objects without prototypes' surprises, undefined dropped (JSON round trip). */
function toCelValue(value: unknown): unknown {
  return value === undefined ? null : JSON.parse(JSON.stringify(value));
}

/** The labels an event carries: its `label`, and its issue's or pull request's labels. */
function labelsOf(payload: Record<string, unknown>): string[] {
  const labels: string[] = [];
  if (typeof payload.label === 'string') labels.push(payload.label);
  for (const key of ['issue', 'pullRequest']) {
    const item = payload[key] as { labels?: unknown } | null | undefined;
    if (item && Array.isArray(item.labels)) for (const label of item.labels) if (typeof label === 'string') labels.push(label);
  }
  return labels;
}

/**
 * Whether an event payload passes an event trigger's filters: its `type`,
 * `project`, labels and CEL condition. A condition that errors (a missing
 * field without `has()`) does not match: the flow does not start.
 *
 * @example
 * ```ts
 * matchesEventTrigger({ type: 'event', event: 'tracker-event', types: ['issue.labeled'], labels: ['triage'] }, payload);
 * ```
 */
export function matchesEventTrigger(trigger: EventTrigger, payload: unknown): boolean {
  const record = (typeof payload === 'object' && payload !== null ? payload : {}) as Record<string, unknown>;
  if (trigger.types && !trigger.types.includes(String(record.type))) return false;
  if (trigger.projects && !trigger.projects.includes(String(record.project))) return false;
  if (trigger.labels) {
    const labels = labelsOf(record);
    // A `labeled` event names the label just added: it must be one of ours, not any label the issue already had.
    if (
      typeof record.label === 'string' ? !trigger.labels.includes(record.label) : !labels.some((label) => trigger.labels!.includes(label))
    )
      return false;
  }
  if (trigger.condition) {
    try {
      return compileEventCondition(trigger.condition)(payload) === true;
    } catch {
      return false;
    }
  }
  return true;
}
