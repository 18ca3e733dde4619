import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

type Source = { path: string; text: string };

/** The values a module declares and exports (functions, classes, consts, enums); not types, not re-exports. */
function exportedValues(source: Source): string[] {
  const file = ts.createSourceFile(source.path, source.text, ts.ScriptTarget.Latest);
  const names: string[] = [];
  const bound = (name: ts.BindingName): void => {
    if (ts.isIdentifier(name)) names.push(name.text);
    else for (const element of name.elements) if (!ts.isOmittedExpression(element)) bound(element.name);
  };
  for (const statement of file.statements) {
    if (ts.isExportDeclaration(statement)) {
      // `export { a as b }` of the module's own values; `export { a } from '…'` passes on another module's.
      const local = !statement.moduleSpecifier && !statement.isTypeOnly;
      if (local && statement.exportClause && ts.isNamedExports(statement.exportClause)) {
        for (const element of statement.exportClause.elements) if (!element.isTypeOnly) names.push(element.name.text);
      }
      continue;
    }
    const exported = ts.canHaveModifiers(statement)
      ? ts.getModifiers(statement)?.some((m) => m.kind === ts.SyntaxKind.ExportKeyword)
      : false;
    if (!exported) continue;
    if (ts.isVariableStatement(statement)) for (const d of statement.declarationList.declarations) bound(d.name);
    else if (
      (ts.isFunctionDeclaration(statement) || ts.isClassDeclaration(statement) || ts.isEnumDeclaration(statement)) &&
      statement.name
    ) {
      names.push(statement.name.text);
    }
  }
  return names;
}

/** Each value name exported by more than one of `sources`, with the files that export it. */
function sharedNames(sources: Source[]): string[] {
  const files = new Map<string, string[]>();
  for (const source of sources) {
    for (const name of new Set(exportedValues(source))) files.set(name, [...(files.get(name) ?? []), source.path]);
  }
  return [...files].filter(([, paths]) => paths.length > 1).map(([name, paths]) => `${name}: ${paths.join(', ')}`);
}

const root = fileURLToPath(new URL('../..', import.meta.url));

/** The TypeScript files under `dirs` of the repository, named by their path in it. */
function sourcesUnder(...dirs: string[]): Source[] {
  return dirs.flatMap((dir) =>
    readdirSync(join(root, dir), { recursive: true, encoding: 'utf8' })
      .filter((path) => path.endsWith('.ts') && !path.endsWith('.d.ts'))
      .map((path) => join(dir, path))
      .map((path) => ({ path, text: readFileSync(join(root, path), 'utf8') })),
  );
}

describe('exported names', () => {
  it('no two modules of src/, projections/ or tools/ export a function or const of the same name', () => {
    const sources = sourcesUnder('src', 'projections', 'tools');
    expect(sources.length).toBeGreaterThan(100);
    expect(sharedNames(sources)).toEqual([]);
  });

  it('names a clash and both files that export it: functions, consts, classes, destructured and listed exports', () => {
    const sources = [
      { path: 'src/a.ts', text: 'export function run() {}\nexport const { left, right: [inner] } = pair;' },
      { path: 'src/b.ts', text: 'export const run = () => 1;\nexport class inner {}' },
      { path: 'src/c.ts', text: 'const left = 1;\nexport { left };' },
    ];
    expect(sharedNames(sources)).toEqual([
      'run: src/a.ts, src/b.ts',
      'left: src/a.ts, src/c.ts',
      'inner: src/a.ts, src/b.ts',
    ]);
  });

  it('counts no type, no re-export and nothing a module keeps to itself', () => {
    const sources = [
      { path: 'src/a.ts', text: 'export function run() {}\nexport type Shape = { run: number };' },
      {
        path: 'src/b.ts',
        text: "export type run = number;\nexport { run as again } from './a.js';\nfunction Shape() {}",
      },
      {
        path: 'src/c.ts',
        text: "export { run } from './a.js';\nexport type { Shape } from './a.js';\nconst again = 1;",
      },
    ];
    expect(sharedNames(sources)).toEqual([]);
  });
});
