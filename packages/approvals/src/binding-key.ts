import { canonicalJson } from '@preloop/core';
import { sha256Hex } from '@preloop/core/internal';

/** The deepest nesting of approval arguments {@link canonicalArgs} accepts. */
export const maximumCanonicalDepth = 64;

/**
 * The canonical JSON of approval arguments (core's {@link canonicalJson},
 * nesting limited to {@link maximumCanonicalDepth}); cycles, BigInts and deeper
 * nesting are a `VALIDATION_ERROR` naming `args`.
 *
 * @example
 * ```ts
 * const argsHash = sha256Hex(canonicalArgs({ env: 'prod' }));
 * ```
 */
export function canonicalArgs(args: unknown): string {
  return canonicalJson(args, { maxDepth: maximumCanonicalDepth, label: 'approval arguments', path: 'args' });
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
