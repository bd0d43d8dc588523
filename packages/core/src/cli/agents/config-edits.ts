/**
 * The edits `preloop agents onboard` makes to an agent's configuration files,
 * and how `offboard` takes them out again when the user changed the file in
 * between: JSON entries set at a key path (everything else in the file, and
 * the order of its keys, is kept) and TOML blocks between marker comments.
 *
 * TOML is edited as text, not parsed and printed again: no TOML library in the
 * dependencies keeps comments and layout through a round trip (`smol-toml`
 * keeps values only), and a user's `config.toml` is full of comments.
 *
 * @module
 */

import { isDeepStrictEqual } from 'node:util';
import { PreloopError } from '../../errors.js';

/**
 * One JSON entry: `value` at the key path `path` (for example
 * `["env", "ANTHROPIC_BASE_URL"]`), or, with `append`, `value` as one more
 * element of the array at `path` (a hook among the user's hooks).
 */
export interface JsonEntry {
  path: string[];
  value: unknown;
  append?: boolean;
}

/** One TOML block: its lines go at the top of the file (before any table) or at its end. */
export interface TomlBlock {
  position: 'top' | 'end';
  text: string;
}

/**
 * What an adapter wants in one file. A `dotenv` file (Gemini CLI's `.env`) is
 * edited like TOML: lines with `#` comments, so blocks between the same marker comments.
 */
export type ConfigEdit =
  | { format: 'json'; file: string; entries: JsonEntry[] }
  | { format: 'toml' | 'dotenv'; file: string; blocks: TomlBlock[]; conflicts: TomlConflict[] };

/** A line that clashes with Preloop's blocks: anywhere, or only among the top-level keys (before the first table). */
export interface TomlConflict {
  pattern: RegExp;
  topLevel?: boolean;
}

/** The first line of every TOML block Preloop writes. */
export const tomlBlockStart = '# >>> preloop agents onboard: remove with `preloop agents offboard` >>>';
/** The last line of every TOML block Preloop writes. */
export const tomlBlockEnd = '# <<< preloop agents onboard <<<';

type JsonObject = Record<string, unknown>;
const isObject = (value: unknown): value is JsonObject => typeof value === 'object' && value !== null && !Array.isArray(value);

/**
 * Parses a JSON configuration file, naming it when it is not a JSON object.
 *
 * @example
 * ```ts
 * const settings = parseJsonFile('{"env":{}}', '~/.claude/settings.json');
 * ```
 */
export function parseJsonFile(text: string, file: string): JsonObject {
  if (text.trim() === '') return {};
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    throw new PreloopError(
      'VALIDATION_ERROR',
      `${file} is not valid JSON (${(error as Error).message}); fix it or move it away, then run onboard again. Nothing was changed.`,
    );
  }
  if (!isObject(parsed)) throw new PreloopError('VALIDATION_ERROR', `${file} must hold a JSON object; nothing was changed.`);
  return parsed;
}

/** The value at `path`, and whether there is one. */
export function getAt(root: JsonObject, path: string[]): { found: boolean; value?: unknown } {
  let node: unknown = root;
  for (const key of path) {
    if (!isObject(node) || !Object.hasOwn(node, key)) return { found: false };
    node = node[key];
  }
  return { found: true, value: node };
}

/** Sets `value` at `path`, creating objects on the way; an existing key keeps its place. */
export function setAt(root: JsonObject, path: string[], value: unknown, file: string): void {
  let node = root;
  for (const key of path.slice(0, -1)) {
    if (!Object.hasOwn(node, key)) node[key] = {};
    const next = node[key];
    if (!isObject(next))
      throw new PreloopError(
        'CONFLICT',
        `${file}: "${path.join('.')}" cannot be set because "${key}" is not an object; nothing was changed.`,
      );
    node = next;
  }
  node[path.at(-1)!] = value;
}

/** Removes the key at `path`, then every parent it leaves empty that `keepParent` does not keep. */
export function deleteAt(root: JsonObject, path: string[], keepParent: (parent: string[]) => boolean): void {
  const parents: JsonObject[] = [root];
  for (const key of path.slice(0, -1)) {
    const next = parents.at(-1)![key];
    if (!isObject(next)) return;
    parents.push(next);
  }
  delete parents.at(-1)![path.at(-1)!];
  for (let depth = path.length - 1; depth > 0; depth--) {
    if (Object.keys(parents[depth]!).length > 0 || keepParent(path.slice(0, depth))) break;
    delete parents[depth - 1]![path[depth - 1]!];
  }
}

/** The indentation of a JSON text (two spaces for a new file, none for a one-line file), and whether it ends with a newline. */
function jsonStyle(text: string | null): { indent: string; newline: boolean } {
  if (text === null || text.trim() === '') return { indent: '  ', newline: true };
  const indent = /\n([ \t]+)\S/.exec(text)?.[1] ?? '';
  return { indent, newline: text.endsWith('\n') };
}

/**
 * Prints `root` the way `original` was printed (indentation, final newline).
 *
 * @example
 * ```ts
 * const text = printJsonLike({ a: 1 }, '{\n    "a": 0\n}\n');
 * ```
 */
export function printJsonLike(root: JsonObject, original: string | null): string {
  const style = jsonStyle(original);
  return JSON.stringify(root, null, style.indent) + (style.newline ? '\n' : '');
}

/** Whether two JSON values are equal. */
export const sameJson = (a: unknown, b: unknown): boolean => isDeepStrictEqual(a, b);

/** The array at `path` (created empty when missing), for an `append` entry. */
export function arrayAt(root: JsonObject, path: string[], file: string): unknown[] {
  const at = getAt(root, path);
  if (!at.found) setAt(root, path, [], file);
  const array = getAt(root, path).value;
  if (!Array.isArray(array)) throw new PreloopError('CONFLICT', `${file}: "${path.join('.')}" is not an array; nothing was changed.`);
  return array;
}

const escapeRegExp = (text: string): string => text.replace(/[.*+?^${}()|[\]\\`]/g, '\\$&');
const blockPattern = new RegExp(`${escapeRegExp(tomlBlockStart)}\\n[\\s\\S]*?${escapeRegExp(tomlBlockEnd)}(?:\\n|$)`);

/**
 * Takes every Preloop block out of a TOML text (and the blank line that was
 * added before an end block).
 *
 * @example
 * ```ts
 * const original = removeTomlBlocks(readFileSync(file, 'utf8'));
 * ```
 */
export function removeTomlBlocks(text: string): string {
  // A blank line before a block is one onboard added: it goes too.
  return text.replace(new RegExp(`(?:(?<=\\n)\\n)?${blockPattern.source}`, 'g'), '');
}

/**
 * Adds the blocks to a TOML text that has none of ours. A key or table of
 * ours the user already has (`conflicts`) is refused, naming the line.
 *
 * @example
 * ```ts
 * const next = addTomlBlocks(text, [{ position: 'end', text: '[mcp_servers.preloop]\nurl = "…"' }], [], 'config.toml');
 * ```
 */
export function addTomlBlocks(text: string, blocks: TomlBlock[], conflicts: TomlConflict[], file: string): string {
  const all = text.split('\n');
  const firstTable = all.findIndex((line) => /^\s*\[/.test(line));
  const topLevel = firstTable === -1 ? all : all.slice(0, firstTable);
  for (const { pattern, topLevel: onlyTop } of conflicts) {
    const line = (onlyTop ? topLevel : all).find((candidate) => pattern.test(candidate));
    if (line !== undefined)
      throw new PreloopError(
        'CONFLICT',
        `${file} already has \`${line.trim()}\`; remove or rename it (Preloop adds its own), then run onboard again. Nothing was changed.`,
      );
  }
  const wrap = (block: TomlBlock) => `${tomlBlockStart}\n${block.text.replace(/\n+$/, '')}\n${tomlBlockEnd}\n`;
  const top = blocks
    .filter((block) => block.position === 'top')
    .map(wrap)
    .join('');
  const end = blocks
    .filter((block) => block.position === 'end')
    .map(wrap)
    .join('\n');
  let body = text;
  if (end !== '') body = body === '' ? end : `${body}${body.endsWith('\n') ? '' : '\n'}\n${end}`;
  return top + body;
}

/** Lines of a text, without the empty string after its final newline. */
const lines = (text: string): string[] => (text === '' ? [] : text.replace(/\n$/, '').split('\n'));

/**
 * A unified diff of two versions of a file, three lines of context (what
 * `--dry-run` prints). Configuration files are small, so a plain
 * longest-common-subsequence table does.
 *
 * @example
 * ```ts
 * io.out(unifiedDiff('settings.json', before, after));
 * ```
 */
export function unifiedDiff(file: string, before: string | null, after: string | null): string {
  const a = lines(before ?? '');
  const b = lines(after ?? '');
  const lcs = Array.from({ length: a.length + 1 }, () => new Uint32Array(b.length + 1));
  for (let i = a.length - 1; i >= 0; i--)
    for (let j = b.length - 1; j >= 0; j--)
      lcs[i]![j] = a[i] === b[j] ? lcs[i + 1]![j + 1]! + 1 : Math.max(lcs[i + 1]![j]!, lcs[i]![j + 1]!);
  const ops: Array<{ op: ' ' | '-' | '+'; line: string; ai: number; bi: number }> = [];
  let i = 0;
  let j = 0;
  while (i < a.length || j < b.length) {
    if (i < a.length && j < b.length && a[i] === b[j]) ops.push({ op: ' ', line: a[i]!, ai: i++, bi: j++ });
    else if (j < b.length && (i === a.length || lcs[i]![j + 1]! > lcs[i + 1]![j]!)) ops.push({ op: '+', line: b[j]!, ai: i, bi: j++ });
    else ops.push({ op: '-', line: a[i]!, ai: i++, bi: j });
  }
  const out = [`--- ${before === null ? '/dev/null' : `a/${file}`}`, `+++ ${after === null ? '/dev/null' : `b/${file}`}`];
  const changed = ops.map((op, index) => (op.op === ' ' ? -1 : index)).filter((index) => index >= 0);
  let k = 0;
  while (k < changed.length) {
    const start = Math.max(0, changed[k]! - 3);
    let end = Math.min(ops.length, changed[k]! + 4);
    while (k + 1 < changed.length && changed[k + 1]! - 3 <= end) end = Math.min(ops.length, changed[++k]! + 4);
    k++;
    const hunk = ops.slice(start, end);
    const aStart = hunk[0]!.ai;
    const bStart = hunk[0]!.bi;
    const aCount = hunk.filter((op) => op.op !== '+').length;
    const bCount = hunk.filter((op) => op.op !== '-').length;
    out.push(`@@ -${aCount === 0 ? aStart : aStart + 1},${aCount} +${bCount === 0 ? bStart : bStart + 1},${bCount} @@`);
    for (const op of hunk) out.push(`${op.op}${op.line}`);
  }
  return out.join('\n');
}
