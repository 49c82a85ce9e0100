import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { jsonSchemaValidator } from '@sentry-git/test-utils';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { configJsonSchema, loadConfig } from '../src/index.js';

/**
 * The JSON Schema accepts what `validate` accepts as a file's shape: both formats, the original
 * Sentry's files, and the repository's examples; and refuses a wrong file of either format.
 */

const ROOT = path.resolve(__dirname, '../../..');
const ORIGINALS = path.resolve(ROOT, '../shared/reference/original-configs');
const validate = jsonSchemaValidator(configJsonSchema());
const yamlFile = (file: string) => parse(readFileSync(file, 'utf8')) as Record<string, unknown>;
// The variables the original files reference.
const ENV = Object.fromEntries(
  ['GITHUB', 'GITLAB', 'GITEA'].flatMap((forge) => [
    [`${forge}_TOKEN`, 'x'],
    [`${forge}_USERNAME`, 'x'],
  ]),
);

describe('the JSON Schema of the configuration file', () => {
  it.each(['sentry-scheme-c.yaml', 'sentry-simple.yaml'])(
    'accepts the original Sentry configuration %s, which validate accepts',
    async (name) => {
      const file = path.join(ORIGINALS, name);
      await expect(loadConfig({ file, env: ENV })).resolves.toBeDefined();
      expect(validate(yamlFile(file))).toEqual([]);
    },
  );

  it("accepts every example's sentry.yaml", () => {
    const examples = readdirSync(path.join(ROOT, 'examples'), { withFileTypes: true })
      .filter((entry) => entry.isDirectory())
      .map((entry) => path.join(ROOT, 'examples', entry.name, 'sentry.yaml'))
      .filter((file) => {
        try {
          readFileSync(file);
          return true;
        } catch {
          return false;
        }
      });
    expect(examples.length).toBeGreaterThanOrEqual(4);
    for (const file of examples) expect(validate(yamlFile(file)), file).toEqual([]);
  });

  it('refuses a wrong file of either format, and a mix of the two', () => {
    const simple = yamlFile(path.join(ORIGINALS, 'sentry-simple.yaml'));
    const native = yamlFile(path.join(ORIGINALS, 'sentry-scheme-c.yaml'));
    expect(validate({ ...simple, webhook: 'https://example.com' })).not.toEqual([]);
    expect(validate({ ...simple, target_repo: { branches: 'main' } })).not.toEqual([]);
    expect(validate({ ...native, polling_interval: 'soon' })).not.toEqual([]);
    expect(validate({ ...native, colour: 'blue' })).not.toEqual([]);
    expect(validate({ ...native, target_repo: simple.target_repo, qa_repo: simple.qa_repo })).not.toEqual([]);
  });
});
