import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { rm, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import type * as TS from 'typescript';
import { errorMessage, SentryError } from '../errors.js';

/**
 * Reads `sentry-git.config.{js,mjs,cjs,ts,mts,cts}`: a module whose default export is the
 * configuration. What can go wrong is told apart, because each has a different fix: a module it
 * imports is not installed (which one, and how to install it beside the config), a syntax error
 * (with its line), or the module threw while it ran.
 */

type TypeScript = typeof TS;

function unreadable(file: string, problem: string, fix: string, cause?: unknown): SentryError {
  return new SentryError('CONFIG_UNREADABLE', `Cannot load ${file}: ${problem}`, { path: file, fix, cause });
}

/** `@scope/name/sub` → `@scope/name`; `name/sub` → `name`: what `npm i` takes. */
function packageName(specifier: string): string {
  const parts = specifier.split('/');
  return specifier.startsWith('@') ? parts.slice(0, 2).join('/') : (parts[0] as string);
}

function isBareSpecifier(specifier: string): boolean {
  return !specifier.startsWith('.') && !specifier.startsWith('/') && !/^[a-z]+:/i.test(specifier);
}

function moduleNotFound(file: string, error: unknown): SentryError | null {
  const code = (error as { code?: unknown }).code;
  if (code !== 'ERR_MODULE_NOT_FOUND' && code !== 'MODULE_NOT_FOUND') return null;
  const specifier = /Cannot find (?:package|module) '([^']+)'/.exec(errorMessage(error))?.[1];
  if (!specifier) return null;
  const dir = path.dirname(file);
  if (!isBareSpecifier(specifier)) {
    return unreadable(
      file,
      `it imports ${specifier}, which does not exist.`,
      'Correct the import path (relative imports resolve against the config file).',
      error,
    );
  }
  const name = packageName(specifier);
  const plain =
    name === '@sentry-git/core'
      ? ' defineConfig() only adds editor types: the file may instead `export default { ... }` with no import.'
      : '';
  return unreadable(
    file,
    `it imports the package ${name}, which is not installed where the config is (${dir}).`,
    `install it there: cd ${JSON.stringify(dir)} && npm i -D ${name}.${plain}`,
    error,
  );
}

/** `node --check` prints where a syntax error is; an ES module's import does not say. */
function syntaxErrorLocation(file: string): Promise<string | null> {
  return new Promise((resolve) => {
    execFile(process.execPath, ['--check', file], { timeout: 10_000 }, (_error, _stdout, stderr) => {
      const [first, , caret] = String(stderr).split('\n');
      const line = first ? /:(\d+)$/.exec(first)?.[1] : undefined;
      const column = caret?.includes('^') ? `, column ${caret.indexOf('^') + 1}` : '';
      resolve(line ? `line ${line}${column}` : null);
    });
  });
}

async function runModule(file: string, shown: string): Promise<unknown> {
  try {
    const module = (await import(pathToFileURL(file).href)) as { default?: unknown };
    return module.default;
  } catch (error) {
    const missing = moduleNotFound(shown, error);
    if (missing) throw missing;
    if (error instanceof SyntaxError && file === shown) {
      const where = await syntaxErrorLocation(file);
      throw unreadable(
        shown,
        `syntax error${where ? ` at ${where}` : ''}: ${error.message}.`,
        'Correct the syntax.',
        error,
      );
    }
    const frame = String((error as Error)?.stack ?? '')
      .split('\n')
      .find((line) => line.includes(pathToFileURL(file).href));
    throw unreadable(
      shown,
      `it threw while it ran: ${errorMessage(error)}${frame ? ` (${frame.trim()})` : ''}`,
      'Fix the code of the config file; its default export must be the configuration object.',
      error,
    );
  }
}

async function loadTypeScript(file: string): Promise<TypeScript> {
  try {
    const local = createRequire(path.join(path.dirname(file), 'noop.js')).resolve('typescript');
    return ((await import(pathToFileURL(local).href)) as unknown as { default: TypeScript }).default;
  } catch {
    // not installed beside the config: try sentry-git's own installation
  }
  try {
    return ((await import('typescript')) as unknown as { default: TypeScript }).default;
  } catch (error) {
    throw unreadable(
      file,
      'reading a TypeScript config needs the typescript package, which is not installed.',
      `install it beside the config: cd ${JSON.stringify(path.dirname(file))} && npm i -D typescript, or rename the file to sentry-git.config.mjs and remove its type annotations.`,
      error,
    );
  }
}

/** Compiles the file beside itself (so its imports resolve from its folder), runs it, removes it. */
async function runTypeScript(file: string, source: string): Promise<unknown> {
  const ts = await loadTypeScript(file);
  const commonJs = file.endsWith('.cts');
  const output = ts.transpileModule(source, {
    fileName: file,
    reportDiagnostics: true,
    compilerOptions: {
      module: commonJs ? ts.ModuleKind.CommonJS : ts.ModuleKind.ES2022,
      target: ts.ScriptTarget.ES2022,
    },
  });
  const diagnostic = output.diagnostics?.[0];
  if (diagnostic) {
    const position =
      diagnostic.file && diagnostic.start !== undefined
        ? diagnostic.file.getLineAndCharacterOfPosition(diagnostic.start)
        : undefined;
    const where = position ? ` at line ${position.line + 1}, column ${position.character + 1}` : '';
    throw unreadable(
      file,
      `syntax error${where}: ${ts.flattenDiagnosticMessageText(diagnostic.messageText, '\n')}`,
      'Correct the syntax.',
    );
  }
  const compiled = `${file}.${randomUUID()}.${commonJs ? 'cjs' : 'mjs'}`;
  try {
    await writeFile(compiled, output.outputText);
  } catch (error) {
    throw unreadable(
      file,
      `it is compiled to a file beside it, which cannot be written: ${errorMessage(error)}`,
      'Make the folder writable, or use sentry-git.config.mjs (or YAML), which needs no compiling.',
      error,
    );
  }
  try {
    return await runModule(compiled, file);
  } finally {
    await rm(compiled, { force: true });
  }
}

/** A cosmiconfig loader for JavaScript and TypeScript config modules. */
export async function loadModuleConfig(file: string, content: string): Promise<unknown> {
  return /\.[cm]?ts$/.test(file) ? runTypeScript(file, content) : runModule(file, file);
}
