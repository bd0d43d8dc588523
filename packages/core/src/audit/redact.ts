import { isSecretName } from '../redaction/secret-names.js';
import { redactSecretValues } from '../redaction/secret-values.js';

/** Size limits applied by {@link redactAuditData}. */
export interface RedactionLimits {
  /** Longest string kept, in characters; longer ones are cut with a marker. @default 2048 */
  maxStringLength?: number;
  /** Deepest nesting kept; deeper values become a marker. @default 8 */
  maxDepth?: number;
  /** Most keys kept per object; the rest are replaced by one marker key. @default 100 */
  maxKeys?: number;
  /** Most items kept per array; the rest are replaced by one marker item. @default 100 */
  maxItems?: number;
  /** Largest serialized size of the whole value, in UTF-8 bytes. @default 16384 */
  maxBytes?: number;
}

/** The marker that replaces a redacted value. */
export const redactedMarker = '[redacted]';

/** The key under which a cut object names what was cut. */
export const truncatedKey = '[truncated]';

/** Characters scanned past the kept length of a string, so a credential that straddles the cut is still recognized. */
const scanMargin = 8192;

const defaults: Required<RedactionLimits> = { maxStringLength: 2048, maxDepth: 8, maxKeys: 100, maxItems: 100, maxBytes: 16_384 };

// CR, LF and other control characters (tab kept) would allow log injection.
const controlCharacters = /[\u0000-\u0008\u000b-\u001f\u007f\u2028\u2029]/g;
const lineBreaks = /\r\n?|\n/g;
/** Any character {@link lineBreaks} or {@link controlCharacters} would change (not global: `test` keeps no state). */
const unsafeKeyCharacters = /[\u0000-\u0008\u000a-\u001f\u007f\u2028\u2029]/;

/**
 * True when `key` names a secret (password, token, secret, authorization,
 * cookie, API key, credential, private key…) rather than metadata about one
 * (`apiKeyId`, `tokenPrefix`): the whole-word rule of `isSecretName`. Under a
 * secret key, strings are redacted while numbers and booleans are kept.
 *
 * @example
 * ```ts
 * isSecretKey('Authorization'); // true
 * isSecretKey('apiKeyId');      // false
 * ```
 */
export function isSecretKey(key: string): boolean {
  // Records repeat the same few keys: remember the answers (bounded, so hostile key names cannot grow it).
  let secret = secretKeys.get(key);
  if (secret === undefined) {
    secret = isSecretName(key);
    if (secretKeys.size >= secretKeysRemembered) secretKeys.clear();
    secretKeys.set(key, secret);
  }
  return secret;
}

const secretKeys = new Map<string, boolean>();
const secretKeysRemembered = 4096;

/**
 * Replaces credential-shaped substrings (our `plk_` API keys, bearer tokens,
 * JWTs, provider keys such as `sk-…`, `sk-ant-…`, `ghp_…`, `xoxb-…`, AWS keys,
 * PEM private keys, passwords in URLs) and removes CR/LF and other control
 * characters.
 *
 * @example
 * ```ts
 * redactString('Authorization: Bearer abc.def.ghi\r\n'); // "Authorization: Bearer [redacted] "
 * ```
 */
export function redactString(value: string): string {
  return redactSecretValues(value).text.replace(lineBreaks, ' ').replace(controlCharacters, '');
}

/**
 * Makes structured data safe to store in the audit trail: redacts values of
 * secret-looking keys and credential-shaped strings, strips control characters,
 * and bounds sizes (string length, depth, keys, items, total bytes), replacing
 * what it cuts with a marker that says what was cut. Non-JSON values become JSON
 * (dates as ISO strings, errors as `{ name, message }`, cycles as a marker).
 *
 * @example
 * ```ts
 * redactAuditData({ headers: { authorization: 'Bearer x' }, note: 'y'.repeat(5000) });
 * // { headers: { authorization: '[redacted]' }, note: 'yyyy…[truncated 2952 chars]' }
 * ```
 */
export function redactAuditData(data: unknown, limits: RedactionLimits = {}): Record<string, unknown> {
  const options = { ...defaults, ...limits };
  const asObject = (value: unknown): Record<string, unknown> =>
    value !== null && typeof value === 'object' && !Array.isArray(value)
      ? (value as Record<string, unknown>)
      : value === null
        ? {}
        : { value };
  let result = asObject(clean(data, options, 0, new WeakSet()));
  let size = byteLength(result);
  // Too big overall: shorten strings progressively, then give up with a summary.
  let stringLimit = options.maxStringLength;
  while (size > options.maxBytes && stringLimit > 64) {
    stringLimit = Math.max(64, Math.floor(stringLimit / 4));
    result = asObject(
      clean(
        data,
        { ...options, maxStringLength: stringLimit, maxItems: Math.min(options.maxItems, 20), maxKeys: Math.min(options.maxKeys, 50) },
        0,
        new WeakSet(),
      ),
    );
    size = byteLength(result);
  }
  if (size > options.maxBytes) {
    const keys = Object.keys(result)
      .slice(0, 20)
      .map((key) => truncateString(key, 64));
    result = {
      [truncatedKey]: `data was ${size} bytes after redaction, over the ${options.maxBytes}-byte limit; top-level keys: ${keys.join(', ')}`,
    };
  }
  return result;
}

function clean(value: unknown, options: Required<RedactionLimits>, depth: number, seen: WeakSet<object>, secret = false): unknown {
  if (value === null || value === undefined) return null;
  switch (typeof value) {
    case 'string': {
      if (secret) return redactedMarker;
      // Redact before cutting (a cut could leave half a key unrecognized), but never scan more than the kept part plus a margin longer than any credential.
      const scanned = value.length > options.maxStringLength + scanMargin ? value.slice(0, options.maxStringLength + scanMargin) : value;
      return truncateString(redactString(scanned), options.maxStringLength, value.length - scanned.length);
    }
    case 'number':
      return Number.isFinite(value) ? value : null;
    case 'boolean':
      return value;
    case 'bigint':
      return secret ? redactedMarker : value.toString();
    case 'function':
    case 'symbol':
      return null;
  }
  if (secret && (value instanceof Error || value instanceof Uint8Array)) return redactedMarker;
  if (value instanceof Date) return Number.isNaN(value.getTime()) ? null : value.toISOString();
  if (value instanceof Error)
    return clean({ name: value.name, message: value.message, code: (value as { code?: unknown }).code }, options, depth, seen);
  if (value instanceof Uint8Array) return `[binary: ${value.byteLength} bytes]`;
  const object = value as object;
  if (seen.has(object)) return '[circular]';
  if (depth >= options.maxDepth) return `[truncated: nested deeper than ${options.maxDepth} levels]`;
  seen.add(object);
  try {
    if (Array.isArray(object)) {
      const items = object.slice(0, options.maxItems).map((item) => clean(item, options, depth + 1, seen, secret));
      if (object.length > options.maxItems) items.push(`[truncated: ${object.length - options.maxItems} more items]`);
      return items;
    }
    const output: Record<string, unknown> = {};
    const entries = Object.entries(object);
    let kept = 0;
    for (const [rawKey, item] of entries) {
      if (item === undefined) continue;
      if (kept === options.maxKeys) {
        output[truncatedKey] = `${entries.length - kept} more keys`;
        break;
      }
      const key = truncateString(
        unsafeKeyCharacters.test(rawKey) ? rawKey.replace(lineBreaks, ' ').replace(controlCharacters, '') : rawKey,
        128,
      );
      output[key] = clean(item, options, depth + 1, seen, secret || isSecretKey(key));
      kept++;
    }
    return output;
  } finally {
    seen.delete(object);
  }
}

function truncateString(value: string, max: number, alreadyCut = 0): string {
  if (value.length <= max && alreadyCut === 0) return value;
  return `${value.slice(0, max)}…[truncated ${value.length - Math.min(max, value.length) + alreadyCut} chars]`;
}

function byteLength(value: unknown): number {
  return Buffer.byteLength(JSON.stringify(value), 'utf8');
}
