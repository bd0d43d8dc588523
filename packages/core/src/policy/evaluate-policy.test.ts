import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Principal } from '../identity/principal.js';
import { type CompiledPolicy, compilePolicy } from './compile-policy.js';
import { evaluateToolCall, isToolVisible, type ToolCallInput } from './evaluate-policy.js';
import { unknownToolReason } from './policy-decision.js';
import { parsePolicyDocument } from './policy-document.js';

function principal(overrides: Partial<Principal> = {}): Principal {
  return {
    type: 'api_key',
    id: 'k1',
    accountId: 'acc',
    name: 'key one',
    role: null,
    userId: 'u1',
    apiKeyId: 'k1',
    agentId: null,
    runtimeSessionId: null,
    teamIds: [],
    scopes: ['mcp'],
    ...overrides,
  };
}

function compileYaml(text: string): CompiledPolicy {
  return compilePolicy(parsePolicyDocument(text));
}

function call(compiled: CompiledPolicy, name: string, extra: Partial<ToolCallInput> & { readOnly?: boolean } = {}) {
  const { readOnly, ...rest } = extra;
  return evaluateToolCall(compiled, {
    subject: principal(),
    tool: { name, server: name.split('.')[0] ?? null, ...(readOnly === undefined ? {} : { readOnly }) },
    args: {},
    ...rest,
  });
}

const basePolicy = `
version: 1
defaults: { tools: require_approval, workflow: admins }
workflows:
  admins: { approvers: { roles: [owner, admin] } }
  security: { approvers: { teams: [security] }, quorum: 2 }
rules:
  - { name: reads, tool: "*", readOnly: true, action: allow }
  - { name: no-delete, tool: "github.delete_*", action: deny, reason: "Deleting is not allowed" }
  - name: big-merges
    tool: github.merge_pull_request
    condition: has(args.files) && args.files > 50
    action: require_approval
    workflow: security
    reason: Large merge
  - { name: merges, tool: github.merge_pull_request, action: allow }
  - { tool: "github.*", action: allow }
`;

describe('evaluateToolCall: rules', () => {
  const compiled = compileYaml(basePolicy);

  it('allows read-only tools through the read-only rule', () => {
    expect(call(compiled, 'jira.search', { readOnly: true })).toEqual({
      action: 'allow',
      explanation: { scope: 'account', rule: 'reads' },
    });
  });

  it('does not treat a tool as read-only unless its plugin says so', () => {
    expect(call(compiled, 'jira.search').action).toBe('require_approval');
    expect(call(compiled, 'jira.search', { readOnly: false }).action).toBe('require_approval');
  });

  it('first matching rule wins, even when a later rule would allow', () => {
    const decision = call(compiled, 'github.delete_repo');
    expect(decision).toEqual({
      action: 'deny',
      reason: 'Deleting is not allowed',
      explanation: { scope: 'account', rule: 'no-delete' },
    });
  });

  it('first match wins in document order: a read-only deletion tool is still allowed by the earlier rule', () => {
    expect(call(compiled, 'github.delete_branch', { readOnly: true }).action).toBe('allow');
  });

  it('skips a rule whose condition is false and reports the condition value of the deciding rule', () => {
    expect(call(compiled, 'github.merge_pull_request', { args: { files: 3 } })).toEqual({
      action: 'allow',
      explanation: { scope: 'account', rule: 'merges' },
    });
    expect(call(compiled, 'github.merge_pull_request', { args: { files: 51 } })).toEqual({
      action: 'require_approval',
      workflow: 'security',
      reason: 'Large merge',
      explanation: { scope: 'account', rule: 'big-merges', conditionValue: true },
    });
  });

  it('names unnamed rules by their path', () => {
    expect(call(compiled, 'github.list_issues').explanation).toEqual({ scope: 'account', rule: 'rules[4]' });
  });

  it('falls back to the default with its workflow when no rule matches', () => {
    expect(call(compiled, 'slack.post_message')).toEqual({
      action: 'require_approval',
      workflow: 'admins',
      explanation: { scope: 'account', rule: null, default: true },
    });
  });

  it('applies a deny default with a reason', () => {
    const denyAll = compileYaml('version: 1\ndefaults: { tools: deny }\n');
    const decision = call(denyAll, 'github.list_issues');
    expect(decision.action).toBe('deny');
    expect(decision.action === 'deny' && decision.reason).toBe('No policy rule allows tool github.list_issues');
    expect(decision.explanation.default).toBe(true);
  });

  it('gives require_approval rules without a workflow the default workflow', () => {
    const compiledWithDefault = compileYaml(`
version: 1
defaults: { tools: allow, workflow: admins }
workflows: { admins: { approvers: { roles: [admin] } } }
rules: [{ tool: "x.*", action: require_approval }]
`);
    const decision = call(compiledWithDefault, 'x.run');
    expect(decision).toMatchObject({ action: 'require_approval', workflow: 'admins' });
  });

  it('matches readOnly: false only for tools not marked read-only', () => {
    const compiledWrites = compileYaml(`
version: 1
defaults: { tools: allow }
rules: [{ tool: "*", readOnly: false, action: deny }]
`);
    expect(call(compiledWrites, 'a.write').action).toBe('deny');
    expect(call(compiledWrites, 'a.read', { readOnly: true }).action).toBe('allow');
  });
});

describe('evaluateToolCall: scopes', () => {
  const compiled = compileYaml(`
version: 1
defaults: { tools: deny }
rules:
  - { name: account-deploy, tool: deploy.run, action: deny, reason: account says no }
scopes:
  - subject: { team: platform }
    rules: [{ name: team-deploy, tool: deploy.run, action: require_approval, workflow: ops }]
  - subject: { agent: ci }
    rules: [{ name: agent-deploy, tool: deploy.run, action: allow }]
  - subject: { apiKey: k1 }
    rules: [{ name: key-deploy, tool: deploy.run, action: deny, reason: key says no }]
  - subject: { team: contractors }
    tools: { hidden: ["deploy.*"] }
  - subject: { team: observers }
    tools: { visible: ["metrics.*"] }
workflows:
  ops: { approvers: { teams: [platform] } }
`);

  it('applies the account rule when no scope matches the subject', () => {
    const decision = call(compiled, 'deploy.run', { subject: principal({ apiKeyId: 'k9' }) });
    expect(decision).toMatchObject({ action: 'deny', reason: 'account says no', explanation: { scope: 'account' } });
  });

  it('prefers team over account, agent over team, and API key over agent', () => {
    const team = principal({ apiKeyId: 'k9', teamIds: ['platform'] });
    expect(call(compiled, 'deploy.run', { subject: team }).explanation).toEqual({ scope: 'team:platform', rule: 'team-deploy' });
    const agent = principal({ apiKeyId: 'k9', agentId: 'ci', teamIds: ['platform'] });
    expect(call(compiled, 'deploy.run', { subject: agent })).toEqual({
      action: 'allow',
      explanation: { scope: 'agent:ci', rule: 'agent-deploy' },
    });
    const key = principal({ apiKeyId: 'k1', agentId: 'ci', teamIds: ['platform'] });
    expect(call(compiled, 'deploy.run', { subject: key })).toMatchObject({
      action: 'deny',
      reason: 'key says no',
      explanation: { scope: 'apiKey:k1', rule: 'key-deploy' },
    });
  });

  it('falls through a scope whose rules do not match to the next scope and the default', () => {
    const agent = principal({ apiKeyId: 'k9', agentId: 'ci' });
    expect(call(compiled, 'other.tool', { subject: agent })).toMatchObject({ action: 'deny', explanation: { default: true } });
  });

  it('denies a hidden tool exactly like an unknown tool and reports the hiding scope', () => {
    const contractor = principal({ apiKeyId: 'k9', teamIds: ['contractors'] });
    expect(call(compiled, 'deploy.run', { subject: contractor })).toEqual({
      action: 'deny',
      reason: unknownToolReason('deploy.run'),
      explanation: { scope: 'team:contractors', rule: null, hidden: true },
    });
    expect(isToolVisible(compiled, contractor, 'deploy.run')).toBe(false);
    expect(isToolVisible(compiled, contractor, { name: 'metrics.read' })).toBe(true);
  });

  it('hides a tool outside a visible list, and visibility narrows across all matching scopes', () => {
    const observer = principal({ apiKeyId: 'k9', teamIds: ['observers', 'platform'] });
    expect(isToolVisible(compiled, observer, 'metrics.read')).toBe(true);
    expect(isToolVisible(compiled, observer, 'deploy.run')).toBe(false);
    expect(call(compiled, 'deploy.run', { subject: observer })).toMatchObject({ reason: 'Unknown tool: deploy.run' });
    const both = principal({ apiKeyId: 'k9', teamIds: ['observers', 'contractors'] });
    expect(isToolVisible(compiled, both, 'metrics.read')).toBe(true);
    expect(isToolVisible(compiled, both, 'deploy.run')).toBe(false);
  });

  it('orders team scopes by the document, not by the subject', () => {
    const ordered = compileYaml(`
version: 1
defaults: { tools: deny }
scopes:
  - { subject: { team: a }, rules: [{ name: from-a, tool: "*", action: allow }] }
  - { subject: { team: b }, rules: [{ name: from-b, tool: "*", action: deny }] }
`);
    const decision = call(ordered, 'x.y', { subject: principal({ teamIds: ['b', 'a'] }) });
    expect(decision.explanation).toEqual({ scope: 'team:a', rule: 'from-a' });
  });
});

describe('evaluateToolCall: name variants never match rules written for ASCII names', () => {
  const compiled = compileYaml(`
version: 1
defaults: { tools: allow }
rules:
  - { tool: github.delete_repo, action: deny }
  - { tool: "admin.*", action: deny }
`);
  const variants = [
    'github.delete_repo ',
    ' github.delete_repo',
    'github.delete_repo\t',
    'github.delete_repo\n',
    'github.delete_repo\u200b',
    'ｇｉｔｈｕｂ.delete_repo',
    'github．delete_repo',
    'github.delete_rеpo', // Cyrillic е
    'github.delete_repo\u0000',
    'admin.\u0301reset',
  ];

  it.each(variants)('%j is denied as an unknown tool', (name) => {
    const decision = call(compiled, name);
    expect(decision).toEqual({
      action: 'deny',
      reason: unknownToolReason(name),
      explanation: { scope: 'account', rule: null, hidden: true },
    });
    expect(isToolVisible(compiled, principal(), name)).toBe(false);
  });

  it('matches case-sensitively: a differently cased name is a different tool', () => {
    expect(call(compiled, 'GitHub.delete_repo').action).toBe('allow');
    expect(call(compiled, 'github.delete_repo').action).toBe('deny');
    expect(call(compiled, 'Admin.reset').action).toBe('allow');
  });
});

describe('evaluateToolCall: conditions over args, tool, subject, session and time', () => {
  const compiled = compileYaml(`
version: 1
defaults: { tools: deny }
rules:
  - { name: by-role, tool: t.role, action: allow, condition: 'subject.role == "admin"' }
  - { name: by-team, tool: t.team, action: allow, condition: '"platform" in subject.teamIds' }
  - { name: by-session, tool: t.session, action: allow, condition: 'session != null && session.id == "s1"' }
  - { name: by-server, tool: t.server, action: allow, condition: 'tool.server == "t" && tool.name == "t.server"' }
  - { name: office-hours, tool: t.time, action: allow, condition: 'time.weekday >= 1 && time.weekday <= 5 && time.hour >= 9 && time.hour < 17' }
  - { name: before, tool: t.before, action: allow, condition: 'time.now < timestamp("2030-01-01T00:00:00Z")' }
  - { name: missing-key, tool: t.missing, action: allow, condition: 'args.absent == 1' }
  - { name: not-bool, tool: t.dyn, action: allow, condition: 'args.value' }
  - { name: regex, tool: t.regex, action: allow, condition: 'args.branch.matches("^feature/")' }
`);

  it('reads subject fields', () => {
    expect(call(compiled, 't.role', { subject: principal({ role: 'admin' }) }).action).toBe('allow');
    expect(call(compiled, 't.role', { subject: principal({ role: 'viewer' }) }).action).toBe('deny');
    expect(call(compiled, 't.team', { subject: principal({ teamIds: ['platform'] }) }).action).toBe('allow');
    expect(call(compiled, 't.team').action).toBe('deny');
  });

  it('exposes the runtime session as session.id, or null', () => {
    expect(call(compiled, 't.session', { subject: principal({ runtimeSessionId: 's1' }) }).action).toBe('allow');
    expect(call(compiled, 't.session').action).toBe('deny');
  });

  it('exposes tool.name and tool.server', () => {
    expect(call(compiled, 't.server').action).toBe('allow');
  });

  it('evaluates time helpers in UTC from the given epoch milliseconds', () => {
    const mondayNoon = Date.UTC(2025, 0, 6, 12);
    const mondayNight = Date.UTC(2025, 0, 6, 22);
    const saturdayNoon = Date.UTC(2025, 0, 11, 12);
    expect(call(compiled, 't.time', { time: mondayNoon }).action).toBe('allow');
    expect(call(compiled, 't.time', { time: mondayNight }).action).toBe('deny');
    expect(call(compiled, 't.time', { time: saturdayNoon }).action).toBe('deny');
    expect(call(compiled, 't.before', { time: Date.UTC(2029, 11, 31) }).action).toBe('allow');
    expect(call(compiled, 't.before', { time: Date.UTC(2030, 0, 2) }).action).toBe('deny');
  });

  it('denies with policy_error when a condition fails at run time (fail closed)', () => {
    const decision = call(compiled, 't.missing');
    expect(decision.action).toBe('deny');
    expect(decision.action === 'deny' && decision.reason).toMatch(
      /^policy_error: condition of rule "missing-key" failed: No such key: absent/,
    );
    expect(decision.explanation).toEqual({ scope: 'account', rule: 'missing-key' });
  });

  it('denies with policy_error when a condition is not a bool', () => {
    const decision = call(compiled, 't.dyn', { args: { value: 'yes' } });
    expect(decision).toEqual({
      action: 'deny',
      reason: 'policy_error: condition of rule "not-bool" returned string, not a bool',
      explanation: { scope: 'account', rule: 'not-bool', conditionValue: 'yes' },
    });
    expect(call(compiled, 't.dyn', { args: { value: true } }).action).toBe('allow');
  });

  it('denies with policy_error for a type error in args', () => {
    const decision = call(compiled, 't.regex', { args: { branch: 7 } });
    expect(decision.action === 'deny' && decision.reason.startsWith('policy_error: ')).toBe(true);
    expect(call(compiled, 't.regex', { args: { branch: 'feature/x' } }).action).toBe('allow');
  });
});

describe('evaluateToolCall: bad input', () => {
  const compiled = compileYaml(`
version: 1
defaults: { tools: allow }
`);

  it.each([
    ['no subject', { tool: { name: 'a.b' }, args: {} }, 'subject must be an object'],
    ['subject without teamIds', { subject: { ...principal(), teamIds: undefined }, tool: { name: 'a.b' }, args: {} }, 'subject.teamIds'],
    ['tool name not a string', { subject: principal(), tool: { name: 7 }, args: {} }, 'tool.name must be a string'],
    ['readOnly not a boolean', { subject: principal(), tool: { name: 'a.b', readOnly: 'yes' }, args: {} }, 'tool.readOnly'],
    ['array args', { subject: principal(), tool: { name: 'a.b' }, args: [1] }, 'args must be an object'],
    ['string args', { subject: principal(), tool: { name: 'a.b' }, args: 'x' }, 'args must be an object'],
    ['NaN time', { subject: principal(), tool: { name: 'a.b' }, args: {}, time: Number.NaN }, 'time must be epoch milliseconds'],
  ])('%s is denied as policy_error', (_label, input, fragment) => {
    const decision = evaluateToolCall(compiled, input as unknown as ToolCallInput);
    expect(decision.action).toBe('deny');
    expect(decision.action === 'deny' && decision.reason).toContain('policy_error: bad input: ');
    expect(decision.action === 'deny' && decision.reason).toContain(fragment);
  });

  it('accepts missing args as none', () => {
    expect(evaluateToolCall(compiled, { subject: principal(), tool: { name: 'a.b' }, args: undefined }).action).toBe('allow');
  });

  it('denies when given something that is not a compiled policy', () => {
    const forged = { ...compiled } as CompiledPolicy;
    const decision = evaluateToolCall(forged, { subject: principal(), tool: { name: 'a.b' }, args: {} });
    expect(decision.action === 'deny' && decision.reason).toBe('policy_error: the policy was not built by compilePolicy');
  });
});

describe('evaluateToolCall: properties', () => {
  const compiled = compileYaml(`
version: 1
defaults: { tools: allow }
workflows: { w: { approvers: { roles: [admin] } } }
rules:
  - { tool: "a.*", action: require_approval, workflow: w, condition: 'has(args.n) && args.n > 3.0' }
  - { tool: "*", action: deny, condition: 'has(args.s) && args.s.startsWith("x") || subject.role == "admin"' }
  - { tool: "*", action: allow, condition: 'has(args.list) && size(args.list) > 2 && args.list[0] == "y"' }
  - { tool: "*", action: allow, condition: 'args.exists(k, k == "z") && time.hour > 3' }
`);
  const subjectArbitrary = fc.oneof(
    {
      weight: 4,
      arbitrary: fc.record({
        type: fc.constantFrom('user', 'api_key', 'agent', 'runtime_session'),
        id: fc.string(),
        accountId: fc.string(),
        name: fc.string(),
        role: fc.constantFrom(null, 'owner', 'admin', 'approver', 'viewer'),
        userId: fc.option(fc.string(), { nil: null }),
        apiKeyId: fc.option(fc.string(), { nil: null }),
        agentId: fc.option(fc.string(), { nil: null }),
        runtimeSessionId: fc.option(fc.string(), { nil: null }),
        teamIds: fc.array(fc.string(), { maxLength: 3 }),
        scopes: fc.array(fc.string(), { maxLength: 2 }),
      }),
    },
    { weight: 1, arbitrary: fc.anything() },
  );
  const nameArbitrary = fc.oneof(
    fc.string({ unit: 'grapheme', maxLength: 40 }),
    { weight: 3, arbitrary: fc.constantFrom('a.b', 'a.run', 'github.create_issue', 'x.y ') },
    fc.anything(),
  );
  const argsArbitrary = fc.oneof(
    {
      weight: 4,
      arbitrary: fc.dictionary(
        fc.constantFrom('n', 's', 'list', 'z', '__proto__', 'constructor'),
        fc.oneof(fc.integer({ min: -10, max: 10 }), fc.double(), fc.string(), fc.array(fc.constantFrom('y', 'q')), fc.anything()),
      ),
    },
    fc.anything(),
  );

  it('never throws and always returns a well-formed decision; errors deny', () => {
    const actions = new Set<string>();
    fc.assert(
      fc.property(
        subjectArbitrary,
        nameArbitrary,
        argsArbitrary,
        fc.option(fc.double(), { nil: undefined }),
        fc.boolean(),
        (subject, name, args, time, readOnly) => {
          const decision = evaluateToolCall(compiled, {
            subject: subject as Principal,
            tool: { name: name as string, readOnly },
            args,
            ...(time === undefined ? {} : { time }),
          });
          expect(['allow', 'deny', 'require_approval']).toContain(decision.action);
          actions.add(decision.action);
          expect(typeof decision.explanation.scope).toBe('string');
          if (decision.action === 'deny') expect(typeof decision.reason).toBe('string');
          if (decision.action === 'require_approval') expect(decision.workflow).toBe('w');
          if (decision.action === 'deny' && decision.reason.startsWith('policy_error')) {
            expect(decision.reason.length).toBeLessThan(600);
          }
        },
      ),
      {
        numRuns: 500,
        // Fixed examples make sure every outcome is exercised on every run, whatever the seed.
        examples: [
          [principal(), 'a.run', { n: 5 }, undefined, false],
          [principal(), 'a.run', { n: 'five' }, undefined, false],
          [principal(), 'x.y', { list: ['y', 'q', 'q'] }, undefined, true],
        ],
      },
    );
    expect([...actions].sort()).toEqual(['allow', 'deny', 'require_approval']);
  });

  it('never throws for arbitrary conditions that compile', () => {
    const fragments = fc.constantFrom(
      'args.a',
      'args["b"]',
      'args.c.d',
      'size(args)',
      'args.x + 1',
      'args.y * 2.0',
      'int(args.z)',
      'string(args.q)',
      'args.l[3]',
      'args.s.matches(args.r)',
      'tool.name',
      'subject.teamIds',
      'time.now',
      'session.id',
      'duration(args.d)',
      'timestamp(args.t)',
      '1 / int(args.zero)',
    );
    const operators = fc.constantFrom('==', '!=', '<', '>', 'in');
    const conditionArbitrary = fc.tuple(fragments, operators, fragments).map(([left, operator, right]) => `${left} ${operator} ${right}`);
    const seen = { compiled: 0, allowed: 0, denied: 0 };
    fc.assert(
      fc.property(conditionArbitrary, argsArbitrary, subjectArbitrary, (condition, args, subject) => {
        let policy: CompiledPolicy;
        try {
          policy = compilePolicy({ version: 1, defaults: { tools: 'allow' }, rules: [{ tool: '*', action: 'allow', condition }] });
        } catch {
          return; // conditions that do not type-check are rejected at validation, which other tests cover
        }
        seen.compiled += 1;
        const decision = evaluateToolCall(policy, { subject: subject as Principal, tool: { name: 'a.b' }, args });
        expect(['allow', 'deny']).toContain(decision.action);
        if (decision.action === 'allow') seen.allowed += 1;
        else seen.denied += 1;
      }),
      { numRuns: 400 },
    );
    // The property is only meaningful if many generated conditions compiled and both outcomes occurred.
    expect(seen.compiled).toBeGreaterThan(100);
    expect(seen.allowed).toBeGreaterThan(0);
    expect(seen.denied).toBeGreaterThan(0);
  });
});
