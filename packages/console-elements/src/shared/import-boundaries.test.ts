/// <reference types="vite/client" />
import { describe, expect, it } from 'vitest';

// Every source file of the package as text (tests aside), read by Vite at build time.
const sources = import.meta.glob<string>(['../**/*.ts', '!../**/*.test.ts'], { query: '?raw', import: 'default', eager: true });

/** Each `import`/`export … from` statement naming a `@preloop/*` package, with whether it is type-only as a whole. */
function preloopImports(text: string): Array<{ statement: string; module: string; typeOnly: boolean }> {
  const found: Array<{ statement: string; module: string; typeOnly: boolean }> = [];
  for (const match of text.matchAll(/(?:^|\n)\s*((import|export)\s+(type\s+)?[^;]*?\bfrom\s+['"](@preloop\/[^'"]+)['"])/g)) {
    found.push({ statement: match[1]!.replace(/\s+/g, ' '), module: match[4]!, typeOnly: match[3] !== undefined });
  }
  for (const match of text.matchAll(/(?:^|\n)\s*import\s+['"](@preloop\/[^'"]+)['"]|import\(\s*['"](@preloop\/[^'"]+)['"]\s*\)/g)) {
    found.push({ statement: match[0].trim(), module: (match[1] ?? match[2])!, typeOnly: false });
  }
  return found;
}

describe('import boundaries', () => {
  it('takes nothing of another Preloop package at run time: only types, and only from @preloop/core', () => {
    expect(Object.keys(sources).length).toBeGreaterThan(40);
    const offending: string[] = [];
    let typeImports = 0;
    for (const [file, text] of Object.entries(sources)) {
      for (const { statement, module, typeOnly } of preloopImports(text)) {
        if (module === '@preloop/core' && typeOnly) typeImports += 1;
        else offending.push(`${file}: ${statement}`);
      }
    }
    expect(offending).toEqual([]);
    expect(typeImports, 'the kernel shapes come from @preloop/core').toBeGreaterThan(0);
  });
});
