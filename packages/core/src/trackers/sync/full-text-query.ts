/**
 * Turns the web-search syntax PostgreSQL's `websearch_to_tsquery` reads
 * (words are ANDed, `"a phrase"`, `or` between two terms, `-word` excludes)
 * into SQLite FTS5 match expressions, so one query string means the same on
 * both dialects. Every word is quoted, so nothing in the input is FTS5 syntax.
 *
 * Differences that remain (documented in the trackers guide): PostgreSQL's
 * `english` configuration stems with Snowball, FTS5's `porter` tokenizer with
 * the original Porter stemmer (they agree on common English endings:
 * `crashes`/`crashing`/`crashed` → `crash`); inside a quoted phrase PostgreSQL
 * skips stop words by position, FTS5 needs them literally.
 */

/** PostgreSQL's English stop words that commonly appear in issue searches; dropped outside phrases, as PostgreSQL drops them. */
const stopWords = new Set(
  (
    'a an and are as at be been but by did do does for from had has have he her his how i if in into is it its me my no not of on or ' +
    'our she so such than that the their them then there these they this those to too was we were what when where which who why will with you your'
  ).split(' '),
);

/** The FTS5 expressions of a web-search query: rows must match `include` (when not null) and must not match `exclude` (when not null). */
export interface Fts5Query {
  include: string | null;
  exclude: string | null;
}

function wordsOf(text: string): string[] {
  return (text.toLowerCase().match(/[\p{L}\p{N}]+/gu) ?? []).slice(0, 32);
}

/**
 * Translates a web-search query to FTS5 match expressions (null parts when
 * the query has no such terms; both null when it has no searchable word).
 *
 * @example
 * ```ts
 * toFts5Query('crash "login page" -android');
 * // { include: '"crash" AND "login page"', exclude: '"android"' }
 * ```
 */
export function toFts5Query(text: string): Fts5Query {
  /** AND of OR-groups of terms. */
  const groups: string[][] = [];
  const excluded: string[] = [];
  let pendingOr = false;
  for (const match of text.slice(0, 1000).matchAll(/(-?)"([^"]*)"?|(\S+)/g)) {
    const negated = match[1] === '-' || (match[3]?.startsWith('-') ?? false);
    const isPhrase = match[2] !== undefined;
    const raw = isPhrase ? match[2]! : match[3]!.replace(/^-+/, '');
    if (!isPhrase && !negated && raw.toLowerCase() === 'or') {
      pendingOr = groups.length > 0;
      continue;
    }
    const words = wordsOf(raw).filter((word) => isPhrase || !stopWords.has(word) || wordsOf(raw).length > 1);
    if (words.length === 0) continue;
    const term = `"${words.join(' ')}"`;
    if (negated) {
      excluded.push(term);
      pendingOr = false;
      continue;
    }
    if (pendingOr) groups[groups.length - 1]!.push(term);
    else groups.push([term]);
    pendingOr = false;
  }
  const include = groups.length ? groups.map((group) => (group.length > 1 ? `(${group.join(' OR ')})` : group[0]!)).join(' AND ') : null;
  return { include, exclude: excluded.length ? excluded.join(' OR ') : null };
}
