/**
 * Client-side redaction for display: values under keys that name secrets are
 * replaced before anything is rendered. The server redacts what it stores;
 * this is a second line so a console screen never shows a token by accident.
 *
 * @module
 */

const secretKey =
  /(pass(word|phrase)?|secret|token|api[-_]?key|authorization|auth|cookie|credential|private[-_]?key|session[-_]?key|signature)/i;
const secretValue =
  /^(sk-[a-z0-9-_]{8,}|plk_[a-z0-9_]{8,}|ghp_[a-z0-9]{20,}|xox[abpr]-[a-z0-9-]{10,}|AKIA[0-9A-Z]{16}|eyJ[a-zA-Z0-9_-]{10,}\.[a-zA-Z0-9_-]+\.[a-zA-Z0-9_-]+)/i;

/** The placeholder shown instead of a secret. */
export const redactedText = '[redacted]';

/**
 * A deep copy of `value` with secret-looking keys and values replaced by `[redacted]`.
 *
 * @example
 * ```ts
 * redactForDisplay({ repo: 'a/b', token: 'ghp_x' }); // { repo: 'a/b', token: '[redacted]' }
 * ```
 */
export function redactForDisplay(value: unknown, depth = 0): unknown {
  if (depth > 20) return '…';
  if (typeof value === 'string') return secretValue.test(value) ? redactedText : value;
  if (Array.isArray(value)) return value.map((item) => redactForDisplay(item, depth + 1));
  if (value && typeof value === 'object') {
    const copy: Record<string, unknown> = {};
    for (const [key, item] of Object.entries(value)) {
      copy[key] =
        secretKey.test(key) && item !== null && typeof item !== 'object' && typeof item !== 'boolean'
          ? redactedText
          : redactForDisplay(item, depth + 1);
    }
    return copy;
  }
  return value;
}
