import { describe, expect, it } from 'vitest';
import type { Principal } from '../identity/principal.js';
import { compilePolicy } from './compile-policy.js';
import type { ToolCallInput } from './evaluate-policy.js';
import { simulatePolicy } from './simulate-policy.js';

const subject: Principal = {
  type: 'agent',
  id: 'ci',
  accountId: 'acc',
  name: 'ci',
  role: null,
  userId: null,
  apiKeyId: null,
  agentId: 'ci',
  runtimeSessionId: null,
  teamIds: [],
  scopes: [],
};

describe('simulatePolicy', () => {
  const compiled = compilePolicy({
    version: 1,
    defaults: { tools: 'deny' },
    rules: [{ name: 'issues', tool: 'github.*_issue', action: 'allow' }],
    scopes: [{ subject: { agent: 'ci' }, tools: { hidden: ['github.delete_*'] } }],
  });

  it('reports a visible tool and its decision', () => {
    expect(simulatePolicy(compiled, { subject, tool: { name: 'github.create_issue' }, args: {} })).toEqual({
      visible: true,
      decision: { action: 'allow', explanation: { scope: 'account', rule: 'issues' } },
    });
  });

  it('reports a visible but denied tool', () => {
    const simulation = simulatePolicy(compiled, { subject, tool: { name: 'github.merge' }, args: {} });
    expect(simulation.visible).toBe(true);
    expect(simulation.decision.action).toBe('deny');
  });

  it('reports a hidden tool as invisible and denied like an unknown tool', () => {
    expect(simulatePolicy(compiled, { subject, tool: { name: 'github.delete_issue' }, args: {} })).toEqual({
      visible: false,
      decision: {
        action: 'deny',
        reason: 'Unknown tool: github.delete_issue',
        explanation: { scope: 'agent:ci', rule: null, hidden: true },
      },
    });
  });

  it('never throws on bad input', () => {
    expect(simulatePolicy(compiled, null as unknown as ToolCallInput)).toMatchObject({ visible: false, decision: { action: 'deny' } });
  });
});
