/**
 * A unified diff of two policies' canonical YAML. The `diff` package is not a
 * dependency, so this holds a small line diff of its own: longest common
 * subsequence over the lines that differ (after trimming the common start and
 * end), in the classic `diff -u` format.
 */
import type { PolicyDocument } from './policy-schema.js';
import { toPolicyYaml } from './policy-yaml.js';

/** Options of {@link diffPolicies}. */
export interface DiffPoliciesOptions {
  /** The name shown on the `---` line. @default 'a' */
  fromLabel?: string;
  /** The name shown on the `+++` line. @default 'b' */
  toLabel?: string;
  /** Unchanged lines shown around each change. @default 3 */
  context?: number;
}

type Operation = { kind: ' ' | '-' | '+'; text: string; from: number; to: number };

/** Above this many table cells the middle is shown as one replacement instead of a minimal diff. */
const maximumTableCells = 4_000_000;

/** The edit script turning `from` into `to`, one operation per line. */
function editScript(from: readonly string[], to: readonly string[]): Operation[] {
  let start = 0;
  while (start < from.length && start < to.length && from[start] === to[start]) start += 1;
  let endFrom = from.length;
  let endTo = to.length;
  while (endFrom > start && endTo > start && from[endFrom - 1] === to[endTo - 1]) {
    endFrom -= 1;
    endTo -= 1;
  }
  const operations: Operation[] = [];
  for (let index = 0; index < start; index += 1) operations.push({ kind: ' ', text: from[index], from: index, to: index });
  const rows = endFrom - start;
  const columns = endTo - start;
  if (rows * columns > maximumTableCells) {
    for (let index = start; index < endFrom; index += 1) operations.push({ kind: '-', text: from[index], from: index, to: start });
    for (let index = start; index < endTo; index += 1) operations.push({ kind: '+', text: to[index], from: endFrom, to: index });
  } else {
    // lengths[i][j] = LCS length of from[start+i..endFrom) and to[start+j..endTo).
    const width = columns + 1;
    const lengths = new Uint32Array((rows + 1) * width);
    for (let i = rows - 1; i >= 0; i -= 1) {
      for (let j = columns - 1; j >= 0; j -= 1) {
        lengths[i * width + j] =
          from[start + i] === to[start + j]
            ? lengths[(i + 1) * width + j + 1] + 1
            : Math.max(lengths[(i + 1) * width + j], lengths[i * width + j + 1]);
      }
    }
    let i = 0;
    let j = 0;
    while (i < rows || j < columns) {
      if (i < rows && j < columns && from[start + i] === to[start + j]) {
        operations.push({ kind: ' ', text: from[start + i], from: start + i, to: start + j });
        i += 1;
        j += 1;
      } else if (i < rows && (j === columns || lengths[(i + 1) * width + j] >= lengths[i * width + j + 1])) {
        operations.push({ kind: '-', text: from[start + i], from: start + i, to: start + j });
        i += 1;
      } else {
        operations.push({ kind: '+', text: to[start + j], from: start + i, to: start + j });
        j += 1;
      }
    }
  }
  for (let offset = 0; offset < from.length - endFrom; offset += 1) {
    operations.push({ kind: ' ', text: from[endFrom + offset], from: endFrom + offset, to: endTo + offset });
  }
  return operations;
}

function range(start: number, length: number): string {
  const first = length === 0 ? start : start + 1;
  return length === 1 ? `${first}` : `${first},${length}`;
}

/**
 * Renders the unified diff of two line lists; empty when they are equal.
 *
 * @example
 * ```ts
 * unifiedLineDiff(['a', 'b'], ['a', 'c'], { context: 1 }); // '--- a\n+++ b\n@@ -1,2 +1,2 @@\n a\n-b\n+c\n'
 * ```
 */
export function unifiedLineDiff(from: readonly string[], to: readonly string[], options: DiffPoliciesOptions = {}): string {
  const context = Math.max(0, Math.floor(options.context ?? 3));
  const operations = editScript(from, to);
  const changed = operations.flatMap((operation, index) => (operation.kind === ' ' ? [] : [index]));
  if (changed.length === 0) return '';
  let output = `--- ${options.fromLabel ?? 'a'}\n+++ ${options.toLabel ?? 'b'}\n`;
  let cursor = 0;
  while (cursor < changed.length) {
    let last = cursor;
    while (last + 1 < changed.length && changed[last + 1] - changed[last] <= 2 * context + 1) last += 1;
    const first = Math.max(0, changed[cursor] - context);
    const end = Math.min(operations.length - 1, changed[last] + context);
    const hunk = operations.slice(first, end + 1);
    const fromLength = hunk.filter((operation) => operation.kind !== '+').length;
    const toLength = hunk.filter((operation) => operation.kind !== '-').length;
    output += `@@ -${range(hunk[0].from, fromLength)} +${range(hunk[0].to, toLength)} @@\n`;
    for (const operation of hunk) output += `${operation.kind}${operation.text}\n`;
    cursor = last + 1;
  }
  return output;
}

function lines(text: string): string[] {
  const trimmed = text.endsWith('\n') ? text.slice(0, -1) : text;
  return trimmed === '' ? [] : trimmed.split('\n');
}

/**
 * The unified diff between the canonical YAML of two policies (documents or
 * policy text, validated first); an empty string when they are equivalent.
 *
 * @example
 * ```ts
 * console.log(diffPolicies(currentDocument, proposedDocument, { fromLabel: 'v3', toLabel: 'v4' }));
 * ```
 */
export function diffPolicies(from: PolicyDocument | string, to: PolicyDocument | string, options: DiffPoliciesOptions = {}): string {
  return unifiedLineDiff(lines(toPolicyYaml(from)), lines(toPolicyYaml(to)), options);
}
