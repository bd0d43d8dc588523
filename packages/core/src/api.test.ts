import { readFileSync } from 'node:fs';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';
import { coreRoutes } from './api/routes/index.js';

const source = ts.createSourceFile('api.ts', readFileSync(new URL('./api.ts', import.meta.url), 'utf8'), ts.ScriptTarget.ES2022, true);

describe('@preloop/core/api (types-only entry)', () => {
  it('holds only type imports, type aliases and interfaces', () => {
    const runtime = source.statements.filter(
      (statement) =>
        !(ts.isImportDeclaration(statement) && statement.importClause?.isTypeOnly) &&
        !(ts.isExportDeclaration(statement) && statement.isTypeOnly) &&
        !ts.isTypeAliasDeclaration(statement) &&
        !ts.isInterfaceDeclaration(statement),
    );
    expect(runtime.map((statement) => statement.getText().slice(0, 80))).toEqual([]);
  });

  it('exports nothing at run time', async () => {
    expect(Object.keys(await import('./api.js'))).toEqual([]);
  });

  it('names every core route in CoreRoutes, and no other', () => {
    const map = source.statements.find(
      (statement): statement is ts.InterfaceDeclaration => ts.isInterfaceDeclaration(statement) && statement.name.text === 'CoreRoutes',
    );
    const keys = map!.members.map((member) => (member.name as ts.StringLiteral).text);
    expect(keys.sort()).toEqual(coreRoutes.map((route) => `${route.method} ${route.path}`).sort());
  });
});
