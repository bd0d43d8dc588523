import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { compileGlob, compileGlobs, globPatternProblem, isCanonicalName, matchGlobs } from './tool-glob.js';

describe('isCanonicalName', () => {
  it('accepts printable ASCII names without spaces', () => {
    expect(isCanonicalName('github.create_issue')).toBe(true);
    expect(isCanonicalName('server/tool:v2-beta')).toBe(true);
    expect(isCanonicalName('a'.repeat(256))).toBe(true);
  });

  it.each([
    ['empty', ''],
    ['too long', 'a'.repeat(257)],
    ['trailing space', 'github.create_issue '],
    ['inner space', 'github.create issue'],
    ['fullwidth letters', 'ｇｉｔｈｕｂ.create_issue'],
    ['zero-width space', 'github.create\u200b_issue'],
    ['combining mark', 'github.create_issue\u0301'],
    ['control character', 'github.create_issue\u0007'],
    ['DEL', 'github\u007f'],
  ])('rejects %s', (_label, name) => {
    expect(isCanonicalName(name)).toBe(false);
  });

  it('rejects non-strings', () => {
    expect(isCanonicalName(7)).toBe(false);
    expect(isCanonicalName(null)).toBe(false);
  });
});

describe('compileGlob', () => {
  it('matches exact names only when there is no wildcard', () => {
    const glob = compileGlob('github.create_issue');
    expect(glob.test('github.create_issue')).toBe(true);
    expect(glob.test('github.create_issue2')).toBe(false);
    expect(glob.test('xgithub.create_issue')).toBe(false);
  });

  it('lets * match any run of characters, dots included, or none', () => {
    const glob = compileGlob('github.*');
    expect(glob.test('github.create_issue')).toBe(true);
    expect(glob.test('github.')).toBe(true);
    expect(glob.test('github.sub.tool')).toBe(true);
    expect(glob.test('githubx.tool')).toBe(false);
    expect(compileGlob('*').test('anything.at.all')).toBe(true);
    expect(compileGlob('*_issue').test('github.create_issue')).toBe(true);
    expect(compileGlob('*.delete_*').test('gitlab.delete_project')).toBe(true);
    expect(compileGlob('*.delete_*').test('gitlab.remove_project')).toBe(false);
  });

  it('treats every other character literally, including RegExp syntax', () => {
    expect(compileGlob('a.b').test('axb')).toBe(false);
    expect(compileGlob('a+b').test('aab')).toBe(false);
    expect(compileGlob('a+b').test('a+b')).toBe(true);
    expect(compileGlob('a?').test('ab')).toBe(false);
    expect(compileGlob('[ab]').test('a')).toBe(false);
    expect(compileGlob('(x)|y*').test('y')).toBe(false);
  });

  it('is case-sensitive', () => {
    expect(compileGlob('github.*').test('GitHub.create_issue')).toBe(false);
  });

  it('never matches a non-canonical name, not even with *', () => {
    expect(compileGlob('*').test('github.create_issue ')).toBe(false);
    expect(compileGlob('github.*').test('github.ｃreate')).toBe(false);
    expect(compileGlob('*').test('')).toBe(false);
  });

  it('does not let overlapping pieces match twice', () => {
    expect(compileGlob('ab*ba').test('aba')).toBe(false);
    expect(compileGlob('ab*ba').test('abba')).toBe(true);
    expect(compileGlob('a*a*a').test('aa')).toBe(false);
    expect(compileGlob('a*a*a').test('aaa')).toBe(true);
  });

  it('stays fast for patterns that would backtrack badly in a RegExp', () => {
    const glob = compileGlob(`${'*a'.repeat(40)}*b`);
    const started = performance.now();
    expect(glob.test('a'.repeat(256))).toBe(false);
    expect(performance.now() - started).toBeLessThan(50);
  });

  it('agrees with a reference RegExp on random names', () => {
    const alphabet = fc.constantFrom('a', 'b', '.', '_');
    fc.assert(
      fc.property(
        fc.array(fc.oneof(alphabet, fc.constant('*')), { minLength: 1, maxLength: 8 }).map((parts) => parts.join('')),
        fc.array(alphabet, { minLength: 1, maxLength: 12 }).map((parts) => parts.join('')),
        (pattern, name) => {
          const reference = new RegExp(`^${pattern.replace(/\./g, '\\.').replace(/\*/g, '.*')}$`);
          expect(compileGlob(pattern).test(name)).toBe(reference.test(name));
        },
      ),
      { numRuns: 2000 },
    );
  });

  it('rejects invalid patterns', () => {
    expect(() => compileGlob('github.* ')).toThrow(TypeError);
    expect(() => compileGlob('')).toThrow(TypeError);
    expect(globPatternProblem('ｇ*')).toMatch(/printable ASCII/);
    expect(globPatternProblem('')).toBe('must not be empty');
    expect(globPatternProblem('x'.repeat(300))).toBe('must be at most 256 characters');
    expect(globPatternProblem('ok.*')).toBeNull();
  });
});

describe('matchGlobs', () => {
  it('returns the first matching pattern, or null', () => {
    const globs = compileGlobs(['gpt-4o*', 'claude-*', '*']);
    expect(matchGlobs(globs, 'claude-sonnet-4')).toBe('claude-*');
    expect(matchGlobs(compileGlobs(['gpt-*']), 'claude-sonnet-4')).toBeNull();
    expect(matchGlobs(globs, 'claude-sonnet-4 ')).toBeNull();
  });
});
