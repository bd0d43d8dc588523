/**
 * Glob matching for tool and model names, and the canonical-name rule that keeps
 * look-alike names (fullwidth letters, trailing spaces, control characters) from
 * ever matching a pattern written for an ASCII name.
 *
 * Pattern syntax: `*` matches any run of characters (including none, and including
 * dots, so `github.*` matches every tool of the `github` server and `*` matches
 * everything). Every other character matches itself, case-sensitively. There is no
 * `?`, no character class and no Unicode normalization.
 */

/** The longest tool name, model name or pattern the policy engine accepts. */
export const maximumNameLength = 256;

const canonicalNamePattern = /^[\x21-\x7e]+$/;

/**
 * True when `name` is a canonical tool or model name: 1 to 256 printable ASCII
 * characters with no whitespace. A name that fails this test never matches any
 * policy pattern; registries should refuse to register such names.
 *
 * @example
 * ```ts
 * isCanonicalName('github.create_issue'); // true
 * isCanonicalName('github.create_issue '); // false (trailing space)
 * isCanonicalName('ｇｉｔｈｕｂ.create_issue'); // false (fullwidth)
 * ```
 */
export function isCanonicalName(name: unknown): name is string {
  return typeof name === 'string' && name.length > 0 && name.length <= maximumNameLength && canonicalNamePattern.test(name);
}

/**
 * Why `pattern` is not a valid glob, or null when it is valid. Patterns follow
 * the same character rule as names (see {@link isCanonicalName}).
 *
 * @example
 * ```ts
 * globPatternProblem('github.*'); // null
 * globPatternProblem('github.* '); // 'must be 1-256 printable ASCII characters without spaces'
 * ```
 */
export function globPatternProblem(pattern: string): string | null {
  if (typeof pattern !== 'string') return 'must be a string';
  if (pattern.length > 0 && pattern.length <= maximumNameLength && canonicalNamePattern.test(pattern)) return null;
  if (pattern.length === 0) return 'must not be empty';
  if (pattern.length > maximumNameLength) return `must be at most ${maximumNameLength} characters`;
  return 'must be 1-256 printable ASCII characters without spaces (no whitespace, control or non-ASCII characters)';
}

/** A compiled glob: the pattern as written and a matcher built from it once. */
export interface CompiledGlob {
  /** The glob as written in the policy. */
  readonly pattern: string;
  /** True when `name` matches the whole pattern (case-sensitive). */
  test(name: string): boolean;
}

/**
 * Compiles a glob once. A non-canonical name (see {@link isCanonicalName}) never
 * matches, not even `*`. Matching splits the pattern at `*` and checks the literal
 * pieces left to right (prefix, ordered middle pieces, suffix), which is linear in
 * practice and, unlike a backtracking RegExp, can never be made slow by a pattern
 * such as `*a*a*a*a*b`. Throws a `TypeError` for an invalid pattern.
 *
 * @example
 * ```ts
 * compileGlob('github.*').test('github.create_issue'); // true
 * compileGlob('github.*').test('GitHub.create_issue'); // false
 * ```
 */
export function compileGlob(pattern: string): CompiledGlob {
  const problem = globPatternProblem(pattern);
  if (problem !== null) throw new TypeError(`Invalid glob pattern ${JSON.stringify(pattern)}: ${problem}`);
  const pieces = pattern.split('*');
  const prefix = pieces[0];
  if (pieces.length === 1) {
    return Object.freeze({ pattern, test: (name: string) => name === pattern });
  }
  const suffix = pieces[pieces.length - 1];
  const middle = pieces.slice(1, -1).filter((piece) => piece.length > 0);
  const minimumLength = prefix.length + suffix.length + middle.reduce((sum, piece) => sum + piece.length, 0);
  const test = (name: string): boolean => {
    if (name.length < minimumLength || !isCanonicalName(name)) return false;
    if (!name.startsWith(prefix) || !name.endsWith(suffix)) return false;
    let position = prefix.length;
    const end = name.length - suffix.length;
    for (const piece of middle) {
      const found = name.indexOf(piece, position);
      if (found === -1 || found + piece.length > end) return false;
      position = found + piece.length;
    }
    return true;
  };
  return Object.freeze({ pattern, test });
}

/**
 * Compiles a list of globs once, for repeated matching with {@link matchGlobs}.
 *
 * @example
 * ```ts
 * const globs = compileGlobs(['gpt-4o*', 'claude-*']);
 * matchGlobs(globs, 'claude-sonnet-4'); // 'claude-*'
 * ```
 */
export function compileGlobs(patterns: readonly string[]): readonly CompiledGlob[] {
  return Object.freeze(patterns.map(compileGlob));
}

/**
 * The first glob in `globs` that matches `name`, or null. A non-canonical name
 * matches nothing.
 *
 * @example
 * ```ts
 * matchGlobs(compileGlobs(['github.*']), 'github.list_issues'); // 'github.*'
 * matchGlobs(compileGlobs(['github.*']), 'github.list_issues\u200b'); // null
 * ```
 */
export function matchGlobs(globs: readonly CompiledGlob[], name: string): string | null {
  if (!isCanonicalName(name)) return null;
  for (const glob of globs) {
    if (glob.test(name)) return glob.pattern;
  }
  return null;
}
