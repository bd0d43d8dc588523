/**
 * What an approver, a notifier or the console is shown of a call's
 * arguments: secrets redacted, long strings cut with a marker, the whole
 * bounded, and a list of every place that was changed. The exact arguments
 * stay behind the request's arguments hash.
 *
 * @module
 */
import { createHash } from 'node:crypto';
import { isSecretName } from './secret-names.js';
import { redactSecretValues, type SecretValueKind } from './secret-values.js';

/** The marker that replaces the value of a secret-named field. */
export const redactedValueMarker = '[redacted]';

/** Why a place in the arguments differs from the original. */
export type ArgumentRedactionReason = 'secret-name' | 'secret-value' | 'truncated';

/** One place in the arguments that was redacted or cut. */
export interface ArgumentRedaction {
  /** Keys and array indexes from the top of the arguments; `[]` is the arguments as a whole. */
  path: Array<string | number>;
  /**
   * `secret-name`: the field's name names a secret, its value is `[redacted]`;
   * `secret-value`: credential-shaped parts of the string were replaced by
   * `[redacted:<kind>]`; `truncated`: the string (or, at `[]`, the whole
   * arguments) was cut.
   */
  reason: ArgumentRedactionReason;
  /** For `secret-value`: the kinds found. */
  kinds?: SecretValueKind[];
  /** For `truncated`: UTF-8 bytes of the original value. */
  bytes?: number;
  /** For `truncated`: SHA-256 (hex) of the original string's UTF-8 bytes (at `[]`: of the arguments' JSON). */
  sha256?: string;
}

/** Arguments as they may be shown, and what was changed. */
export interface RedactedArguments {
  args: Record<string, unknown>;
  /** Every redacted or cut place, in document order (at most `maxRedactions`). */
  redactions: ArgumentRedaction[];
}

/** Bounds of {@link redactArguments}. */
export interface RedactArgumentsOptions {
  /** Longest string kept, in UTF-8 bytes; longer ones keep a prefix and a marker. `Infinity` keeps every string whole. @default 4096 */
  maxStringBytes?: number;
  /** Largest shown arguments, in UTF-8 bytes of their JSON; over it, strings are cut further, then the arguments are replaced by a summary. @default 65536 */
  maxTotalBytes?: number;
  /** Deepest nesting shown; deeper values are replaced by a marker. @default 32 */
  maxDepth?: number;
  /** Most entries in `redactions`. @default 200 */
  maxRedactions?: number;
}

const defaults: Required<RedactArgumentsOptions> = { maxStringBytes: 4096, maxTotalBytes: 65_536, maxDepth: 32, maxRedactions: 200 };

/** Characters scanned past the cut, so a credential straddling it is still recognized. */
const scanMargin = 8192;

const sha256 = (text: string): string => createHash('sha256').update(text, 'utf8').digest('hex');

/** The longest prefix of `text` that fits in `bytes` UTF-8 bytes, never splitting a character. */
function utf8Prefix(text: string, bytes: number): string {
  const cut = Buffer.from(text.slice(0, bytes), 'utf8').subarray(0, bytes).toString('utf8');
  return text.startsWith(cut) ? cut : cut.slice(0, -1);
}

interface Walk {
  options: Required<RedactArgumentsOptions>;
  stringBytes: number;
  redactions: ArgumentRedaction[];
}

function note(walk: Walk, redaction: ArgumentRedaction): void {
  if (walk.redactions.length < walk.options.maxRedactions) walk.redactions.push(redaction);
}

function showString(walk: Walk, value: string, path: Array<string | number>): string {
  const limit = walk.stringBytes;
  // Only what can be kept (plus a margin) is scanned: a character is at least one byte.
  const scanned = value.length > limit + scanMargin ? value.slice(0, limit + scanMargin) : value;
  const scan = redactSecretValues(scanned);
  if (scan.kinds.length > 0) note(walk, { path, reason: 'secret-value', kinds: scan.kinds });
  if (scanned.length === value.length && Buffer.byteLength(scan.text, 'utf8') <= limit) return scan.text;
  const bytes = Buffer.byteLength(value, 'utf8');
  const digest = sha256(value);
  const kept = utf8Prefix(scan.text, limit);
  note(walk, { path, reason: 'truncated', bytes, sha256: digest });
  return `${kept}…[truncated ${Math.max(0, bytes - Buffer.byteLength(kept, 'utf8'))} bytes; sha256 ${digest}]`;
}

function show(walk: Walk, value: unknown, path: Array<string | number>, depth: number): unknown {
  if (typeof value === 'string') return showString(walk, value, path);
  if (value === null || typeof value !== 'object') return value;
  if (depth >= walk.options.maxDepth) {
    const json = JSON.stringify(value);
    note(walk, { path, reason: 'truncated', bytes: Buffer.byteLength(json, 'utf8'), sha256: sha256(json) });
    return `[truncated: nested deeper than ${walk.options.maxDepth} levels]`;
  }
  if (Array.isArray(value)) return value.map((item, index) => show(walk, item, [...path, index], depth + 1));
  const output: Record<string, unknown> = {};
  for (const [rawKey, item] of Object.entries(value as Record<string, unknown>)) {
    if (item === undefined) continue;
    const key = redactSecretValues(rawKey).text;
    const here = [...path, key];
    if (isSecretName(key) && item !== null && typeof item !== 'boolean') {
      output[key] = redactedValueMarker;
      note(walk, { path: here, reason: 'secret-name' });
    } else output[key] = show(walk, item, here, depth + 1);
  }
  return output;
}

/**
 * Makes a call's arguments safe to show to an approver, a notifier or the
 * console:
 *
 * - a field whose **name** is a secret (`isSecretName`: `password`, `api_key`,
 *   `apiKey`, `Authorization`, `client_secret`…, but not `author`,
 *   `max_tokens` or `page_token`) shows `[redacted]` (booleans and null are kept);
 * - credential-shaped **values** anywhere in a string (`sk-…`, `sk-ant-…`,
 *   `ghp_…`, `xoxb-…`, `AKIA…`, JWTs, `Bearer …`, PEM private keys, `plk_…`)
 *   are replaced by `[redacted:<kind>]`;
 * - a string longer than `maxStringBytes` keeps its prefix and ends with
 *   `…[truncated N bytes; sha256 <hex of the whole original string>]`;
 * - when the result is still over `maxTotalBytes`, strings are cut shorter,
 *   and as a last resort the arguments are replaced by a one-key summary.
 *
 * Every change is listed in `redactions` with its path, so a viewer can mark
 * it. The input is not modified.
 *
 * @example
 * ```ts
 * const { args, redactions } = redactArguments({ api_key: 'k', body: 'x'.repeat(10_000), author: 'ada' });
 * // args.api_key === '[redacted]', args.author === 'ada', args.body ends with '…[truncated 5904 bytes; sha256 …]'
 * // redactions: [{ path: ['api_key'], reason: 'secret-name' }, { path: ['body'], reason: 'truncated', bytes: 10000, sha256: '…' }]
 * ```
 */
export function redactArguments(args: Record<string, unknown>, options: RedactArgumentsOptions = {}): RedactedArguments {
  const resolved: Required<RedactArgumentsOptions> = { ...defaults, ...options };
  let stringBytes = resolved.maxStringBytes;
  for (;;) {
    const walk: Walk = { options: resolved, stringBytes, redactions: [] };
    const shown = show(walk, args, [], 0) as Record<string, unknown>;
    const size = Buffer.byteLength(JSON.stringify(shown), 'utf8');
    if (size <= resolved.maxTotalBytes) return { args: shown, redactions: walk.redactions };
    if (stringBytes <= 64) break;
    stringBytes = Math.max(64, Math.floor(Math.min(stringBytes, size) / 4));
  }
  const json = JSON.stringify(args);
  const bytes = Buffer.byteLength(json, 'utf8');
  const keys = Object.keys(args)
    .slice(0, 20)
    .map((key) => redactSecretValues(key).text.slice(0, 64));
  return {
    args: { '[truncated]': `the arguments are ${bytes} bytes, too large to show; top-level keys: ${keys.join(', ')}` },
    redactions: [{ path: [], reason: 'truncated', bytes, sha256: sha256(json) }],
  };
}
