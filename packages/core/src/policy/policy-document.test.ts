import { describe, expect, it } from 'vitest';
import { isPreloopError } from '../errors.js';
import { parsePolicyDocument, type PolicyValidationIssue } from './policy-document.js';
import { policyJsonSchema } from './policy-schema.js';

/** Parses and returns the issues of the VALIDATION_ERROR it must throw. */
function issuesOf(text: string | unknown, format?: 'yaml' | 'json'): PolicyValidationIssue[] {
  try {
    parsePolicyDocument(text, format);
  } catch (error) {
    if (!isPreloopError(error, 'VALIDATION_ERROR')) throw error;
    return error.details as PolicyValidationIssue[];
  }
  throw new Error('expected a VALIDATION_ERROR');
}

describe('parsePolicyDocument: valid documents', () => {
  it('fills in every default', () => {
    const document = parsePolicyDocument(`
version: 1
defaults: { tools: deny }
workflows:
  admins: { approvers: { roles: [admin] } }
`);
    expect(document).toEqual({
      version: 1,
      defaults: { tools: 'deny', models: { allow: [] } },
      workflows: {
        admins: {
          approvers: { roles: ['admin'] },
          quorum: 1,
          timeoutSeconds: 300,
          onTimeout: 'deny',
          requireReason: false,
          separationOfDuties: true,
        },
      },
      rules: [],
      scopes: [],
    });
  });

  it('defaults tools to require_approval, which then needs defaults.workflow', () => {
    expect(issuesOf('version: 1\n')).toEqual([
      {
        path: 'defaults.workflow',
        message: 'defaults.workflow: defaults.tools is require_approval, so defaults.workflow must name the workflow to use',
        line: 1,
      },
    ]);
  });

  it('reads JSON text and already parsed values', () => {
    const json = '{"version": 1, "defaults": {"tools": "allow"}, "rules": [{"tool": "a.*", "action": "deny"}]}';
    expect(parsePolicyDocument(json, 'json').rules).toEqual([{ tool: 'a.*', action: 'deny' }]);
    expect(parsePolicyDocument(JSON.parse(json)).rules).toEqual([{ tool: 'a.*', action: 'deny' }]);
  });

  it('reads tab-indented JSON with escapes', () => {
    const json =
      '{\n\t"version": 1,\n\t"defaults": {"tools": "allow"},\n\t"rules": [{"tool": "a\\u0041", "action": "deny", "reason": "x\\ny"}]\n}';
    expect(parsePolicyDocument(json, 'json').rules).toEqual([{ tool: 'aA', action: 'deny', reason: 'x\ny' }]);
  });

  it('reads YAML 1.2: yes/no/on stay strings', () => {
    const document = parsePolicyDocument('version: 1\ndefaults: { tools: allow }\nrules: [{ tool: on, action: deny, reason: no }]\n');
    expect(document.rules[0]).toEqual({ tool: 'on', action: 'deny', reason: 'no' });
  });
});

describe('parsePolicyDocument: errors carry path, message and line', () => {
  it('reports each schema problem with its path and YAML line', () => {
    const issues = issuesOf(`version: 1
defaults:
  tools: allow
rules:
  - tool: "github.*"
    action: deny
  - tool: x.y
    action: maybe
  - tool: x.z
    action: allow
    conditon: "true"
workflows:
  ops:
    approvers: { roles: [admin] }
    quorum: 11
`);
    expect(issues).toEqual([
      expect.objectContaining({ path: 'workflows.ops.quorum', line: 15 }),
      expect.objectContaining({ path: 'rules[1].action', line: 8 }),
      { path: 'rules[2].conditon', message: 'rules[2].conditon: unknown key', line: 11 },
    ]);
    expect(issues[1].message).toMatch(/^rules\[1\]\.action: Invalid option/);
    expect(issues[0].message).toMatch(/^workflows\.ops\.quorum: Too big/);
  });

  it('reports a CEL condition that does not parse, with the parser message, path and line', () => {
    const issues = issuesOf(`version: 1
defaults: { tools: allow }
rules:
  - tool: a.b
    action: deny
  - tool: a.c
    action: deny
  - tool: a.d
    action: deny
    condition: args.count >
`);
    expect(issues).toEqual([
      {
        path: 'rules[2].condition',
        message: 'rules[2].condition: invalid CEL condition: Unexpected token: EOF (column 13)',
        line: 10,
      },
    ]);
  });

  it('reports conditions that name unknown variables or fields, or are not bools', () => {
    const issues = issuesOf({
      version: 1,
      defaults: { tools: 'allow' },
      rules: [
        { tool: 'a', action: 'deny', condition: 'user.role == "admin"' },
        { tool: 'b', action: 'deny', condition: 'tool.nmae == "x"' },
        { tool: 'c', action: 'deny', condition: 'size(args)' },
      ],
    });
    expect(issues.map((entry) => entry.path)).toEqual(['rules[0].condition', 'rules[1].condition', 'rules[2].condition']);
    expect(issues[0].message).toContain('Unknown variable: user');
    expect(issues[1].message).toContain('nmae');
    expect(issues[2].message).toContain('must evaluate to a bool, but evaluates to int');
    expect(issues.every((entry) => entry.line === undefined)).toBe(true);
  });

  it('reports unknown workflows in rules, scope rules and defaults', () => {
    const issues = issuesOf(`version: 1
defaults: { tools: require_approval, workflow: nobody }
workflows:
  admins: { approvers: { roles: [admin] } }
rules:
  - { tool: a, action: require_approval, workflow: ops }
scopes:
  - subject: { agent: ci }
    rules:
      - { tool: b, action: require_approval, workflow: toString }
`);
    expect(issues).toEqual([
      { path: 'defaults.workflow', message: 'defaults.workflow: unknown workflow "nobody"', line: 2 },
      { path: 'rules[0].workflow', message: 'rules[0].workflow: unknown workflow "ops"', line: 6 },
      { path: 'scopes[0].rules[0].workflow', message: 'scopes[0].rules[0].workflow: unknown workflow "toString"', line: 10 },
    ]);
  });

  it('reports other cross-field mistakes', () => {
    const issues = issuesOf({
      version: 1,
      defaults: { tools: 'allow' },
      workflows: {
        two: { approvers: { users: ['u1'] }, quorum: 2 },
        late: { approvers: { roles: ['admin'] }, timeoutSeconds: 60, escalation: { afterSeconds: 60, approvers: { roles: ['owner'] } } },
      },
      rules: [
        { name: 'same', tool: 'a', action: 'allow', workflow: 'two' },
        { tool: 'b', action: 'require_approval' },
        { name: 'same', tool: 'c', action: 'deny' },
      ],
      scopes: [{ subject: { agent: 'x' } }, { subject: { agent: 'x' } }],
      tests: [
        { name: 't', tool: 'a', expect: 'allow' },
        { name: 't', tool: 'a', expect: 'allow' },
      ],
    });
    expect(issues.map((entry) => entry.path)).toEqual([
      'workflows.two.quorum',
      'workflows.late.escalation.afterSeconds',
      'rules[0].workflow',
      'rules[1].workflow',
      'rules[2].name',
      'scopes[1].subject',
      'tests[1].name',
    ]);
  });

  it('rejects invalid globs, including look-alike names', () => {
    const issues = issuesOf({
      version: 1,
      defaults: { tools: 'allow', models: { allow: ['gpt-4o '] } },
      rules: [{ tool: 'ｇｉｔｈｕｂ.*', action: 'deny' }],
      scopes: [{ subject: { team: 't' }, tools: { hidden: [''] } }],
    });
    expect(issues.map((entry) => entry.path)).toEqual(['defaults.models.allow[0]', 'rules[0].tool', 'scopes[0].tools.hidden[0]']);
    expect(issues[1].message).toContain('invalid glob');
  });

  it('requires exactly one subject kind and at least one approver', () => {
    const issues = issuesOf({
      version: 1,
      defaults: { tools: 'allow' },
      workflows: { empty: { approvers: { users: [] } } },
      scopes: [{ subject: { apiKey: 'k', agent: 'a' } }, { subject: {} }],
    });
    expect(issues.map((entry) => entry.message)).toEqual([
      'workflows.empty.approvers: name at least one approver (users, teams or roles)',
      'scopes[0].subject: must be exactly one of { apiKey: <id> }, { agent: <id> } or { team: <id> }',
      'scopes[1].subject: must be exactly one of { apiKey: <id> }, { agent: <id> } or { team: <id> }',
    ]);
  });

  it('rejects the wrong version, a non-object and onTimeout other than deny', () => {
    expect(issuesOf('version: 2\ndefaults: { tools: allow }\n')[0]).toMatchObject({ path: 'version', line: 1 });
    expect(issuesOf('- a\n- b\n')[0]).toMatchObject({ path: '', line: 1 });
    const onTimeout = issuesOf({
      version: 1,
      defaults: { tools: 'allow' },
      workflows: { w: { approvers: { roles: ['admin'] }, onTimeout: 'allow' } },
    });
    expect(onTimeout[0].path).toBe('workflows.w.onTimeout');
  });

  it('rejects duplicate keys, YAML syntax errors and unknown tags with a line', () => {
    expect(issuesOf('version: 1\ndefaults: { tools: allow }\nrules: []\nrules: []\n')).toEqual([
      { path: '', message: '(document): YAML Map keys must be unique', line: 4 },
    ]);
    expect(issuesOf('version: 1\nrules: [\n')[0]).toMatchObject({ path: '', line: expect.any(Number) });
    expect(issuesOf('version: 1\nx: !!js/function "f"\n')[0].message).toContain('Unresolved tag');
  });

  it('rejects invalid JSON and duplicate JSON keys with a line', () => {
    expect(issuesOf('{\n"version": 1,\n}', 'json')[0]).toMatchObject({ path: '', line: 3 });
    expect(issuesOf('{"version": 1, "version": 1}', 'json')[0].message).toContain('Map keys must be unique');
  });

  it('puts a summary of the problems in the error message', () => {
    try {
      parsePolicyDocument('version: 1\ndefaults: { tools: allow }\nrules: [{ tool: a, action: nope }]\n');
      expect.unreachable();
    } catch (error) {
      expect(isPreloopError(error, 'VALIDATION_ERROR')).toBe(true);
      expect((error as Error).message).toMatch(/^Invalid policy document \(1 problem\): rules\[0\]\.action: .* \(line 3\)$/);
    }
  });

  it('rejects oversized text and alias bombs', () => {
    expect(issuesOf(`version: 1\n# ${'x'.repeat(1_000_001)}`)[0].message).toContain('longer than');
    const bomb = ['a: &a [x, x, x, x, x, x, x, x, x, x]'];
    for (let level = 1; level < 8; level += 1) {
      const previous = String.fromCharCode(96 + level);
      const next = String.fromCharCode(97 + level);
      bomb.push(
        `${next}: &${next} [*${previous}, *${previous}, *${previous}, *${previous}, *${previous}, *${previous}, *${previous}, *${previous}, *${previous}, *${previous}]`,
      );
    }
    expect(issuesOf(`version: 1\n${bomb.join('\n')}\n`)[0]).toMatchObject({
      path: '',
      message: expect.stringContaining('Excessive alias count'),
    });
  });
});

describe('policyJsonSchema', () => {
  it('describes the document as written', () => {
    const schema = policyJsonSchema();
    expect(schema.$schema).toBe('https://json-schema.org/draft/2020-12/schema');
    expect(schema.required).toEqual(['version']);
    expect(Object.keys(schema.properties)).toEqual(['version', 'metadata', 'defaults', 'workflows', 'rules', 'scopes', 'tests']);
    expect(JSON.stringify(schema)).toContain('require_approval');
  });
});
