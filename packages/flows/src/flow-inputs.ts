import { PreloopError } from '@preloop/core';
import type { FlowDefinition } from './flow-schema.js';

/** An input value as sent (the CLI sends strings; the API may send typed values). */
export type FlowInputValue = string | number | boolean;

/**
 * Checks manual-start inputs against a flow's declared inputs and applies
 * their defaults: an undeclared input, a missing required one, or a value of
 * the wrong type is a `VALIDATION_ERROR` naming it. Strings are read as
 * numbers or booleans where the declaration says so (`--input count=3`).
 *
 * @example
 * ```ts
 * validateInputs(flow.inputs, { repo: 'acme/api', dryRun: 'true' }); // { repo: 'acme/api', dryRun: true }
 * ```
 */
export function validateInputs(
  declared: FlowDefinition['inputs'],
  given: Record<string, FlowInputValue> | undefined,
): Record<string, FlowInputValue> {
  const issues: Array<{ path: string; message: string }> = [];
  const values: Record<string, FlowInputValue> = {};
  for (const name of Object.keys(given ?? {}))
    if (!Object.hasOwn(declared, name)) issues.push({ path: `inputs.${name}`, message: 'is not an input of this flow' });
  for (const [name, declaration] of Object.entries(declared)) {
    const raw = given && Object.hasOwn(given, name) ? given[name] : declaration.default;
    if (raw === undefined) {
      if (declaration.required) issues.push({ path: `inputs.${name}`, message: 'is required' });
      continue;
    }
    const value = coerce(raw, declaration.type);
    if (value === undefined) issues.push({ path: `inputs.${name}`, message: `must be a ${declaration.type}` });
    else values[name] = value;
  }
  if (issues.length)
    throw new PreloopError('VALIDATION_ERROR', issues.map((issue) => `${issue.path}: ${issue.message}`).join('; '), {
      details: { issues },
    });
  return values;
}

function coerce(value: FlowInputValue, type: 'string' | 'number' | 'boolean'): FlowInputValue | undefined {
  if (type === 'string') return typeof value === 'string' ? value : undefined;
  if (type === 'number') {
    if (typeof value === 'number') return Number.isFinite(value) ? value : undefined;
    if (typeof value === 'string' && value.trim() !== '' && Number.isFinite(Number(value))) return Number(value);
    return undefined;
  }
  if (typeof value === 'boolean') return value;
  if (value === 'true') return true;
  if (value === 'false') return false;
  return undefined;
}
