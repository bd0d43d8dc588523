/**
 * Indexing a scope's rules once per compiled policy, so a decision tests only
 * the rules that can decide it instead of walking every rule in order.
 *
 * Two filters, both exact (they drop only rules that cannot match):
 * - By tool name: exact patterns in a map, globs grouped by their literal
 *   prefix (the text before the first `*`; `*` alone has the empty prefix and
 *   is a candidate for every name). The rules that match a given name are
 *   computed once and cached per name.
 * - By argument guard: when a rule's condition is a conjunction (`a && b && …`)
 *   one of whose terms is `"literal" in args.path` or `args.path == "literal"`,
 *   the rule is filed under that literal. When the call's `args.path` is a list
 *   of strings (for `in`) or a string (for `==`), only the rules whose literal
 *   it holds stay candidates: for the others that term is false, and in CEL
 *   `false && x` is false even when `x` is an error, so the condition is false
 *   and the rule does not match. Any other value (missing, a number, a map, a
 *   mixed list, an object CEL cannot read such as a class instance or one with
 *   its own `constructor` field) keeps every rule of the group, and CEL decides
 *   as before (an error still denies).
 *
 * Candidates come back in the rules' original order, and the evaluator tests
 * them exactly as it tests every rule without an index (glob, `readOnly`, then
 * the condition), so the first match is the same rule.
 */
import type { CompiledRule } from './compile-policy.js';

/** A term of a rule's condition that can be decided from the arguments alone. */
export interface ConditionGuard {
  /** `in` for `"literal" in args.path`, `==` for `args.path == "literal"` (either side). */
  readonly kind: 'in' | '==';
  /** The field path under `args`, for example `['labels']` for `args.labels`. */
  readonly path: readonly string[];
  /** The string literal. */
  readonly literal: string;
}

/** The rules of one scope indexed for candidate lookup. Build with {@link createRuleIndex}. */
export interface RuleIndex {
  /**
   * The positions (ascending) of the rules that may decide a call of the
   * canonical tool name `name` with `args`: every rule left out cannot match.
   */
  candidates(name: string, args: unknown): readonly number[];
}

/** How many tool names each scope remembers the candidates of (the cache is emptied when full). */
const cachedNamesPerScope = 1024;

interface AstNode {
  op: string;
  args: unknown;
}

function isNode(value: unknown): value is AstNode {
  return typeof value === 'object' && value !== null && typeof (value as AstNode).op === 'string';
}

/** `args.a.b` → `['a', 'b']`; anything else → undefined. */
function argsPath(node: unknown): string[] | undefined {
  if (!isNode(node)) return undefined;
  if (node.op === 'id') return node.args === 'args' ? [] : undefined;
  if (node.op !== '.' || !Array.isArray(node.args)) return undefined;
  const [base, field] = node.args as [unknown, unknown];
  const path = typeof field === 'string' ? argsPath(base) : undefined;
  return path === undefined ? undefined : [...path, field as string];
}

function stringLiteral(node: unknown): string | undefined {
  return isNode(node) && node.op === 'value' && typeof node.args === 'string' ? node.args : undefined;
}

/**
 * The first guard among the top-level `&&` terms of a parsed condition
 * (`@marcbachmann/cel-js` syntax tree), or undefined. Terms inside `||`, `!`,
 * macros or calls are never guards.
 *
 * @example
 * ```ts
 * conditionGuard(parsed.ast); // for "has(args.labels) && 'prod' in args.labels": { kind: 'in', path: ['labels'], literal: 'prod' }
 * ```
 */
export function conditionGuard(ast: unknown): ConditionGuard | undefined {
  if (!isNode(ast) || !Array.isArray(ast.args) || ast.args.length !== 2) return undefined;
  const [left, right] = ast.args as [unknown, unknown];
  if (ast.op === '&&') return conditionGuard(left) ?? conditionGuard(right);
  if (ast.op === 'in') {
    const literal = stringLiteral(left);
    const path = argsPath(right);
    return literal !== undefined && path !== undefined && path.length > 0 ? { kind: 'in', path, literal } : undefined;
  }
  if (ast.op === '==') {
    const literal = stringLiteral(right) ?? stringLiteral(left);
    const path = argsPath(stringLiteral(right) === undefined ? right : left);
    return literal !== undefined && path !== undefined && path.length > 0 ? { kind: '==', path, literal } : undefined;
  }
  return undefined;
}

const undecided = Symbol('undecided');

/**
 * True when `value` has the prototype `expected` (or none, for maps) and no own
 * `constructor` field: CEL reads a value's type from its `constructor`, and
 * fails on anything else, so only such values can be decided here.
 */
function hasPlainType(value: unknown, expected: object): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Object.hasOwn(value, 'constructor')) return false;
  const prototype = Object.getPrototypeOf(value);
  return prototype === expected || (expected === Object.prototype && prototype === null);
}

/** The value at `args.path` when every step is an own field of a plain object, else `undecided`. */
function valueAt(args: unknown, path: readonly string[]): unknown {
  let value = args;
  for (const field of path) {
    if (!hasPlainType(value, Object.prototype) || !Object.hasOwn(value, field)) return undecided;
    value = value[field];
  }
  return value;
}

/** True for a plain array whose every slot holds a string (a hole or any other value: false). */
function isStringList(value: unknown): value is string[] {
  if (!Array.isArray(value) || !hasPlainType(value, Array.prototype)) return false;
  for (let index = 0; index < value.length; index += 1) {
    if (typeof value[index] !== 'string') return false;
  }
  return true;
}

/** Rules of one tool name sharing a guard's kind and path, filed by literal. */
interface GuardGroup {
  readonly kind: 'in' | '==';
  readonly path: readonly string[];
  readonly byLiteral: ReadonlyMap<string, readonly number[]>;
  readonly all: readonly number[];
}

/** The rules matching one tool name: unguarded ones, and guarded ones by group. */
interface NameCandidates {
  readonly open: readonly number[];
  readonly groups: readonly GuardGroup[];
}

function push<K>(map: Map<K, number[]>, key: K, position: number): void {
  const list = map.get(key);
  if (list === undefined) map.set(key, [position]);
  else list.push(position);
}

/** Merges ascending lists into one ascending list without duplicates. */
function mergeAscending(lists: readonly (readonly number[])[]): readonly number[] {
  if (lists.length === 1) return lists[0]!;
  const merged = lists.flat().sort((a, b) => a - b);
  return merged.filter((position, index) => index === 0 || merged[index - 1] !== position);
}

/** A string literal's rules selected by the value at the group's path, or undefined when the value does not decide. */
function selectGroup(group: GuardGroup, value: unknown): (readonly number[])[] | undefined {
  if (group.kind === '==') {
    if (typeof value !== 'string') return undefined;
    const selected = group.byLiteral.get(value);
    return selected === undefined ? [] : [selected];
  }
  if (!isStringList(value)) return undefined;
  const lists: (readonly number[])[] = [];
  for (const entry of new Set(value)) {
    const selected = group.byLiteral.get(entry);
    if (selected !== undefined) lists.push(selected);
  }
  return lists;
}

/**
 * Indexes a scope's rules by tool name and argument guard (see the module
 * notes). The index is built once per compiled policy and is safe to share;
 * it caches the candidates of up to 1,024 tool names.
 *
 * @example
 * ```ts
 * const index = createRuleIndex(scope.rules);
 * for (const position of index.candidates('github.create_issue', args)) test(scope.rules[position]);
 * ```
 */
export function createRuleIndex(rules: readonly CompiledRule[]): RuleIndex {
  const exact = new Map<string, number[]>();
  const byPrefix = new Map<string, number[]>();
  const guards = rules.map((rule) => (rule.condition === undefined ? undefined : conditionGuard(rule.condition.ast)));
  rules.forEach((rule, position) => {
    const star = rule.tool.pattern.indexOf('*');
    if (star === -1) push(exact, rule.tool.pattern, position);
    else push(byPrefix, rule.tool.pattern.slice(0, star), position);
  });
  const prefixLengths = [...new Set([...byPrefix.keys()].map((prefix) => prefix.length))].sort((a, b) => a - b);
  const cache = new Map<string, NameCandidates>();

  function candidatesOf(name: string): NameCandidates {
    const matching = [...(exact.get(name) ?? [])];
    for (const length of prefixLengths) {
      if (length > name.length) break;
      for (const position of byPrefix.get(name.slice(0, length)) ?? []) {
        if (rules[position]!.tool.test(name)) matching.push(position);
      }
    }
    matching.sort((a, b) => a - b);
    const open: number[] = [];
    const groups = new Map<string, { kind: 'in' | '=='; path: readonly string[]; byLiteral: Map<string, number[]>; all: number[] }>();
    for (const position of matching) {
      const guard = guards[position];
      if (guard === undefined) {
        open.push(position);
        continue;
      }
      const key = `${guard.kind}\u0000${guard.path.join('\u0000')}`;
      let group = groups.get(key);
      if (group === undefined) groups.set(key, (group = { kind: guard.kind, path: guard.path, byLiteral: new Map(), all: [] }));
      push(group.byLiteral, guard.literal, position);
      group.all.push(position);
    }
    return { open, groups: [...groups.values()] };
  }

  return Object.freeze({
    candidates(name: string, args: unknown): readonly number[] {
      let entry = cache.get(name);
      if (entry === undefined) {
        if (cache.size >= cachedNamesPerScope) cache.clear();
        entry = candidatesOf(name);
        cache.set(name, entry);
      }
      if (entry.groups.length === 0) return entry.open;
      const lists: (readonly number[])[] = entry.open.length > 0 ? [entry.open] : [];
      for (const group of entry.groups) {
        const value = valueAt(args, group.path);
        const selected = value === undecided ? undefined : selectGroup(group, value);
        if (selected === undefined) lists.push(group.all);
        else lists.push(...selected);
      }
      return lists.length === 0 ? [] : mergeAscending(lists);
    },
  });
}
