/**
 * Namespace tools of the Responses API (Codex sends every tool group this
 * way) on models without namespaces: each function inside a namespace is
 * offered as one flat function, and its calls are given back their
 * `namespace` and inner name on the way out.
 *
 * @module
 */

import type {
  ResponsesFunctionCall,
  ResponsesFunctionTool,
  ResponsesNamespaceTool,
  ResponsesTool,
} from '../wire/openai-responses-types.js';
import { untranslatable } from './shared.js';

/** A flat function name's namespace and name inside it. */
export interface NamespacedName {
  namespace: string;
  name: string;
}

/**
 * The flat function name of `name` inside `namespace`: joined with `__`,
 * or directly when the namespace already ends with `__` (Codex names MCP
 * namespaces `mcp__<server>__`).
 *
 * @example
 * ```ts
 * flatToolName('crm', 'lookup'); // 'crm__lookup'
 * flatToolName('mcp__docs__', 'search'); // 'mcp__docs__search'
 * ```
 */
export function flatToolName(namespace: string, name: string): string {
  return namespace.endsWith('__') ? `${namespace}${name}` : `${namespace}__${name}`;
}

function isNamespace(tool: ResponsesTool): tool is ResponsesNamespaceTool {
  return tool.type === 'namespace';
}

/**
 * Replaces every namespace tool with its functions under flat names, and
 * returns which flat name stands for which namespaced function. A namespace
 * holding anything but functions, or a flat name that collides with another
 * tool, is a 400 naming the tool.
 *
 * @example
 * ```ts
 * const { tools, names } = flattenNamespaceTools([{ type: 'namespace', name: 'crm', description: '', tools: [{ type: 'function', name: 'lookup' }] }]);
 * // tools: [{ type: 'function', name: 'crm__lookup', … }], names: Map { 'crm__lookup' => { namespace: 'crm', name: 'lookup' } }
 * ```
 */
export function flattenNamespaceTools(tools: readonly ResponsesTool[]): { tools: ResponsesTool[]; names: Map<string, NamespacedName> } {
  const names = new Map<string, NamespacedName>();
  if (!tools.some(isNamespace)) return { tools: [...tools], names };
  const flat: ResponsesTool[] = [];
  const taken = new Set(tools.filter((tool) => tool.type === 'function').map((tool) => (tool as ResponsesFunctionTool).name));
  for (const [index, tool] of tools.entries()) {
    if (!isNamespace(tool)) {
      flat.push(tool);
      continue;
    }
    for (const [inner, member] of tool.tools.entries()) {
      if (member.type !== 'function') {
        untranslatable(
          `tools[${index}].tools[${inner}]: tool type "${member.type}" inside namespace "${tool.name}" is not supported by this model; only function tools are.`,
          {
            issues: [{ path: `tools[${index}].tools[${inner}].type`, message: 'only function tools are supported' }],
          },
        );
      }
      const function_ = member as Extract<ResponsesNamespaceTool['tools'][number], { type: 'function' }>;
      const name = flatToolName(tool.name, function_.name);
      if (taken.has(name)) {
        untranslatable(
          `tools[${index}].tools[${inner}]: function "${function_.name}" of namespace "${tool.name}" becomes "${name}" for this model, which another tool already uses.`,
          {
            issues: [{ path: `tools[${index}].tools[${inner}].name`, message: 'collides with another tool once flattened' }],
          },
        );
      }
      taken.add(name);
      names.set(name, { namespace: tool.name, name: function_.name });
      const description = [tool.description, function_.description].filter((text) => typeof text === 'string' && text !== '').join('\n\n');
      flat.push({
        type: 'function',
        name,
        parameters: (function_.parameters as Record<string, unknown> | null | undefined) ?? null,
        strict: function_.strict ?? null,
        ...(description ? { description } : {}),
      } satisfies ResponsesFunctionTool);
    }
  }
  return { tools: flat, names };
}

/**
 * The flat names of the namespaced functions a request offers.
 *
 * @example
 * ```ts
 * const names = namespacedToolNames(request.tools);
 * ```
 */
export function namespacedToolNames(tools: readonly ResponsesTool[] | undefined): Map<string, NamespacedName> {
  const names = new Map<string, NamespacedName>();
  for (const tool of tools ?? []) {
    if (!isNamespace(tool) || !Array.isArray(tool.tools)) continue;
    for (const member of tool.tools)
      if (member?.type === 'function') names.set(flatToolName(tool.name, member.name), { namespace: tool.name, name: member.name });
  }
  return names;
}

/**
 * A function call's fields with its namespace restored: `{ name }` for a
 * plain function, `{ name, namespace }` for a namespaced one.
 *
 * @example
 * ```ts
 * restoreNamespace('crm__lookup', names); // { name: 'lookup', namespace: 'crm' }
 * ```
 */
export function restoreNamespace(
  flatName: string,
  names: ReadonlyMap<string, NamespacedName>,
): Pick<ResponsesFunctionCall, 'name' | 'namespace'> {
  const namespaced = names.get(flatName);
  return namespaced ? { name: namespaced.name, namespace: namespaced.namespace } : { name: flatName };
}
