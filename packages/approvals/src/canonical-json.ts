import { createHash } from 'node:crypto';
import { PreloopError } from '@preloop/core';

/** The deepest nesting {@link canonicalJson} accepts. */
export const maximumCanonicalDepth = 64;

/**
 * Serializes a JSON value canonically (RFC 8785 style): object keys sorted by
 * UTF-16 code units, no whitespace, numbers and strings as `JSON.stringify`
 * writes them. Values JSON cannot hold follow `JSON.stringify` (`undefined`
 * members are dropped, non-finite numbers become `null`); cycles, BigInts and
 * nesting deeper than {@link maximumCanonicalDepth} are a `VALIDATION_ERROR`.
 *
 * @example
 * ```ts
 * canonicalJson({ b: 1, a: [true, null] }); // '{"a":[true,null],"b":1}'
 * ```
 */
export function canonicalJson(value: unknown): string {
  const seen = new Set<object>();
  const write = (input: unknown, depth: number): string | undefined => {
    if (depth > maximumCanonicalDepth) throw invalid(`arguments nest deeper than ${maximumCanonicalDepth} levels`);
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
        throw invalid('arguments hold a BigInt, which JSON cannot represent');
      case 'undefined':
      case 'function':
      case 'symbol':
        return undefined;
      default:
        break;
    }
    const object = current as object;
    if (seen.has(object)) throw invalid('arguments hold a cycle');
    seen.add(object);
    try {
      if (Array.isArray(object)) {
        return `[${object.map((entry) => write(entry, depth + 1) ?? 'null').join(',')}]`;
      }
      const parts: string[] = [];
      for (const key of Object.keys(object).sort()) {
        const text = write((object as Record<string, unknown>)[key], depth + 1);
        if (text !== undefined) parts.push(`${JSON.stringify(key)}:${text}`);
      }
      return `{${parts.join(',')}}`;
    } finally {
      seen.delete(object);
    }
  };
  return write(value, 0) ?? 'null';
}

/**
 * SHA-256 of a UTF-8 string, in lower-case hex.
 *
 * @example
 * ```ts
 * sha256Hex('abc'); // 'ba7816bf…'
 * ```
 */
export function sha256Hex(text: string): string {
  return createHash('sha256').update(text, 'utf8').digest('hex');
}

/** What an approval request is bound to. */
export interface BindingParts {
  accountId: string;
  kind: string;
  /** `<principal type>:<principal id>`. */
  subject: string;
  runtimeSessionId: string | null;
  tool: string;
  argsHash: string;
  definitionHash: string | null;
}

/**
 * The binding key of a request: SHA-256 over the canonical JSON of its
 * account, kind, subject, runtime session, tool, argument hash and tool
 * definition hash. Identical retried calls share it.
 *
 * @example
 * ```ts
 * const key = bindingKey({ accountId, kind: 'tool_call', subject: 'api_key:k1', runtimeSessionId: null, tool: 'deploy', argsHash, definitionHash: null });
 * ```
 */
export function bindingKey(parts: BindingParts): string {
  return sha256Hex(
    canonicalJson([parts.accountId, parts.kind, parts.subject, parts.runtimeSessionId, parts.tool, parts.argsHash, parts.definitionHash]),
  );
}

function invalid(message: string): PreloopError {
  return new PreloopError('VALIDATION_ERROR', `Invalid approval arguments: ${message}.`, { details: { issues: [{ path: 'args', message }] } });
}
