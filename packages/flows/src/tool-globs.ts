const compiled = new Map<string, RegExp>();

/** A glob (`*` matches any run of characters, including dots) as an anchored regular expression. */
function toRegExp(pattern: string): RegExp {
  let regexp = compiled.get(pattern);
  if (!regexp) {
    regexp = new RegExp(
      `^${pattern
        .split('*')
        .map((part) => part.replace(/[.+?^${}()|[\]\\/-]/g, '\\$&'))
        .join('.*')}$`,
    );
    if (compiled.size > 1000) compiled.clear();
    compiled.set(pattern, regexp);
  }
  return regexp;
}

/**
 * True when `name` matches one of the tool globs (`github.*`, `up.send_email`, `*`).
 *
 * @example
 * ```ts
 * globMatches(['github.*'], 'github.create_issue'); // true
 * ```
 */
export function globMatches(patterns: readonly string[], name: string): boolean {
  return patterns.some((pattern) => toRegExp(pattern).test(name));
}
