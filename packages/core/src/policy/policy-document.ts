/**
 * Reading a policy document: YAML or JSON text (or an already parsed value) in,
 * a validated {@link PolicyDocument} out, or one `VALIDATION_ERROR` that lists
 * every problem with its path and, for text, its line.
 */
import { type Document, isMap, isPair, isScalar, isSeq, LineCounter, parseDocument } from 'yaml';
import type { z } from 'zod';
import { PreloopError } from '../errors.js';
import { findPolicyProblems, formatPolicyPath, type PolicyPath } from './policy-semantics.js';
import { type PolicyDocument, policyDocumentSchema } from './policy-schema.js';

/** The largest policy text accepted, in characters. */
export const maximumPolicyTextLength = 1_000_000;

/** One problem in a policy document, as listed in the `details` of the error. */
export interface PolicyValidationIssue {
  /** Where the problem is, for example `rules[2].condition`; empty for the whole document. */
  path: string;
  /** The path and the reason, for example `rules[2].condition: invalid CEL condition: …`. */
  message: string;
  /** The 1-based line in the YAML or JSON text, when the document came from text. */
  line?: number;
}

/** The text formats a policy can be written in. */
export type PolicyFormat = 'yaml' | 'json';

interface SourceMap {
  document: Document.Parsed;
  lineCounter: LineCounter;
}

/** Finds the line of `path` in the parsed YAML, falling back to the nearest existing ancestor. */
function lineOf(source: SourceMap | undefined, path: PolicyPath): number | undefined {
  if (!source) return undefined;
  let node: unknown = source.document.contents;
  let offset: number | undefined = (node as { range?: [number] } | null)?.range?.[0];
  for (const segment of path) {
    if (isMap(node)) {
      const pair = node.items.find((item) => isPair(item) && isScalar(item.key) && String(item.key.value) === String(segment));
      if (!pair) break;
      offset = (pair.key as { range?: [number] }).range?.[0] ?? offset;
      node = pair.value;
    } else if (isSeq(node) && typeof segment === 'number' && node.items[segment] !== undefined) {
      node = node.items[segment];
      offset = (node as { range?: [number] }).range?.[0] ?? offset;
    } else break;
  }
  return offset === undefined ? undefined : source.lineCounter.linePos(offset).line;
}

function issue(path: PolicyPath, reason: string, source: SourceMap | undefined): PolicyValidationIssue {
  const formatted = formatPolicyPath(path);
  const line = lineOf(source, path);
  return {
    path: formatted,
    message: `${formatted === '' ? '(document)' : formatted}: ${reason}`,
    ...(line === undefined ? {} : { line }),
  };
}

function zodIssues(error: z.ZodError, source: SourceMap | undefined): PolicyValidationIssue[] {
  const issues: PolicyValidationIssue[] = [];
  for (const zodIssue of error.issues) {
    const path = zodIssue.path.filter((segment): segment is string | number => typeof segment !== 'symbol');
    if (zodIssue.code === 'unrecognized_keys') {
      for (const key of zodIssue.keys) issues.push(issue([...path, key], 'unknown key', source));
    } else {
      issues.push(issue(path, zodIssue.message, source));
    }
  }
  return issues;
}

function fail(issues: PolicyValidationIssue[]): never {
  const shown = issues.slice(0, 5).map((entry) => (entry.line === undefined ? entry.message : `${entry.message} (line ${entry.line})`));
  const more = issues.length > 5 ? `; and ${issues.length - 5} more` : '';
  throw new PreloopError(
    'VALIDATION_ERROR',
    `Invalid policy document (${issues.length} problem${issues.length === 1 ? '' : 's'}): ${shown.join('; ')}${more}`,
    { details: issues },
  );
}

function readText(text: string, format: PolicyFormat): { value: unknown; source: SourceMap } {
  if (text.length > maximumPolicyTextLength) {
    fail([{ path: '', message: `(document): longer than ${maximumPolicyTextLength} characters` }]);
  }
  if (format === 'json') {
    try {
      JSON.parse(text);
    } catch (error) {
      const position = /position (\d+)/.exec(String((error as Error).message))?.[1];
      const line = position === undefined ? undefined : text.slice(0, Number(position)).split('\n').length;
      fail([{ path: '', message: `(document): invalid JSON: ${(error as Error).message}`, ...(line === undefined ? {} : { line }) }]);
    }
  }
  const lineCounter = new LineCounter();
  const document = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: true, version: '1.2' });
  const problems = [...document.errors, ...document.warnings];
  if (problems.length > 0) {
    fail(
      problems.map((problem) => {
        const line = problem.linePos?.[0]?.line ?? lineCounter.linePos(problem.pos[0]).line;
        return { path: '', message: `(document): ${format === 'json' ? 'JSON' : 'YAML'} ${problem.message}`, line };
      }),
    );
  }
  let value: unknown;
  try {
    value = document.toJS({ maxAliasCount: 100 });
  } catch (error) {
    fail([{ path: '', message: `(document): ${(error as Error).message}` }]);
  }
  return { value, source: { document, lineCounter } };
}

/**
 * Parses and validates a policy document. Text is read as YAML 1.2 (JSON is
 * YAML, so `format` only makes JSON syntax strict); any other value is taken as
 * an already parsed document. Duplicate keys, unknown keys, out-of-range values,
 * unknown workflows and CEL conditions that do not compile are all reported.
 *
 * Throws `PreloopError('VALIDATION_ERROR')` whose `details` is a
 * {@link PolicyValidationIssue} list, one entry per problem.
 *
 * @example
 * ```ts
 * const policy = parsePolicyDocument(`
 * version: 1
 * defaults: { tools: deny }
 * rules:
 *   - { tool: "github.*", readOnly: true, action: allow }
 * `);
 * policy.rules[0].tool; // 'github.*'
 * ```
 */
export function parsePolicyDocument(text: string | unknown, format: PolicyFormat = 'yaml'): PolicyDocument {
  let value: unknown = text;
  let source: SourceMap | undefined;
  if (typeof text === 'string') ({ value, source } = readText(text, format));
  const parsed = policyDocumentSchema.safeParse(value);
  if (!parsed.success) fail(zodIssues(parsed.error, source));
  const problems = findPolicyProblems(parsed.data);
  if (problems.length > 0) fail(problems.map((problem) => issue(problem.path, problem.message, source)));
  return parsed.data;
}
