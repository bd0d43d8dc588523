/**
 * Short descriptions of values for contract problem messages.
 *
 * @module
 */

/**
 * A short description of a value for a problem message: its type, or the
 * value itself when it is short (never a long string's content).
 *
 * @example
 * ```ts
 * describeValue(2); // '2'
 * describeValue(undefined); // 'nothing'
 * ```
 */
export function describeValue(value: unknown): string {
  if (value === undefined) return 'nothing';
  if (value === null) return 'null';
  if (typeof value === 'string') return value.length > 40 ? `a string of ${value.length} characters` : JSON.stringify(value);
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  if (Array.isArray(value)) return 'an array';
  return typeof value === 'object' ? 'an object' : `a ${typeof value}`;
}
