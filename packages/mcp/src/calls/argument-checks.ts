import { AjvJsonSchemaValidator } from '@modelcontextprotocol/sdk/validation/ajv';
import type { Logger } from '@preloop/core';
import type { CatalogTool } from './tool-types.js';

/** The deepest nesting accepted in tool arguments. */
export const maximumArgumentDepth = 64;

/**
 * Why `args` is not acceptable as tool arguments at all (not a plain object,
 * or nested deeper than {@link maximumArgumentDepth}), or null. Iterative, so
 * hostile nesting cannot exhaust the stack.
 *
 * @example
 * ```ts
 * argumentShapeProblem({ a: [1, { b: 2 }] }); // null
 * argumentShapeProblem([1, 2]); // 'arguments must be a JSON object'
 * ```
 */
export function argumentShapeProblem(args: unknown): string | null {
  if (args === null || typeof args !== 'object' || Array.isArray(args)) return 'arguments must be a JSON object';
  const stack: Array<[unknown, number]> = [[args, 1]];
  let visited = 0;
  while (stack.length > 0) {
    const [value, depth] = stack.pop()!;
    if (value === null || typeof value !== 'object') continue;
    if (depth > maximumArgumentDepth) return `arguments nest deeper than ${maximumArgumentDepth} levels`;
    if (++visited > 200_000) return 'arguments hold too many values';
    for (const item of Object.values(value as Record<string, unknown>)) stack.push([item, depth + 1]);
  }
  return null;
}

/** Validates arguments against a tool's input schema. */
export interface ArgumentValidator {
  /** The validation message when `args` do not match the tool's input schema, else null. */
  validate(tool: CatalogTool, args: Record<string, unknown>): string | null;
}

/**
 * Creates the validator (Ajv, as the MCP SDK configures it). Each schema is
 * compiled once; a schema Ajv cannot compile is not enforced here (the tool
 * itself still validates) and is logged once.
 *
 * @example
 * ```ts
 * const validator = createArgumentValidator(logger);
 * validator.validate(tool, { to: 'a@example.com' }); // null when valid
 * ```
 */
export function createArgumentValidator(logger: Logger): ArgumentValidator {
  const ajv = new AjvJsonSchemaValidator();
  const compiled = new Map<string, ((input: unknown) => { valid: boolean; errorMessage?: string }) | null>();
  return {
    validate(tool, args) {
      const key = `${tool.name}\u0000${tool.definitionHash ?? tool.source}`;
      let check = compiled.get(key);
      if (check === undefined) {
        try {
          check = ajv.getValidator(tool.listing.inputSchema as never) as (input: unknown) => { valid: boolean; errorMessage?: string };
        } catch (error) {
          logger.warn(`mcp: the input schema of "${tool.name}" cannot be compiled; arguments are not checked here`, { error });
          check = null;
        }
        if (compiled.size > 5000) compiled.clear();
        compiled.set(key, check);
      }
      if (check === null) return null;
      const result = check(args);
      return result.valid ? null : (result.errorMessage ?? 'arguments do not match the input schema');
    },
  };
}
