/**
 * JQL built from the tracker contract's queries, with every user-given value
 * quoted and escaped so no text can add a clause.
 *
 * @module
 */
import type { TrackerSearchQuery } from '@preloop/core';

/**
 * A JQL string literal: double quotes around the value, its backslashes and
 * double quotes escaped (`a "b"` → `"a \"b\""`). Anything inside is a value,
 * never JQL (`OR`, `=`, `)`, `ORDER BY` included).
 *
 * @example
 * ```ts
 * jqlString('x" OR project = SECRET'); // '"x\\" OR project = SECRET"'
 * ```
 */
export function jqlString(value: string): string {
  return `"${value.replace(/[\\"]/g, '\\$&').replace(/[\n\r\t]/g, ' ')}"`;
}

/** Characters with a meaning in Jira's text search (Lucene syntax) inside a `~` value. */
const luceneSpecial = /[+\-&|!(){}[\]^"~*?:\\/]/g;

/**
 * The JQL literal for a free-text search (`text ~ …`): Lucene's special
 * characters escaped and the words `AND`, `OR`, `NOT` lowercased (Jira's text
 * search reads them as operators; it is case-insensitive anyway), so the text
 * is searched for as words, then quoted with {@link jqlString}.
 *
 * @example
 * ```ts
 * jqlTextTerm('crash AND "null"'); // '"crash and \\\\\\"null\\\\\\""'
 * ```
 */
export function jqlTextTerm(text: string): string {
  const words = text.replace(/\b(AND|OR|NOT)\b/g, (word) => word.toLowerCase()).replace(luceneSpecial, '\\$&');
  return jqlString(words);
}

/** The user's local time as JQL writes it (`yyyy/MM/dd HH:mm`), in `timeZone` (Jira reads JQL dates in the searching user's zone). */
export function jqlDate(epochMs: number, timeZone: string): string {
  const parts = Object.fromEntries(
    new Intl.DateTimeFormat('en-CA', {
      timeZone,
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      hourCycle: 'h23',
    })
      .formatToParts(new Date(epochMs))
      .map((part) => [part.type, part.value]),
  );
  return `${parts.year}/${parts.month}/${parts.day} ${parts.hour}:${parts.minute}`;
}

/**
 * The JQL of a search: project, free text, state (status category), labels
 * and assignee, newest update first.
 *
 * @example
 * ```ts
 * searchJql({ project: 'OPS', text: 'login', labels: ['bug'] });
 * // 'project = "OPS" AND text ~ "login" AND statusCategory != Done AND labels = "bug" ORDER BY updated DESC'
 * ```
 */
export function searchJql(query: TrackerSearchQuery): string {
  const clauses: string[] = [];
  if (query.project) clauses.push(`project = ${jqlString(query.project)}`);
  if (query.text?.trim()) clauses.push(`text ~ ${jqlTextTerm(query.text.trim())}`);
  const state = query.state ?? 'open';
  if (state === 'open') clauses.push('statusCategory != Done');
  if (state === 'closed') clauses.push('statusCategory = Done');
  for (const label of query.labels ?? []) clauses.push(`labels = ${jqlString(label)}`);
  if (query.assignee) clauses.push(`assignee = ${jqlString(query.assignee)}`);
  return `${clauses.join(' AND ')} ORDER BY updated DESC`;
}

/**
 * The JQL of a sync listing: one project, updated at or after a time (to the
 * minute, in the user's zone: a few issues may come again, none is missed),
 * oldest update first.
 *
 * @example
 * ```ts
 * listJql('OPS', Date.UTC(2026, 0, 5, 9, 30), 'Europe/Berlin');
 * // 'project = "OPS" AND updated >= "2026/01/05 10:30" ORDER BY updated ASC, key ASC'
 * ```
 */
export function listJql(project: string, updatedSince: number | undefined, timeZone: string): string {
  const since = updatedSince === undefined ? '' : ` AND updated >= ${jqlString(jqlDate(updatedSince, timeZone))}`;
  return `project = ${jqlString(project)}${since} ORDER BY updated ASC, key ASC`;
}
