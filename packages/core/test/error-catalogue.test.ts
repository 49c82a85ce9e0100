import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import * as core from '../src/index.js';
import { ERROR_CATALOGUE, errorClass, errorCodeInfo, RateLimitError, SentryError } from '../src/index.js';

/** What scripts/write-error-reference.mjs exports (a plain .mjs file, so typed here). */
interface ErrorReferenceScript {
  renderErrorReference(source: typeof core): string;
  REFERENCE_PATH: string;
  REGENERATE_COMMAND: string;
}

const ROOT = path.resolve(__dirname, '../../..');

async function loadScript(): Promise<ErrorReferenceScript> {
  const url = pathToFileURL(path.join(ROOT, 'scripts/write-error-reference.mjs')).href;
  return (await import(url)) as ErrorReferenceScript;
}

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const file = path.join(dir, name);
    if (statSync(file).isDirectory()) return sourceFiles(file);
    return file.endsWith('.ts') ? [file] : [];
  });
}

describe('the error catalogue', () => {
  it('gives every code a class, an HTTP status and a one-line meaning', () => {
    for (const [code, info] of Object.entries(ERROR_CATALOGUE)) {
      expect(code).toMatch(/^[A-Z][A-Z0-9]*(_[A-Z0-9]+)+$|^[A-Z]+$/);
      expect(['transient', 'permanent', 'after-reset']).toContain(info.class);
      expect(info.status).toBeGreaterThanOrEqual(400);
      expect(info.status).toBeLessThan(600);
      expect(info.summary.length).toBeGreaterThan(10);
    }
    expect(errorCodeInfo('RATE_LIMITED')).toMatchObject({ class: 'after-reset', status: 503 });
    expect(errorCodeInfo('PROVIDER_UNREACHABLE').class).toBe('transient');
    expect(errorCodeInfo('PROVIDER_AUTH_FAILED').class).toBe('permanent');
    expect(errorCodeInfo('UNKNOWN_REPOSITORY').status).toBe(400);
    // A plugin's own code (not in the built-in catalogue) is permanent and answered 500.
    expect(errorCodeInfo('ACME_QUOTA')).toMatchObject({ class: 'permanent', status: 500 });
    // Inherited names are no codes.
    expect(errorCodeInfo('toString')).toMatchObject({ class: 'permanent', status: 500, area: 'plugins' });
  });

  it('classifies errors by their code: anything that is not a SentryError is permanent', () => {
    expect(errorClass(new SentryError('PROVIDER_UNREACHABLE', 'down'))).toBe('transient');
    expect(errorClass(new RateLimitError('wait', { resetAt: new Date(0) }))).toBe('after-reset');
    expect(errorClass(new SentryError('CONFIG_INVALID', 'bad'))).toBe('permanent');
    expect(errorClass(new TypeError('a bug'))).toBe('permanent');
    expect(errorClass('a string')).toBe('permanent');
  });

  it('has no dead entry: every code is raised or answered somewhere in the packages', () => {
    const sources = readdirSync(path.join(ROOT, 'packages'))
      .map((name) => path.join(ROOT, 'packages', name, 'src'))
      .filter((dir) => statSync(dir, { throwIfNoEntry: false })?.isDirectory())
      .flatMap(sourceFiles)
      .filter((file) => !file.endsWith(path.join('core', 'src', 'error-codes.ts')))
      .map((file) => readFileSync(file, 'utf8'))
      .join('\n');
    const unused = Object.keys(ERROR_CATALOGUE).filter((code) => !sources.includes(`'${code}'`));
    expect(unused).toEqual([]);
  });

  it('docs/reference/errors.md is generated from it and committed up to date', async () => {
    const { renderErrorReference, REFERENCE_PATH, REGENERATE_COMMAND } = await loadScript();
    const page = renderErrorReference(core);
    expect(page).toContain(
      '| `RATE_LIMITED` | after reset | 503 | The forge said "no more requests until" a reset time',
    );
    expect(page).toContain('| `UNKNOWN_REPOSITORY` | permanent | 400 |');
    for (const code of Object.keys(ERROR_CATALOGUE)) expect(page).toContain(`| \`${code}\` |`);
    const committed = readFileSync(path.join(ROOT, REFERENCE_PATH), 'utf8');
    expect(committed, `${REFERENCE_PATH} is stale: run \`${REGENERATE_COMMAND}\` and commit the result`).toBe(
      page,
    );
  });
});
