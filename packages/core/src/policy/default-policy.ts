/**
 * The policy Preloop ships with: safe and usable. Tools their own plugin marks
 * read-only are allowed; every other tool call needs one approval from an owner
 * or admin within five minutes (denied on timeout); no model is allowed until
 * the policy lists it.
 */
import { parsePolicyDocument } from './policy-document.js';
import type { PolicyDocument, PolicyDocumentInput } from './policy-schema.js';

const source = {
  version: 1,
  metadata: {
    name: 'default',
    description:
      'Read-only tools are allowed; every other tool call needs approval by an owner or admin; no model is allowed until listed.',
  },
  defaults: {
    tools: 'require_approval',
    workflow: 'admins',
    models: { allow: [] },
  },
  workflows: {
    admins: {
      approvers: { roles: ['owner', 'admin'] },
      quorum: 1,
      timeoutSeconds: 300,
      onTimeout: 'deny',
      requireReason: false,
      separationOfDuties: true,
    },
  },
  rules: [{ name: 'read-only-tools', tool: '*', readOnly: true, action: 'allow' }],
  scopes: [],
  tests: [
    { name: 'read-only tools are allowed', tool: 'github.list_issues', readOnly: true, expect: 'allow' },
    { name: 'other tools need approval', tool: 'github.create_issue', expect: 'require_approval' },
    { name: 'a read-only flag alone does not count for a look-alike name', tool: 'github.list_issues ', readOnly: true, expect: 'deny' },
  ],
} satisfies PolicyDocumentInput;

function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const entry of Object.values(value)) deepFreeze(entry);
  }
  return value;
}

/**
 * The shipped default policy document (validated, defaults filled in, deeply
 * frozen). Compile it with `compilePolicy(defaultPolicy)`; to change it, copy it
 * with `structuredClone(defaultPolicy)` first.
 *
 * @example
 * ```ts
 * const compiled = compilePolicy(defaultPolicy);
 * evaluateToolCall(compiled, { subject, tool: { name: 'github.list_issues', readOnly: true }, args: {} }).action; // 'allow'
 * ```
 */
export const defaultPolicy: PolicyDocument = deepFreeze(parsePolicyDocument(source));
