import type { z } from 'zod';
import { PreloopError } from '../errors.js';

/** One invalid field. */
export interface FieldIssue {
  /** Dotted path of the field, for example `scopes[0]`; empty for the whole value. */
  path: string;
  message: string;
}

/**
 * Formats a zod path as `a.b[0].c`.
 *
 * @example
 * ```ts
 * formatPath(['rules', 2, 'condition']); // "rules[2].condition"
 * ```
 */
export function formatPath(path: readonly PropertyKey[]): string {
  return path.reduce<string>(
    (text, key) => (typeof key === 'number' ? `${text}[${key}]` : text ? `${text}.${String(key)}` : String(key)),
    '',
  );
}

/**
 * Validates `value` with `schema`, throwing a 400 `VALIDATION_ERROR` that names
 * each invalid field (in the message and in `details.issues`).
 *
 * @example
 * ```ts
 * const body = validate(createUserBody, await request.json(), 'body');
 * ```
 */
export function validate<T>(schema: z.ZodType<T>, value: unknown, what: string): T {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  const issues: FieldIssue[] = result.error.issues.map((issue) => ({ path: formatPath(issue.path), message: issue.message }));
  const summary = issues.map((issue) => (issue.path ? `${issue.path}: ${issue.message}` : issue.message)).join('; ');
  throw new PreloopError('VALIDATION_ERROR', `Invalid ${what}: ${summary}`, { details: { issues } });
}
