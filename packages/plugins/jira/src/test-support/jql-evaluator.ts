/**
 * The stub's JQL: a parser and evaluator for the subset the tracker uses
 * (`AND`, `OR`, `NOT`, parentheses, `=`, `!=`, `~`, `>=`, `<=`, `>`, `<`,
 * `IS EMPTY`, `ORDER BY`), strict as Jira is: an unknown field, a bad operator
 * or an invalid text query is a 400 with Jira's `errorMessages`. A value that
 * escaped its quotes would show up here as extra clauses.
 */

/** What a JQL clause is evaluated against. */
export interface JqlSubject {
  key: string;
  project: string;
  text: string;
  summary: string;
  statusCategory: string;
  status: string;
  labels: string[];
  assignee: string | null;
  updated: number;
  created: number;
}

/** A parse or evaluation problem, answered as Jira does (400, `errorMessages`). */
export class JqlError extends Error {}

type Token = { kind: 'string' | 'word' | 'op' | 'paren' | 'comma'; value: string };
type Node =
  | { kind: 'and'; left: Node; right: Node }
  | { kind: 'or'; left: Node; right: Node }
  | { kind: 'not'; operand: Node }
  | { kind: 'clause'; field: string; op: string; value: string | null };

const luceneSpecial = '+-&|!(){}[]^"~*?:\\/';

function tokenize(jql: string): Token[] {
  const tokens: Token[] = [];
  let index = 0;
  while (index < jql.length) {
    const char = jql[index]!;
    if (/\s/.test(char)) index += 1;
    else if (char === '"' || char === "'") {
      let value = '';
      index += 1;
      while (index < jql.length && jql[index] !== char) {
        if (jql[index] === '\\') {
          const next = jql[index + 1];
          if (next === undefined) throw new JqlError('Error in the JQL Query: unterminated string.');
          value += next === 'n' ? '\n' : next === 't' ? '\t' : next === char || next === '\\' ? next : `\\${next}`;
          index += 2;
        } else value += jql[index++];
      }
      if (jql[index] !== char) throw new JqlError(`Error in the JQL Query: The quoted string '${value}' has not been completed.`);
      index += 1;
      tokens.push({ kind: 'string', value });
    } else if (char === '(' || char === ')') {
      tokens.push({ kind: 'paren', value: char });
      index += 1;
    } else if (char === ',') {
      tokens.push({ kind: 'comma', value: char });
      index += 1;
    } else {
      const op = /^(!=|>=|<=|!~|=|~|>|<)/.exec(jql.slice(index));
      if (op) {
        tokens.push({ kind: 'op', value: op[0] });
        index += op[0].length;
      } else {
        const word = /^[A-Za-z0-9_.\-/:]+/.exec(jql.slice(index));
        if (!word) throw new JqlError(`Error in the JQL Query: The character '${char}' is a reserved JQL character.`);
        tokens.push({ kind: 'word', value: word[0] });
        index += word[0].length;
      }
    }
  }
  return tokens;
}

const fields = new Set(['project', 'text', 'summary', 'statuscategory', 'status', 'labels', 'assignee', 'updated', 'created', 'key']);

/** Parses JQL into a filter and an order. */
export function parseJql(jql: string): { where: Node | null; orderBy: Array<{ field: string; direction: 1 | -1 }> } {
  const tokens = tokenize(jql);
  let position = 0;
  const peek = () => tokens[position];
  const isWord = (value: string) => peek()?.kind === 'word' && peek()!.value.toUpperCase() === value;
  const expect = (value: string) => {
    if (!isWord(value)) throw new JqlError(`Error in the JQL Query: Expecting '${value}' but got '${peek()?.value ?? 'end of query'}'.`);
    position += 1;
  };

  function clause(): Node {
    const token = peek();
    if (token?.kind === 'paren' && token.value === '(') {
      position += 1;
      const inner = or();
      if (peek()?.value !== ')') throw new JqlError("Error in the JQL Query: Expecting ')'.");
      position += 1;
      return inner;
    }
    if (isWord('NOT')) {
      position += 1;
      return { kind: 'not', operand: clause() };
    }
    if (token?.kind !== 'word')
      throw new JqlError(`Error in the JQL Query: Expecting a field name but got '${token?.value ?? 'end of query'}'.`);
    const field = token.value.toLowerCase();
    if (!fields.has(field)) throw new JqlError(`Field '${token.value}' does not exist or you do not have permission to view it.`);
    position += 1;
    if (isWord('IS')) {
      position += 1;
      const negated = isWord('NOT');
      if (negated) position += 1;
      expect('EMPTY');
      return { kind: 'clause', field, op: negated ? 'is not' : 'is', value: null };
    }
    const op = peek();
    if (op?.kind !== 'op') throw new JqlError(`Error in the JQL Query: Expecting operator but got '${op?.value ?? 'end of query'}'.`);
    position += 1;
    const value = peek();
    if (value?.kind !== 'string' && value?.kind !== 'word')
      throw new JqlError(`Error in the JQL Query: Expecting either a value, list or function but got '${value?.value ?? 'end of query'}'.`);
    position += 1;
    return { kind: 'clause', field, op: op.value, value: value.value };
  }
  function and(): Node {
    let left = clause();
    while (isWord('AND')) {
      position += 1;
      left = { kind: 'and', left, right: clause() };
    }
    return left;
  }
  function or(): Node {
    let left = and();
    while (isWord('OR')) {
      position += 1;
      left = { kind: 'or', left, right: and() };
    }
    return left;
  }

  const where = peek() && !isWord('ORDER') ? or() : null;
  const orderBy: Array<{ field: string; direction: 1 | -1 }> = [];
  if (isWord('ORDER')) {
    position += 1;
    expect('BY');
    do {
      if (peek()?.kind === 'comma') position += 1;
      const field = peek();
      if (field?.kind !== 'word' || !fields.has(field.value.toLowerCase()))
        throw new JqlError(`Field '${field?.value}' does not exist or you do not have permission to view it.`);
      position += 1;
      let direction: 1 | -1 = 1;
      if (isWord('ASC') || isWord('DESC')) direction = tokens[position++]!.value.toUpperCase() === 'DESC' ? -1 : 1;
      orderBy.push({ field: field.value.toLowerCase(), direction });
    } while (peek()?.kind === 'comma');
  }
  if (position < tokens.length) throw new JqlError(`Error in the JQL Query: Expecting end of query but got '${peek()!.value}'.`);
  return { where, orderBy };
}

/** The words of a text query, with Lucene's escapes read; an unescaped special character is an invalid query, as in Jira. */
function textWords(query: string): string[] {
  let literal = '';
  for (let index = 0; index < query.length; index += 1) {
    const char = query[index]!;
    if (char === '\\') {
      literal += query[index + 1] ?? '';
      index += 1;
    } else if (luceneSpecial.includes(char))
      throw new JqlError(`The text query '${query}' for field 'text' is not valid: probably your query contains invalid characters.`);
    else literal += char;
  }
  if (/\b(AND|OR|NOT)\b/.test(literal))
    throw new JqlError(`The text query '${query}' for field 'text' is not valid: it has boolean operators.`);
  return literal.toLowerCase().split(/\s+/).filter(Boolean);
}

/** A JQL date (`yyyy/MM/dd HH:mm`, `yyyy-MM-dd`…) in the user's time zone, as epoch ms. */
export function jqlDateToEpoch(value: string, timeZone: string): number {
  const match = /^(\d{4})[/-](\d{2})[/-](\d{2})(?: (\d{2}):(\d{2}))?$/.exec(value);
  if (!match)
    throw new JqlError(
      `Date value '${value}' for field 'updated' is invalid. Valid formats include: 'yyyy/MM/dd HH:mm', 'yyyy-MM-dd HH:mm', 'yyyy/MM/dd', 'yyyy-MM-dd'.`,
    );
  const [, year, month, day, hour = '00', minute = '00'] = match;
  const asUtc = Date.UTC(Number(year), Number(month) - 1, Number(day), Number(hour), Number(minute));
  const offsetAt = (epoch: number) => {
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
        .formatToParts(new Date(epoch))
        .map((part) => [part.type, part.value]),
    );
    return Date.UTC(Number(parts.year), Number(parts.month) - 1, Number(parts.day), Number(parts.hour), Number(parts.minute)) - epoch;
  };
  return asUtc - offsetAt(asUtc - offsetAt(asUtc));
}

/** True when `subject` matches the parsed filter. */
export function matchesJql(node: Node | null, subject: JqlSubject, timeZone: string): boolean {
  if (node === null) return true;
  if (node.kind === 'and' || node.kind === 'or') {
    const left = matchesJql(node.left, subject, timeZone);
    return node.kind === 'and' ? left && matchesJql(node.right, subject, timeZone) : left || matchesJql(node.right, subject, timeZone);
  }
  if (node.kind === 'not') return !matchesJql(node.operand, subject, timeZone);
  const { field, op, value } = node;
  if (op === 'is' || op === 'is not') {
    const empty = field === 'assignee' ? subject.assignee === null : field === 'labels' ? subject.labels.length === 0 : false;
    return op === 'is' ? empty : !empty;
  }
  const text = value!;
  if (op === '~' || op === '!~') {
    if (field !== 'text' && field !== 'summary') throw new JqlError(`The operator '${op}' is not supported by the '${field}' field.`);
    const haystack = (field === 'text' ? subject.text : subject.summary).toLowerCase();
    const found = textWords(text).every((word) => haystack.includes(word));
    return op === '~' ? found : !found;
  }
  if (field === 'updated' || field === 'created') {
    const time = jqlDateToEpoch(text, timeZone);
    const actual = field === 'updated' ? subject.updated : subject.created;
    return op === '>='
      ? actual >= time
      : op === '<='
        ? actual <= time
        : op === '>'
          ? actual > time
          : op === '<'
            ? actual < time
            : op === '='
              ? actual === time
              : actual !== time;
  }
  if (op !== '=' && op !== '!=') throw new JqlError(`The operator '${op}' is not supported by the '${field}' field.`);
  const equal = (() => {
    switch (field) {
      case 'project':
        return subject.project.toLowerCase() === text.toLowerCase();
      case 'key':
        return subject.key.toLowerCase() === text.toLowerCase();
      case 'statuscategory':
        return subject.statusCategory.toLowerCase() === text.toLowerCase();
      case 'status':
        return subject.status.toLowerCase() === text.toLowerCase();
      case 'labels':
        return subject.labels.includes(text);
      case 'assignee':
        return subject.assignee === text;
      default:
        throw new JqlError(`The operator '${op}' is not supported by the '${field}' field.`);
    }
  })();
  return op === '=' ? equal : !equal;
}

/** Sorts subjects by an `ORDER BY`. */
export function compareByOrder(orderBy: Array<{ field: string; direction: 1 | -1 }>) {
  return (a: JqlSubject, b: JqlSubject) => {
    for (const { field, direction } of orderBy) {
      const key = (subject: JqlSubject) =>
        field === 'key' ? Number(subject.key.split('-')[1]) : field === 'created' ? subject.created : subject.updated;
      const difference = key(a) - key(b);
      if (difference !== 0) return direction * difference;
    }
    return 0;
  };
}
