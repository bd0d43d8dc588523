import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Principal } from '../identity/principal.js';
import { compilePolicy } from './compile-policy.js';
import { evaluateToolCall, evaluateToolCallLinear, type ToolCallInput } from './evaluate-policy.js';
import { compileCondition } from './policy-cel.js';
import { conditionGuard } from './rule-index.js';

const subject: Principal = {
  type: 'api_key',
  id: 'k1',
  accountId: 'acc',
  name: 'key one',
  role: null,
  userId: 'u1',
  apiKeyId: 'k1',
  agentId: null,
  runtimeSessionId: null,
  teamIds: ['t1'],
  scopes: ['mcp'],
};

function guardOf(expression: string) {
  const compiled = compileCondition(expression);
  if (!compiled.ok) throw new Error(compiled.message);
  return conditionGuard(compiled.condition.ast);
}

describe('conditionGuard', () => {
  it('finds a string membership or equality on an args path among the top-level && terms', () => {
    expect(guardOf("has(args.labels) && 'prod' in args.labels")).toEqual({ kind: 'in', path: ['labels'], literal: 'prod' });
    expect(guardOf("args.meta.env == 'prod'")).toEqual({ kind: '==', path: ['meta', 'env'], literal: 'prod' });
    expect(guardOf("'prod' == args.env && args.count > 2")).toEqual({ kind: '==', path: ['env'], literal: 'prod' });
    expect(guardOf("args.count > 2 && (tool.readOnly && 'x' in args.tags)")).toEqual({ kind: 'in', path: ['tags'], literal: 'x' });
  });

  it('finds none where a false term would not make the condition false', () => {
    for (const expression of [
      "'prod' in args.labels || args.force == true",
      "!('prod' in args.labels)",
      "args.labels.exists(l, l == 'prod')",
      'args.count == 3',
      "tool.name == 'github.merge'",
      "'a' == 'a'",
      "args == 'prod'",
      "'prod' in args",
    ]) {
      expect(guardOf(expression), expression).toBeUndefined();
    }
  });
});

function decideBoth(document: unknown, input: ToolCallInput) {
  const compiled = compilePolicy(document);
  return { indexed: evaluateToolCall(compiled, input), linear: evaluateToolCallLinear(compiled, input) };
}

describe('the indexed evaluator', () => {
  const document = {
    version: 1,
    defaults: { tools: 'allow' },
    rules: [
      { name: 'errs-but-excluded', tool: 'github.*', action: 'deny', condition: "args.missing == 1 && 'blocked' in args.labels" },
      { name: 'mixed-list', tool: 'github.create_issue', action: 'deny', condition: "'blocked' in args.tags" },
      { name: 'middle-star', tool: 'git*.*_issue', action: 'deny', reason: 'issues are frozen', readOnly: false },
      { name: 'catch-all', tool: '*', action: 'deny' },
    ],
  };

  it('skips a rule whose guard is false even when another term would fail, exactly like CEL', () => {
    const { indexed, linear } = decideBoth(document, {
      subject,
      tool: { name: 'github.list_repos', readOnly: true },
      args: { labels: ['bug'], tags: [] },
    });
    expect(indexed).toEqual(linear);
    expect(indexed.explanation.rule).toBe('catch-all');
  });

  it('evaluates the condition when the args cannot decide the guard (a string, not a list: the CEL error denies)', () => {
    const { indexed, linear } = decideBoth(document, { subject, tool: { name: 'github.create_issue' }, args: { labels: 'bug' } });
    expect(indexed).toEqual(linear);
    expect(indexed.action === 'deny' && indexed.reason).toMatch(/^policy_error: condition of rule "errs-but-excluded" failed/);
  });

  it('leaves args CEL cannot read to CEL, which fails and denies (an own constructor field, a class instance)', () => {
    const guarded = {
      version: 1,
      defaults: { tools: 'allow' },
      rules: [{ name: 'guarded', tool: '*', action: 'allow', condition: "'prod' in args.labels" }],
    };
    for (const args of [
      { constructor: 'x', labels: ['dev'] },
      { labels: Object.assign(['dev'], { constructor: 1 }) },
      new (class Args {
        labels = ['dev'];
      })(),
    ]) {
      const { indexed, linear } = decideBoth(guarded, { subject, tool: { name: 'deploy.run' }, args });
      expect(indexed).toEqual(linear);
      expect(indexed.action === 'deny' && indexed.reason).toMatch(/^policy_error: condition of rule "guarded" failed/);
    }
  });

  it('admits the rules of every label in the list, in rule order', () => {
    const labelled = {
      version: 1,
      defaults: { tools: 'allow' },
      rules: [
        { name: 'prod', tool: 'deploy.run', action: 'deny', condition: "'prod' in args.env" },
        { name: 'staging', tool: 'deploy.run', action: 'deny', condition: "has(args.env) && 'staging' in args.env" },
      ],
    };
    for (const [env, decidedBy] of [
      [['dev', 'staging'], 'staging'],
      [['staging', 'dev', 'prod'], 'prod'],
      [['dev'], null],
    ] as const) {
      const { indexed, linear } = decideBoth(labelled, { subject, tool: { name: 'deploy.run' }, args: { env } });
      expect(indexed).toEqual(linear);
      expect(indexed.explanation.rule).toBe(decidedBy);
    }
  });

  it('keeps rule order across exact names, prefixes, middle stars and catch-alls', () => {
    const { indexed, linear } = decideBoth(document, { subject, tool: { name: 'gitlab.create_issue' }, args: {} });
    expect(indexed).toEqual(linear);
    expect(indexed.explanation.rule).toBe('middle-star');
  });
});

const names = [
  'github.create_issue',
  'github.list_issues',
  'gitlab.create_issue',
  'slack.post',
  'fs.read_file',
  'g',
  'github.issues.create',
];
const literals = ['a', 'b', 'prod'];
const conditionTemplates = [
  "'L' in args.labels",
  "has(args.labels) && 'L' in args.labels",
  "args.repo == 'L'",
  "'L' == args.repo && args.count > 2",
  "args.meta.env == 'L'",
  "args.count > 2 && 'L' in args.labels",
  "args.missing == 1 && 'L' in args.labels",
  "'L' in args.labels || args.repo == 'L'",
  "!('L' in args.labels)",
  "tool.server == 'github' && 'L' in args.labels",
  "tool.readOnly && args.repo == 'L'",
  'args.count > 2',
  "args.labels.exists(l, l == 'L')",
  "session == null && args.repo == 'L'",
];

/** A glob built from a tool name: a star replaces a slice of it, or the pattern is a fixed glob. */
const pattern = fc.oneof(
  fc.constantFrom(...names),
  fc.constantFrom('*', 'github.*', 'git*', '*.create_issue', '*issue*', 'g*b.*_*', 'slack.*', '**'),
  fc.tuple(fc.constantFrom(...names), fc.nat(25), fc.nat(25)).map(([name, from, length]) => {
    const start = Math.min(from, name.length);
    return `${name.slice(0, start)}*${name.slice(Math.min(name.length, start + length))}`;
  }),
);

const condition = fc
  .tuple(fc.constantFrom(...conditionTemplates), fc.constantFrom(...literals))
  .map(([template, literal]) => template.replaceAll('L', literal));

const rule = fc.record(
  {
    tool: pattern,
    action: fc.constantFrom('allow', 'deny', 'require_approval'),
    condition,
    readOnly: fc.boolean(),
    reason: fc.constantFrom('because', 'policy says no'),
    workflow: fc.constantFrom('w1', 'w2'),
  },
  { requiredKeys: ['tool', 'action'] },
);

const document = fc
  .record({
    defaults: fc.constantFrom('allow', 'deny', 'require_approval'),
    rules: fc.array(rule, { maxLength: 30 }),
    scopes: fc.uniqueArray(
      fc.record({
        subject: fc.constantFrom({ apiKey: 'k1' }, { apiKey: 'k2' }, { team: 't1' }, { agent: 'a1' }),
        rules: fc.array(rule, { maxLength: 10 }),
      }),
      { maxLength: 3, selector: (scope) => JSON.stringify(scope.subject) },
    ),
  })
  .map(({ defaults, rules, scopes }) => {
    // Some rules are unnamed, so explanations also carry paths such as `scopes[0].rules[2]`.
    const named = (list: typeof rules, prefix: string) =>
      list.map(({ workflow, reason, ...entry }, index) => ({
        ...(index % 3 === 2 ? {} : { name: `${prefix}r${index}` }),
        ...entry,
        ...(entry.action === 'require_approval' && workflow !== undefined ? { workflow } : {}),
        ...(entry.action !== 'allow' && reason !== undefined ? { reason } : {}),
      }));
    return {
      version: 1,
      defaults: { tools: defaults, workflow: 'w1' },
      workflows: { w1: { approvers: { roles: ['admin'] } }, w2: { approvers: { roles: ['owner'] } } },
      rules: named(rules, ''),
      scopes: scopes.map((scope, index) => ({ subject: scope.subject, rules: named(scope.rules, `s${index}`) })),
    };
  });

const labelValue = fc.oneof(
  fc.array(fc.constantFrom(...literals, 'x'), { maxLength: 4 }),
  fc.constant([1, 'a']),
  fc.constantFrom('a', 'prod'),
  fc.constant({ a: 1, prod: true }),
  fc.constant(null),
  // CEL rejects a list or map whose own `constructor` field hides its type ("Unsupported type").
  fc.constant(Object.assign(['a', 'b'], { constructor: 1 })),
);

/** Objects CEL cannot read (an own `constructor`, a class instance): the index must leave them to CEL. */
function oddObject(value: Record<string, unknown>, kind: 'plain' | 'ownConstructor' | 'classInstance' | 'nullPrototype') {
  if (kind === 'plain') return value;
  if (kind === 'ownConstructor') return { constructor: 'x', ...value };
  if (kind === 'nullPrototype') return Object.assign(Object.create(null), value);
  return Object.assign(new (class Args {})(), value);
}

const args = fc.oneof(
  fc
    .record(
      {
        labels: labelValue,
        repo: fc.oneof(fc.constantFrom(...literals, 'x'), fc.constant(5), fc.constant(['a']), fc.constant(null)),
        count: fc.oneof(fc.constantFrom(1, 3), fc.constant('3')),
        meta: fc.oneof(fc.constantFrom({ env: 'a' }, { env: 'prod' }, { env: 5 }, {}), fc.constant('a')),
        missing: fc.constant(1),
      },
      { requiredKeys: [] },
    )
    .chain((value) =>
      fc.constantFrom('plain', 'plain', 'ownConstructor', 'classInstance', 'nullPrototype').map((kind) => {
        const meta = value.meta;
        const withMeta = typeof meta === 'object' && meta !== null ? { ...value, meta: oddObject(meta, kind) } : value;
        return oddObject(withMeta, kind === 'classInstance' ? 'plain' : kind);
      }),
    ),
  fc.constantFrom(undefined, null),
);

const call = fc.record({
  name: fc.oneof(fc.constantFrom(...names), fc.constantFrom('github.', 'x', 'github.create_issuex')),
  server: fc.constantFrom('github', null, undefined),
  readOnly: fc.constantFrom(true, false, undefined),
  apiKey: fc.constantFrom('k1', 'k2'),
  args,
});

describe('property: the indexed evaluator decides exactly like the linear one', () => {
  it('gives identical decisions (action, reason, workflow, explanation) for random policies and calls', () => {
    fc.assert(
      fc.property(document, fc.array(call, { minLength: 1, maxLength: 8 }), (policy, calls) => {
        const compiled = compilePolicy(policy);
        for (const entry of calls) {
          const input: ToolCallInput = {
            subject: { ...subject, id: entry.apiKey, apiKeyId: entry.apiKey },
            tool: {
              name: entry.name,
              ...(entry.server === undefined ? {} : { server: entry.server }),
              ...(entry.readOnly === undefined ? {} : { readOnly: entry.readOnly }),
            },
            args: entry.args,
            time: Date.UTC(2026, 0, 5, 10, 30),
          };
          expect(evaluateToolCall(compiled, input)).toEqual(evaluateToolCallLinear(compiled, input));
        }
      }),
      { numRuns: 200 },
    );
  });
});
