import { hash } from 'node:crypto';
import { PreloopError } from '../errors.js';

/** Options of {@link canonicalJson}. */
export interface CanonicalJsonOptions {
  /** The deepest nesting accepted; deeper is a `VALIDATION_ERROR`. @default 512 */
  maxDepth?: number;
  /** What the value is, for the error message (`Invalid approval arguments: …`). @default 'value' */
  label?: string;
  /** The path named in the error's `details.issues`. @default '' */
  path?: string;
}

/** The default nesting limit of {@link canonicalJson}. */
export const defaultCanonicalDepth = 512;

/**
 * Serializes a value as canonical JSON, the one text every Preloop hash is
 * taken over (audit chain, approval argument hashes and binding keys, pinned
 * MCP tool definitions). For every JSON value the output is RFC 8785 (JCS):
 * object keys sorted by UTF-16 code units, no whitespace, numbers and strings
 * as ECMAScript `JSON.stringify` writes them. Values JSON cannot hold follow
 * `JSON.stringify` (`toJSON` is called, `undefined`, functions and symbols are
 * left out of objects and written `null` in arrays, non-finite numbers become
 * `null`), where RFC 8785 would refuse them. Cycles, BigInts and nesting deeper
 * than `maxDepth` are a `VALIDATION_ERROR` (400) naming `path`.
 *
 * The text of a JSON value never changes between releases: stored hashes
 * (audit records, approval bindings, pinned definitions) stay verifiable.
 *
 * @example
 * ```ts
 * canonicalJson({ b: 1, a: [true, null] }); // '{"a":[true,null],"b":1}'
 * canonicalJson(args, { maxDepth: 64, label: 'approval arguments', path: 'args' });
 * ```
 */
export function canonicalJson(value: unknown, options: CanonicalJsonOptions = {}): string {
  const maxDepth = options.maxDepth ?? defaultCanonicalDepth;
  const refuse = (message: string): PreloopError =>
    new PreloopError('VALIDATION_ERROR', `Invalid ${options.label ?? 'value'}: ${message}.`, {
      details: { issues: [{ path: options.path ?? '', message }] },
    });
  const seen = new Set<object>();
  const write = (input: unknown, depth: number): string | undefined => {
    if (depth > maxDepth) throw refuse(`nests deeper than ${maxDepth} levels`);
    let current = input;
    if (current !== null && typeof current === 'object' && typeof (current as { toJSON?: unknown }).toJSON === 'function') {
      current = (current as { toJSON(): unknown }).toJSON();
    }
    if (current === null) return 'null';
    switch (typeof current) {
      case 'string':
      case 'boolean':
        return JSON.stringify(current);
      case 'number':
        return Number.isFinite(current) ? JSON.stringify(current) : 'null';
      case 'bigint':
        throw refuse('holds a BigInt, which JSON cannot represent');
      case 'undefined':
      case 'function':
      case 'symbol':
        return undefined;
      default:
        break;
    }
    const object = current as object;
    if (seen.has(object)) throw refuse('holds a cycle');
    seen.add(object);
    try {
      if (Array.isArray(object)) return `[${object.map((entry) => write(entry, depth + 1) ?? 'null').join(',')}]`;
      const members: string[] = [];
      for (const key of Object.keys(object).sort()) {
        const text = write((object as Record<string, unknown>)[key], depth + 1);
        if (text !== undefined) members.push(`${JSON.stringify(key)}:${text}`);
      }
      return `{${members.join(',')}}`;
    } finally {
      seen.delete(object);
    }
  };
  return write(value, 0) ?? 'null';
}

/**
 * SHA-256 of a UTF-8 string, in lower-case hex: the digest taken over
 * {@link canonicalJson} text.
 *
 * @example
 * ```ts
 * sha256Hex('abc'); // 'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad'
 * ```
 */
export function sha256Hex(text: string): string {
  // One-shot `crypto.hash` (Node ≥ 20.12): about twice as fast as createHash for the short texts hashed per audit record.
  return hash('sha256', text, 'hex');
}
