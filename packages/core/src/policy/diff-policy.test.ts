import { describe, expect, it } from 'vitest';
import { defaultPolicy } from './default-policy.js';
import { diffPolicies, unifiedLineDiff } from './diff-policy.js';
import { parsePolicyDocument } from './policy-document.js';
import { toPolicyJson, toPolicyYaml } from './policy-yaml.js';

describe('toPolicyYaml and toPolicyJson', () => {
  it('renders equal policies to equal text, whatever the key order or omitted defaults', () => {
    const a = parsePolicyDocument(
      'version: 1\ndefaults: { tools: allow }\nworkflows: { b: { approvers: { roles: [admin] } }, a: { approvers: { users: [u] } } }\n',
    );
    const b = parsePolicyDocument(
      'workflows:\n  a: { quorum: 1, approvers: { users: [u] } }\n  b: { approvers: { roles: [admin] }, timeoutSeconds: 300 }\ndefaults: { models: { allow: [] }, tools: allow }\nversion: 1\n',
    );
    expect(toPolicyYaml(a)).toBe(toPolicyYaml(b));
    expect(toPolicyYaml(a).indexOf('  a:')).toBeLessThan(toPolicyYaml(a).indexOf('  b:'));
    expect(toPolicyJson(a)).toBe(toPolicyJson(b));
  });

  it('round-trips through parsePolicyDocument', () => {
    expect(parsePolicyDocument(toPolicyYaml(defaultPolicy))).toEqual(defaultPolicy);
    expect(parsePolicyDocument(toPolicyJson(defaultPolicy), 'json')).toEqual(defaultPolicy);
  });

  it('keeps strings that YAML 1.1 would read as booleans as strings', () => {
    const document = parsePolicyDocument('version: 1\ndefaults: { tools: allow }\nrules: [{ tool: "yes", action: deny, reason: "no" }]\n');
    expect(parsePolicyDocument(toPolicyYaml(document)).rules[0]).toEqual({ tool: 'yes', action: 'deny', reason: 'no' });
  });
});

describe('diffPolicies', () => {
  it('is empty for equivalent policies', () => {
    expect(diffPolicies(defaultPolicy, toPolicyYaml(defaultPolicy))).toBe('');
  });

  it('shows an added rule as a unified diff hunk', () => {
    const changed = structuredClone(defaultPolicy);
    changed.rules.push({ tool: 'github.delete_*', action: 'deny', reason: 'never' });
    const diff = diffPolicies(defaultPolicy, changed, { fromLabel: 'v1', toLabel: 'v2', context: 1 });
    expect(diff).toBe(
      [
        '--- v1',
        '+++ v2',
        '@@ -25,2 +25,5 @@',
        '     readOnly: true',
        '+  - tool: github.delete_*',
        '+    action: deny',
        '+    reason: never',
        ' scopes: []',
        '',
      ].join('\n'),
    );
  });

  it('shows a changed value as a removed and an added line', () => {
    const changed = structuredClone(defaultPolicy);
    changed.workflows.admins.timeoutSeconds = 600;
    const diff = diffPolicies(defaultPolicy, changed);
    expect(diff).toContain('-    timeoutSeconds: 300\n+    timeoutSeconds: 600\n');
    expect(diff.startsWith('--- a\n+++ b\n@@ -')).toBe(true);
  });

  it('validates its inputs', () => {
    expect(() => diffPolicies('version: 3', defaultPolicy)).toThrowError(/Invalid policy document/);
  });
});

describe('unifiedLineDiff', () => {
  it('matches diff -u output for small cases', () => {
    expect(unifiedLineDiff(['a', 'b'], ['a', 'c'], { context: 1 })).toBe('--- a\n+++ b\n@@ -1,2 +1,2 @@\n a\n-b\n+c\n');
    expect(unifiedLineDiff([], ['x'])).toBe('--- a\n+++ b\n@@ -0,0 +1 @@\n+x\n');
    expect(unifiedLineDiff(['x'], [])).toBe('--- a\n+++ b\n@@ -1 +0,0 @@\n-x\n');
    expect(unifiedLineDiff(['a', 'b', 'c'], ['a', 'b', 'c'])).toBe('');
  });

  it('splits distant changes into separate hunks and merges close ones', () => {
    const from = Array.from({ length: 20 }, (_, index) => `line ${index + 1}`);
    const to = [...from];
    to[1] = 'changed 2';
    to[17] = 'changed 18';
    const diff = unifiedLineDiff(from, to, { context: 2 });
    expect(diff.match(/^@@/gm)).toHaveLength(2);
    expect(diff).toContain('@@ -1,4 +1,4 @@\n line 1\n-line 2\n+changed 2\n line 3\n line 4\n');
    expect(diff).toContain('@@ -16,5 +16,5 @@\n line 16\n line 17\n-line 18\n+changed 18\n line 19\n line 20\n');
    to[9] = 'changed 10';
    expect(unifiedLineDiff(from, to, { context: 4 }).match(/^@@/gm)).toHaveLength(1);
  });

  it('rebuilds the target from the diff (property over small random texts)', () => {
    for (let round = 0; round < 200; round += 1) {
      const random = (length: number) => Array.from({ length }, () => 'abcd'[Math.floor(Math.random() * 4)]);
      const from = random(Math.floor(Math.random() * 12));
      const to = random(Math.floor(Math.random() * 12));
      const diff = unifiedLineDiff(from, to, { context: 1000 });
      if (from.join() === to.join()) {
        expect(diff).toBe('');
        continue;
      }
      const body = diff.split('\n').slice(3, -1);
      expect(body.filter((line) => !line.startsWith('+')).map((line) => line.slice(1))).toEqual(from);
      expect(body.filter((line) => !line.startsWith('-')).map((line) => line.slice(1))).toEqual(to);
    }
  });
});
