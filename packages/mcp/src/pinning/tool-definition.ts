import { createHash } from 'node:crypto';
import { canonicalJson } from '@preloop/core';
import { unifiedLineDiff } from '@preloop/core/internal';

/** An upstream tool definition as `tools/list` returns it (MCP `Tool`). */
export interface ToolDefinition {
  name: string;
  title?: string;
  description?: string;
  inputSchema: Record<string, unknown>;
  outputSchema?: Record<string, unknown>;
  annotations?: Record<string, unknown>;
  [key: string]: unknown;
}

/** One changed leaf between two definitions. */
export interface DefinitionChange {
  /** JSON Pointer of the changed member, for example `/description` or `/inputSchema/properties/to`. */
  path: string;
  /** `added`, `removed` or `changed`. */
  kind: 'added' | 'removed' | 'changed';
  before?: unknown;
  after?: unknown;
}

/** The difference between a pinned definition and the one the upstream now offers. */
export interface DefinitionDiff {
  changes: DefinitionChange[];
  /** A unified diff of the two definitions as pretty canonical JSON. */
  text: string;
}

/** The largest definition accepted, as canonical JSON bytes. */
export const maximumDefinitionBytes = 65_536;

/** The deepest nesting accepted in a definition. */
export const maximumDefinitionDepth = 32;

function depthOf(value: unknown, depth = 0): number {
  if (value === null || typeof value !== 'object') return depth;
  if (depth > maximumDefinitionDepth) return depth;
  let deepest = depth;
  for (const item of Object.values(value as Record<string, unknown>)) deepest = Math.max(deepest, depthOf(item, depth + 1));
  return deepest;
}

/**
 * The part of a definition that is pinned: everything the upstream sends
 * except `_meta` (transient metadata). Name, title, description, input and
 * output schemas, annotations and icons all count, so any change to what the
 * model or the client sees quarantines the tool.
 *
 * @example
 * ```ts
 * pinnedPart({ name: 'echo', description: 'Echo', inputSchema: { type: 'object' }, _meta: { x: 1 } });
 * // { name: 'echo', description: 'Echo', inputSchema: { type: 'object' } }
 * ```
 */
export function pinnedPart(definition: ToolDefinition): ToolDefinition {
  const { _meta: _ignored, ...rest } = definition;
  return JSON.parse(JSON.stringify(rest)) as ToolDefinition;
}

/**
 * Why a definition cannot be accepted at all (too large, too deep, no object
 * input schema), or null.
 *
 * @example
 * ```ts
 * definitionProblem({ name: 'x', inputSchema: { type: 'object' } }); // null
 * ```
 */
export function definitionProblem(definition: ToolDefinition): string | null {
  if (typeof definition?.inputSchema !== 'object' || definition.inputSchema === null || Array.isArray(definition.inputSchema)) {
    return 'inputSchema must be an object';
  }
  if (depthOf(definition) > maximumDefinitionDepth) return `the definition nests deeper than ${maximumDefinitionDepth} levels`;
  const bytes = Buffer.byteLength(canonicalJson(definition));
  if (bytes > maximumDefinitionBytes) return `the definition is ${bytes} bytes, over the ${maximumDefinitionBytes}-byte limit`;
  return null;
}

/**
 * The pin of a definition: hex SHA-256 over the canonical JSON of
 * {@link pinnedPart}. Key order and `_meta` do not matter; every other byte does.
 *
 * @example
 * ```ts
 * hashDefinition({ name: 'echo', description: 'Echo', inputSchema: { type: 'object' } }); // '5d1c…'
 * ```
 */
export function hashDefinition(definition: ToolDefinition): string {
  return createHash('sha256')
    .update(canonicalJson(pinnedPart(definition)))
    .digest('hex');
}

function pointer(path: readonly string[]): string {
  return path.length === 0 ? '' : `/${path.map((part) => part.replace(/~/g, '~0').replace(/\//g, '~1')).join('/')}`;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

function collectChanges(before: unknown, after: unknown, path: string[], out: DefinitionChange[]): void {
  if (out.length >= 200) return;
  if (isPlainObject(before) && isPlainObject(after)) {
    for (const key of [...new Set([...Object.keys(before), ...Object.keys(after)])].sort()) {
      if (!(key in after)) out.push({ path: pointer([...path, key]), kind: 'removed', before: before[key] });
      else if (!(key in before)) out.push({ path: pointer([...path, key]), kind: 'added', after: after[key] });
      else collectChanges(before[key], after[key], [...path, key], out);
    }
    return;
  }
  if (canonicalJson(before) !== canonicalJson(after)) out.push({ path: pointer(path), kind: 'changed', before, after });
}

function prettyLines(definition: ToolDefinition | null): string[] {
  if (definition === null) return [];
  return JSON.stringify(JSON.parse(canonicalJson(pinnedPart(definition))), null, 2).split('\n');
}

/**
 * What changed between the pinned definition and the live one: each changed
 * member (JSON Pointer, before, after) and a unified text diff.
 *
 * @example
 * ```ts
 * diffDefinitions(pinned, live).changes; // [{ path: '/description', kind: 'changed', before: 'Echo', after: 'Echo. Also BCC …' }]
 * ```
 */
export function diffDefinitions(pinned: ToolDefinition | null, live: ToolDefinition): DefinitionDiff {
  const changes: DefinitionChange[] = [];
  collectChanges(pinned === null ? {} : pinnedPart(pinned), pinnedPart(live), [], changes);
  return { changes, text: unifiedLineDiff(prettyLines(pinned), prettyLines(live), { fromLabel: 'pinned', toLabel: 'live' }) };
}
