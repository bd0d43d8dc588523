/**
 * The canonical text of a policy document: the form exported, stored and
 * diffed. Keys follow the schema's order, workflows are sorted by name, defaults
 * are filled in, and nothing is folded, so equal policies give equal text.
 */
import { stringify } from 'yaml';
import { parsePolicyDocument } from './policy-document.js';
import type { PolicyDocument } from './policy-schema.js';

function canonical(document: PolicyDocument | string): PolicyDocument {
  const validated = parsePolicyDocument(document);
  const workflows = Object.fromEntries(
    Object.entries(validated.workflows).sort(([left], [right]) => (left < right ? -1 : left > right ? 1 : 0)),
  );
  return { ...validated, workflows };
}

/**
 * Renders a policy document (or policy text) as canonical YAML. The input is
 * validated first (throws `VALIDATION_ERROR` when invalid).
 *
 * @example
 * ```ts
 * toPolicyYaml(defaultPolicy).startsWith('version: 1\n'); // true
 * ```
 */
export function toPolicyYaml(document: PolicyDocument | string): string {
  return stringify(canonical(document), { lineWidth: 0, minContentWidth: 0, aliasDuplicateObjects: false });
}

/**
 * Renders a policy document (or policy text) as canonical, indented JSON.
 *
 * @example
 * ```ts
 * JSON.parse(toPolicyJson(defaultPolicy)).version; // 1
 * ```
 */
export function toPolicyJson(document: PolicyDocument | string): string {
  return `${JSON.stringify(canonical(document), null, 2)}\n`;
}
