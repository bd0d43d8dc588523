import { describe, expect, it } from 'vitest';
import { isPreloopError } from '../errors.js';
import { compilePolicy, isCompiledPolicy } from './compile-policy.js';
import { defaultPolicy } from './default-policy.js';
import { parsePolicyDocument } from './policy-document.js';

const document = parsePolicyDocument(`
version: 1
defaults: { tools: deny, workflow: admins, models: { allow: ["gpt-4o*"] } }
workflows:
  admins: { approvers: { roles: [admin] } }
  ops: { approvers: { teams: [ops] } }
rules:
  - { name: reads, tool: "*", readOnly: true, action: allow }
  - { tool: "deploy.*", action: require_approval, condition: 'args.env == "prod"', reason: Production }
  - { tool: "ops.*", action: require_approval, workflow: ops }
scopes:
  - subject: { apiKey: k1 }
    tools: { hidden: ["admin.*"] }
    models: { allow: ["gpt-4o-mini"] }
  - subject: { team: platform }
    tools: { visible: ["deploy.*", "ops.*"] }
    rules: [{ tool: "deploy.*", action: allow }]
  - subject: { agent: ci }
`);

describe('compilePolicy', () => {
  const compiled = compilePolicy(document);

  it('resolves the workflow of each require_approval rule and labels rules', () => {
    const [reads, deploy, ops] = compiled.account.rules;
    expect(reads).toMatchObject({ label: 'reads', action: 'allow', readOnly: true, workflow: undefined });
    expect(deploy).toMatchObject({ label: 'rules[1]', workflow: 'admins', reason: 'Production' });
    expect(deploy.condition?.expression).toBe('args.env == "prod"');
    expect(ops.workflow).toBe('ops');
    expect(compiled.defaults).toEqual({ action: 'deny', workflow: 'admins' });
  });

  it('compiles globs once into matchers', () => {
    expect(compiled.account.rules[1].tool.test('deploy.run')).toBe(true);
    expect(compiled.account.rules[1].tool.test('deployx.run')).toBe(false);
    expect(compiled.models.map((glob) => glob.pattern)).toEqual(['gpt-4o*']);
  });

  it('indexes scopes by subject and keeps team order', () => {
    expect(compiled.apiKeyScopes.get('k1')).toMatchObject({ label: 'apiKey:k1', kind: 'apiKey', visible: undefined });
    expect(compiled.apiKeyScopes.get('k1')?.hidden.map((glob) => glob.pattern)).toEqual(['admin.*']);
    expect(compiled.teamScopes.get('platform')).toMatchObject({ order: 1, scope: { label: 'team:platform' } });
    expect(compiled.teamScopes.get('platform')?.scope.rules[0].label).toBe('scopes[1].rules[0]');
    expect(compiled.agentScopes.get('ci')?.rules).toEqual([]);
    expect(compiled.apiKeyScopes.get('toString')).toBeUndefined();
  });

  it('parses conditions once, so evaluation reuses them', () => {
    const condition = compiled.account.rules[1].condition;
    expect(condition).toBeDefined();
    const context = {
      args: { env: 'prod' },
      tool: { name: 'deploy.run', server: null, readOnly: false },
      subject: { type: 'agent', id: 'a', name: 'a', role: null, userId: null, agentId: 'a', apiKeyId: null, teamIds: [] },
      session: null,
      time: { now: new Date(0), hour: 0n, minute: 0n, weekday: 4n },
    };
    expect(condition?.evaluate(context)).toBe(true);
    expect(condition?.evaluate({ ...context, args: { env: 'dev' } })).toBe(false);
  });

  it('is frozen and branded', () => {
    expect(Object.isFrozen(compiled)).toBe(true);
    expect(Object.isFrozen(compiled.account.rules)).toBe(true);
    expect(isCompiledPolicy(compiled)).toBe(true);
    expect(isCompiledPolicy({ ...compiled })).toBe(false);
    expect(isCompiledPolicy(defaultPolicy)).toBe(false);
  });

  it('validates what it is given and throws VALIDATION_ERROR for an invalid document', () => {
    expect(() => compilePolicy({ version: 1, rules: 'nope' })).toThrowError(/Invalid policy document/);
    try {
      compilePolicy({ version: 1, defaults: { tools: 'allow' }, rules: [{ tool: 'a', action: 'allow', condition: '1 +' }] });
      expect.unreachable();
    } catch (error) {
      expect(isPreloopError(error, 'VALIDATION_ERROR')).toBe(true);
    }
  });

  it('compiles a policy with a hundred rules quickly enough to do per version', () => {
    const rules = Array.from({ length: 100 }, (_, index) => ({
      tool: `server${index}.*`,
      action: 'deny' as const,
      condition: `has(args.x${index}) && args.x${index} == ${index}`,
    }));
    const started = performance.now();
    const big = compilePolicy({ version: 1, defaults: { tools: 'allow' }, rules });
    expect(big.account.rules).toHaveLength(100);
    expect(performance.now() - started).toBeLessThan(1000);
  });
});
