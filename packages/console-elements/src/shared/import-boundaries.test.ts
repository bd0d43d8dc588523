/// <reference types="vite/client" />
import { describe, expect, it } from 'vitest';

/**
 * The rule of ARCHITECTURE.md: the console talks HTTP to the admin API and
 * imports *types only* from the server packages (`@preloop/core` and each
 * package's `./api` entry), so no server code reaches the browser. This reads
 * every source file of the package (Vite's raw glob import) and names each
 * import of another `@preloop/*` package that is not `import type` /
 * `export type` (an `import { type X }` still loads the module, so it counts).
 */

/** The `@preloop/*` imports in `source` that load code at run time (the console's own package excepted). */
function runtimeServerImports(source: string): string[] {
  const code = source.replace(/\/\*[\s\S]*?\*\//g, '').replace(/^\s*\/\/.*$/gm, '');
  const found: string[] = [];
  for (const match of code.matchAll(/\b(import|export)\s+(type\s+)?([^;'"]*?)\s*from\s*['"](@preloop\/[^'"]+)['"]/g)) {
    const [statement, , typeOnly, , specifier] = match;
    if (!typeOnly && !specifier!.startsWith('@preloop/console-elements')) found.push(statement!.replace(/\s+/g, ' '));
  }
  for (const match of code.matchAll(/\bimport\s*(?:\(\s*)?['"](@preloop\/[^'"]+)['"]/g)) {
    if (!match[1]!.startsWith('@preloop/console-elements')) found.push(match[0].replace(/\s+/g, ' '));
  }
  return found;
}

const sources = import.meta.glob<string>(['../**/*.ts', '!../**/*.test.ts'], { query: '?raw', import: 'default', eager: true });

describe('import boundaries', () => {
  it('finds a run-time import of a server package, and lets type-only ones through', () => {
    expect(runtimeServerImports(`import { createPreloop } from '@preloop/core';`)).toHaveLength(1);
    expect(runtimeServerImports(`import {\n  type User,\n  type Agent,\n} from '@preloop/core/api';`)).toHaveLength(1);
    expect(runtimeServerImports(`export { approvalsPlugin } from "@preloop/approvals";`)).toHaveLength(1);
    expect(runtimeServerImports(`import '@preloop/gateway';`)).toHaveLength(1);
    expect(runtimeServerImports(`const mcp = await import('@preloop/mcp');`)).toHaveLength(1);
    expect(
      runtimeServerImports(
        `import type { User } from '@preloop/core/api';\nexport type { McpServer } from '@preloop/mcp/api';\nexport type * from '@preloop/gateway/api';`,
      ),
    ).toEqual([]);
    expect(runtimeServerImports(`/** @example\n * import { createPreloop } from '@preloop/core';\n */`)).toEqual([]);
  });

  it('the console imports nothing of the server packages but types', () => {
    expect(Object.keys(sources).length).toBeGreaterThan(40);
    const offending = Object.entries(sources).flatMap(([file, source]) =>
      runtimeServerImports(source).map((statement) => `${file}: ${statement}`),
    );
    expect(offending).toEqual([]);
  });

  it('the console’s types of the admin API come from the servers’ `./api` entries, not from copies', () => {
    const copies = Object.keys(sources).filter((file) => /\/(approval|mcp|gateway)-types\.ts$/.test(file));
    expect(copies).toEqual([]);
    const apiTypes = sources['../client/api-types.ts']!;
    for (const entry of ['@preloop/core/api', '@preloop/approvals/api', '@preloop/mcp/api', '@preloop/gateway/api'])
      expect(apiTypes).toContain(`from '${entry}'`);
    expect(apiTypes).not.toMatch(/^export interface /m);
  });
});
