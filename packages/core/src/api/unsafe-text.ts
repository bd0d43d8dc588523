import { PreloopError } from '../errors.js';
import { formatPath, type FieldIssue } from './validate.js';

/** NUL (U+0000), a high surrogate not followed by a low one, or a low surrogate not preceded by a high one. */
const unsafePattern = /\u0000|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

/**
 * True when `text` holds a character no database column can store faithfully:
 * NUL (PostgreSQL refuses it with error 22021) or a lone UTF-16 surrogate
 * (not a character at all; UTF-8 encoders silently turn it into U+FFFD).
 *
 * @example
 * ```ts
 * hasUnsafeText('ada\u0000'); // true
 * hasUnsafeText('\ud83d\ude00'); // false (a well-formed pair)
 * ```
 */
export function hasUnsafeText(text: string): boolean {
  return unsafePattern.test(text);
}

/**
 * The first place in a parsed JSON value (a string, or a key or string anywhere
 * inside) holding unsafe text (see {@link hasUnsafeText}), or null.
 *
 * @example
 * ```ts
 * findUnsafeText({ users: [{ name: 'a\u0000' }] }); // { path: 'users[0].name', message: … }
 * ```
 */
export function findUnsafeText(value: unknown, path: PropertyKey[] = [], depth = 0): FieldIssue | null {
  if (typeof value === 'string')
    return hasUnsafeText(value) ? issue(path, 'must not contain NUL (U+0000) or unpaired surrogate characters') : null;
  if (value === null || typeof value !== 'object' || depth > 256) return null;
  if (Array.isArray(value)) {
    for (let index = 0; index < value.length; index++) {
      const found = findUnsafeText(value[index], [...path, index], depth + 1);
      if (found) return found;
    }
    return null;
  }
  for (const [key, item] of Object.entries(value)) {
    if (hasUnsafeText(key)) return issue(path, `has a key that contains NUL (U+0000) or unpaired surrogate characters`);
    const found = findUnsafeText(item, [...path, key], depth + 1);
    if (found) return found;
  }
  return null;
}

/**
 * Throws a 400 `VALIDATION_ERROR` naming the field when `value` holds unsafe
 * text (see {@link findUnsafeText}); `what` names the part of the request
 * (`body`, `query`, `path`).
 *
 * @example
 * ```ts
 * assertSafeText(await readJsonBody(request, limit), 'body');
 * ```
 */
export function assertSafeText(value: unknown, what: string): void {
  const found = findUnsafeText(value);
  if (!found) return;
  throw new PreloopError('VALIDATION_ERROR', `Invalid ${what}: ${found.path ? `${found.path}: ` : ''}${found.message}`, {
    details: { issues: [found] },
  });
}

function issue(path: PropertyKey[], message: string): FieldIssue {
  return { path: formatPath(path), message };
}
