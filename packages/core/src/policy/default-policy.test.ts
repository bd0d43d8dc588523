import { describe, expect, it } from 'vitest';
import type { Principal } from '../identity/principal.js';
import { compilePolicy } from './compile-policy.js';
import { defaultPolicy } from './default-policy.js';
import { evaluateToolCall } from './evaluate-policy.js';
import { isModelAllowed } from './model-access.js';
import { runPolicyTests } from './policy-tests.js';

const agent: Principal = {
  type: 'agent',
  id: 'a1',
  accountId: 'acc',
  name: 'agent',
  role: null,
  userId: null,
  apiKeyId: 'k1',
  agentId: 'a1',
  runtimeSessionId: 's1',
  teamIds: [],
  scopes: ['mcp'],
};

describe('defaultPolicy', () => {
  const compiled = compilePolicy(defaultPolicy);

  it('allows read-only tools', () => {
    const decision = evaluateToolCall(compiled, { subject: agent, tool: { name: 'github.list_issues', readOnly: true }, args: {} });
    expect(decision).toEqual({ action: 'allow', explanation: { scope: 'account', rule: 'read-only-tools' } });
  });

  it('requires approval by admins for everything else', () => {
    const decision = evaluateToolCall(compiled, { subject: agent, tool: { name: 'github.create_issue' }, args: { title: 'x' } });
    expect(decision).toEqual({
      action: 'require_approval',
      workflow: 'admins',
      explanation: { scope: 'account', rule: null, default: true },
    });
  });

  it('defines the admins workflow: owners and admins, quorum 1, 300 s, deny on timeout', () => {
    expect(defaultPolicy.workflows.admins).toEqual({
      approvers: { roles: ['owner', 'admin'] },
      quorum: 1,
      timeoutSeconds: 300,
      onTimeout: 'deny',
      requireReason: false,
      separationOfDuties: true,
    });
  });

  it('denies unknown models', () => {
    expect(defaultPolicy.defaults.models.allow).toEqual([]);
    expect(isModelAllowed(compiled, agent, 'gpt-4o').allowed).toBe(false);
  });

  it('passes its own tests and cannot be mutated', () => {
    expect(runPolicyTests(compiled)).toEqual({ passed: 3, failed: [] });
    expect(Object.isFrozen(defaultPolicy.rules[0])).toBe(true);
    expect(() => {
      (defaultPolicy.rules as unknown as unknown[]).push({});
    }).toThrow(TypeError);
    const copy = structuredClone(defaultPolicy);
    copy.defaults.models.allow.push('gpt-4o-mini');
    expect(isModelAllowed(compilePolicy(copy), agent, 'gpt-4o-mini').allowed).toBe(true);
  });
});
