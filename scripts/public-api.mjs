#!/usr/bin/env node
// `node scripts/public-api.mjs [--write]`: lists what `@sentry-git/core` exports from its main
// entry (packages/core/src/index.ts), one `value <name>` or `type <name>` a line, and compares it
// with the committed packages/core/public-api.txt (--write updates the file). The main entry is
// the API covered by semver: a name added there is a decision, taken in review with the file's
// diff, not a side effect of an `export *`. Helpers for our own packages go to
// src/internal.ts (`@sentry-git/core/internal`). packages/core/test/public-api.test.ts runs the check.
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
export const ENTRY = path.join(root, 'packages/core/src/index.ts');
export const LIST_PATH = path.join(root, 'packages/core/public-api.txt');
export const REGENERATE_COMMAND = 'node scripts/public-api.mjs --write';

/** True when the export (or the export declaration it comes through) is `export type`. */
function typeOnly(symbol) {
  return (symbol.declarations ?? []).some((declaration) => ts.isTypeOnlyExportDeclaration(declaration));
}

/** The entry's exports, sorted by name: `value <name>` for what exists at run time, `type <name>` otherwise. */
export function listExports(entry = ENTRY) {
  const program = ts.createProgram([entry], {
    module: ts.ModuleKind.NodeNext,
    moduleResolution: ts.ModuleResolutionKind.NodeNext,
    target: ts.ScriptTarget.ES2023,
    strict: true,
    skipLibCheck: true,
    noEmit: true,
    types: ['node'],
    customConditions: ['@sentry-git/source'],
  });
  const checker = program.getTypeChecker();
  const module = checker.getSymbolAtLocation(program.getSourceFile(entry));
  return checker
    .getExportsOfModule(module)
    .map((symbol) => {
      const target = symbol.flags & ts.SymbolFlags.Alias ? checker.getAliasedSymbol(symbol) : symbol;
      const value = (target.flags & ts.SymbolFlags.Value) !== 0 && !typeOnly(symbol);
      return { name: symbol.name, kind: value ? 'value' : 'type' };
    })
    .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}

export function renderList(exports) {
  return `${exports.map(({ kind, name }) => `${kind} ${name}`).join('\n')}\n`;
}

export function readList() {
  return readFileSync(LIST_PATH, 'utf8');
}

function main() {
  const current = renderList(listExports());
  if (process.argv.includes('--write')) {
    writeFileSync(LIST_PATH, current);
    console.log(`${path.relative(root, LIST_PATH)}: ${current.trim().split('\n').length} exports.`);
    return;
  }
  const committed = readList().split('\n').filter(Boolean);
  const now = current.split('\n').filter(Boolean);
  const added = now.filter((line) => !committed.includes(line));
  const removed = committed.filter((line) => !now.includes(line));
  if (added.length === 0 && removed.length === 0) {
    console.log(`@sentry-git/core: ${now.length} exports, as listed in ${path.relative(root, LIST_PATH)}.`);
    return;
  }
  console.error(
    `E_PUBLIC_API: @sentry-git/core's main entry differs from ${path.relative(root, LIST_PATH)}:\n${[
      ...added.map((line) => `  + ${line}`),
      ...removed.map((line) => `  - ${line}`),
    ].join(
      '\n',
    )}\nFix: export helpers for sentry-git's own packages from src/internal.ts; if the change to the public API is meant, run \`${REGENERATE_COMMAND}\` and commit the list.`,
  );
  process.exit(1);
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) main();
