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

/** Key names whose values are secrets, matched on the key lowercased with `-`, `_`, `.` and spaces removed. */
const secretKeyPattern =
  /(password|passwd|passphrase|secret|token|authorization|cookie|apikey|credential|privatekey|accesskey|sessionkey|signature|bearer|^otp$|^pin$|^auth$|^xauth|salt$)/;
/** Keys that contain a secret word but name metadata, not the secret (ids, prefixes, counts, times). */
const metadataKeyPattern = /(id|ids|prefix|name|names|count|counts|type|types|scope|scopes|at|ttl|ttlseconds|expires|expiry|length|limit|present|set|enabled|source|kind|status)$/;

/** Value shapes that are credentials wherever they appear inside a string. */
const secretValuePatterns: Array<[RegExp, string]> = [
  [/-----BEGIN [A-Z0-9 ]*PRIVATE KEY-----[\s\S]*?(-----END [A-Z0-9 ]*PRIVATE KEY-----|$)/g, '[redacted:private-key]'],
  // The lookbehind keeps this linear: a match can only start where a run of token characters starts.
  [/(?<![A-Za-z0-9_-])eyJ[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]*/g, '[redacted:jwt]'],
  [/\b(Bearer|Basic|Token)\s+[A-Za-z0-9._~+/=-]{8,}/gi, '$1 [redacted]'],
  [/\bplk_[A-Za-z0-9_-]{8,}/g, '[redacted:api-key]'],
  [/\bsk-ant-[A-Za-z0-9_-]{8,}/g, '[redacted:api-key]'],
  [/\bsk-[A-Za-z0-9_-]{16,}/g, '[redacted:api-key]'],
  [/\b(gh[pousr]_[A-Za-z0-9]{20,}|github_pat_[A-Za-z0-9_]{20,}|glpat-[A-Za-z0-9_-]{20,})/g, '[redacted:api-key]'],
  [/\bxox[abposer]-[A-Za-z0-9-]{10,}/g, '[redacted:api-key]'],
  [/\b(AKIA|ASIA)[0-9A-Z]{16}\b/g, '[redacted:api-key]'],
  [/\bAIza[0-9A-Za-z_-]{35}/g, '[redacted:api-key]'],
  [/\b(sk|rk|pk)_(live|test)_[A-Za-z0-9]{16,}/g, '[redacted:api-key]'],
  [/(\/\/[^\s:/@]+:)[^\s@/]+@/g, '$1[redacted]@'],
];

/** A cheap first test: a string that matches none of these fragments cannot match any pattern above. */
const secretValueHint = /eyJ|bearer|basic|token|plk_|sk-|gh[pousr]_|github_pat_|glpat-|xox|AKIA|ASIA|AIza|_live_|_test_|PRIVATE KEY|\/\/[^\s:/@]+:/i;

// CR, LF and other control characters (tab kept) would allow log injection.
const controlCharacters = /[\u0000-\u0008\u000b-\u001f\u007f\u2028\u2029]/g;
const lineBreaks = /\r\n?|\n/g;

/**
 * True when `key` names a secret (password, token, secret, authorization,
 * cookie, API key, credential, private key…) rather than metadata about one
 * (`apiKeyId`, `tokenPrefix`). Under a secret key, strings are redacted while
 * numbers and booleans are kept, so usage counters such as `inputTokens` survive.
 *
 * @example
 * ```ts
 * isSecretKey('Authorization'); // true
 * isSecretKey('apiKeyId');      // false
 * ```
 */
export function isSecretKey(key: string): boolean {
  const normalized = key.toLowerCase().replace(/[-_. ]/g, '');
  if (!secretKeyPattern.test(normalized)) return false;
  return !metadataKeyPattern.test(normalized);
}

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
  let text = value;
  if (secretValueHint.test(text)) {
    for (const [pattern, replacement] of secretValuePatterns) text = text.replace(pattern, replacement);
  }
  return text.replace(lineBreaks, ' ').replace(controlCharacters, '');
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
    value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : value === null ? {} : { value };
  let result = asObject(clean(data, options, 0, new WeakSet()));
  let size = byteLength(result);
  // Too big overall: shorten strings progressively, then give up with a summary.
  let stringLimit = options.maxStringLength;
  while (size > options.maxBytes && stringLimit > 64) {
    stringLimit = Math.max(64, Math.floor(stringLimit / 4));
    result = asObject(clean(data, { ...options, maxStringLength: stringLimit, maxItems: Math.min(options.maxItems, 20), maxKeys: Math.min(options.maxKeys, 50) }, 0, new WeakSet()));
    size = byteLength(result);
  }
  if (size > options.maxBytes) {
    const keys = Object.keys(result).slice(0, 20).map((key) => truncateString(key, 64));
    result = { [truncatedKey]: `data was ${size} bytes after redaction, over the ${options.maxBytes}-byte limit; top-level keys: ${keys.join(', ')}` };
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
  if (value instanceof Error) return clean({ name: value.name, message: value.message, code: (value as { code?: unknown }).code }, options, depth, seen);
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
      const key = truncateString(rawKey.replace(lineBreaks, ' ').replace(controlCharacters, ''), 128);
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
