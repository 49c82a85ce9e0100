import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { tempdir } from '@sentry-git/test-utils';
import { expect, it } from 'vitest';
import { linkedShell } from './linked-shell.js';
import { codeBlocks, section } from './markdown.js';

const ROOT = path.resolve(__dirname, '../../..');

it("docs/configuration.md's JSON Schema command works as written from any folder", async () => {
  const home = await tempdir();
  const shell = await linkedShell(home);
  const guide = await readFile(path.join(ROOT, 'docs/configuration.md'), 'utf8');
  const [command] = codeBlocks(section(guide, 'JSON Schema and editor completion'), 'sh');
  expect(command).toContain('sentry-git schema');
  const result = await shell.run(command!, home);
  expect(result.exitCode, result.stderr).toBe(0);
  // The file it wrote is the schema of this version: the committed copy, both formats.
  const written = JSON.parse(await readFile(path.join(home, 'sentry-git.schema.json'), 'utf8'));
  const committed = JSON.parse(await readFile(path.join(ROOT, 'docs/schema/config.schema.json'), 'utf8'));
  expect(written).toEqual(committed);
  expect(written.anyOf).toHaveLength(2);
});
