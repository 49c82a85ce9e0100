import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { tempdir } from '@sentry-git/test-utils';
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig, SentryError } from '../src/index.js';
import { CONFIG_LIMITS, resolveConfig } from '../src/internal.js';

const REPOSITORY_YAML =
  'repositories:\n  - name: app\n    monitor: { repo_url: /srv/app.git, branches: [main] }\n    deploy: { commands: ["true"] }\n';

/** The classic "billion laughs": nine levels of nine aliases, 9^9 values once expanded. */
export function billionLaughs(): string {
  const lines = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]'];
  const names = 'abcdefghi';
  for (let level = 1; level < names.length; level++) {
    const alias = `*${names[level - 1]}`;
    lines.push(`${names[level]}: &${names[level]} [${Array(9).fill(alias).join(',')}]`);
  }
  return `${lines.join('\n')}\n${REPOSITORY_YAML}`;
}

async function write(name: string, text: string): Promise<string> {
  const file = path.join(await tempdir(), name);
  await writeFile(file, text);
  return file;
}

async function loadError(file: string): Promise<SentryError> {
  const error = await loadConfig({ file, env: {} }).catch((e: unknown) => e);
  expect(error).toBeInstanceOf(SentryError);
  return error as SentryError;
}

describe('hostile YAML fails at once with the file and the line', () => {
  it('an alias bomb', async () => {
    const file = await write('sentry.yaml', billionLaughs());
    const error = await loadError(file);
    expect(error.code).toBe('CONFIG_UNREADABLE');
    expect(error.message).toContain(file);
    expect(error.message).toMatch(
      /aliases expand to more than 1,000,000 values by \*\w at line \d+, column \d+/,
    );
  });

  it('an alias bomb that reuses two anchor names, each alias meaning the anchor just before it', async () => {
    // Levels alternate &a and &b, each made of nine aliases of the level above: 9^9 values.
    // Resolving an alias to the first anchor of its name would count 81 values a level, and to
    // the last one would find levels containing themselves.
    const names = ['a', 'b'];
    const levels = Array.from({ length: 8 }, (_, i) => {
      const [anchor, above] = [names[(i + 1) % 2], names[i % 2]];
      return `l${i + 1}: &${anchor} [${Array(9).fill(`*${above}`).join(',')}]`;
    });
    const text = `l0: &a [${Array(9).fill('"lol"').join(',')}]\n${levels.join('\n')}\n${REPOSITORY_YAML}`;
    const error = await loadError(await write('sentry.yaml', text));
    expect(error.code).toBe('CONFIG_UNREADABLE');
    expect(error.message).toMatch(
      /aliases expand to more than 1,000,000 values by \*[ab] at line [5-9], column \d+/,
    );
  });

  it('an alias inside its own anchor', async () => {
    const file = await write('sentry.yaml', `${REPOSITORY_YAML}global: &g\n  tmp_dir: *g\n`);
    const error = await loadError(file);
    expect(error.code).toBe('CONFIG_UNREADABLE');
    expect(error.message).toContain(file);
    expect(error.message).toContain('the alias *g at line 6, column 12 is inside the anchor it refers to');
  });

  it('brackets nested a million deep', async () => {
    const depth = 500_000;
    const file = await write(
      'sentry.yaml',
      `${REPOSITORY_YAML}plugins: ${'['.repeat(depth)}${']'.repeat(depth)}\n`,
    );
    const error = await loadError(file);
    expect(error.code).toBe('CONFIG_UNREADABLE');
    expect(error.message).toMatch(/nested more than 64 levels deep at line 5, column \d+/);
  });

  it('a file larger than any configuration', async () => {
    const file = await write('sentry.yaml', `${REPOSITORY_YAML}# ${'x'.repeat(CONFIG_LIMITS.maxBytes)}\n`);
    const error = await loadError(file);
    expect(error.code).toBe('CONFIG_UNREADABLE');
    expect(error.message).toMatch(/is 4\.0 MB, more than the 4 MB/);
  });

  it('a .env larger than any configuration', async () => {
    const file = await write('sentry.yaml', REPOSITORY_YAML);
    await writeFile(path.join(path.dirname(file), '.env'), `A=${'x'.repeat(CONFIG_LIMITS.maxBytes)}\n`);
    expect((await loadError(file)).message).toMatch(/\.env: it is 4\.0 MB/);
  });

  it('a syntax error names the file, the line and the column', async () => {
    const file = await write('sentry.yaml', `${REPOSITORY_YAML}global:\n  cleanup: true\n  cleanup: false\n`);
    const error = await loadError(file);
    expect(error.code).toBe('CONFIG_UNREADABLE');
    expect(error.message).toContain(file);
    expect(error.message).toMatch(/Map keys must be unique at line 7, column 3/);
  });
});

describe('a JSON syntax error names the file, the line and the column, on one line', () => {
  it('a trailing comma', async () => {
    const file = await write('sentry-git.json', '{"repositories": [\n  {"name": "x",}\n]}\n');
    const error = await loadError(file);
    expect(error.code).toBe('CONFIG_UNREADABLE');
    expect(error.message).toMatch(
      new RegExp(
        `^Cannot read ${file.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}: JSON syntax error at line 2, column 16: [^\n]+. Fix: Correct the JSON at that line.$`,
      ),
    );
  });
});

describe('legitimate YAML still loads', () => {
  it('merge keys shared by hundreds of repositories', async () => {
    const text = [
      'repositories:',
      '  - &first { name: app-0, monitor: &monitor { repo_url: /srv/app-0.git, branches: [main] }, deploy: { commands: ["./deploy.sh"] } }',
      ...Array.from(
        { length: 499 },
        (_, i) =>
          `  - { <<: *first, name: app-${i + 1}, monitor: { <<: *monitor, repo_url: /srv/app-${i + 1}.git } }`,
      ),
    ].join('\n');
    const loaded = await loadConfig({ file: await write('sentry.yaml', text), env: {} });
    expect(loaded.config.repositories).toHaveLength(500);
    expect(loaded.config.repositories[499]).toMatchObject({
      name: 'app-499',
      monitor: { repo_url: '/srv/app-499.git', branches: ['main'] },
      deploy: { commands: ['./deploy.sh'] },
    });
  });

  it('an anchor reused hundreds of times', async () => {
    const text = [
      'repositories:',
      ...Array.from({ length: 300 }, (_, i) =>
        i === 0
          ? '  - { name: app-0, monitor: { repo_url: /srv/app.git, branches: &branches [main, develop] }, deploy: { commands: ["true"] } }'
          : `  - { name: app-${i}, monitor: { repo_url: /srv/app.git, branches: *branches }, deploy: { commands: ["true"] } }`,
      ),
    ].join('\n');
    const loaded = await loadConfig({ file: await write('sentry.yaml', text), env: {} });
    expect(loaded.config.repositories).toHaveLength(300);
    expect(loaded.config.repositories[299]!.monitor.branches).toEqual(['main', 'develop']);
  });
});

describe('other formats', () => {
  it('JSON nested deeper than any configuration', async () => {
    const depth = 100_000;
    const file = await write('sentry-git.json', `{"plugins": ${'['.repeat(depth)}${']'.repeat(depth)}}`);
    const error = await loadError(file);
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).issues[0]).toEqual({
      path: expect.stringMatching(/^plugins(\[0\])+$/),
      message: expect.stringContaining('nested more than 64 levels deep'),
    });
  });

  it('a JavaScript config that refers to itself', async () => {
    const file = await write(
      'sentry-git.config.mjs',
      'const global = {};\nglobal.self = global;\nexport default { global, repositories: [] };\n',
    );
    const error = await loadError(file);
    expect((error as ConfigError).issues).toEqual([
      { path: 'global.self', message: expect.stringContaining('refers to itself') },
    ]);
  });

  it('an object given to resolveConfig that refers to itself', () => {
    const config: Record<string, unknown> = { repositories: [] };
    config.plugins = [config];
    expect(() => resolveConfig(config, { env: {} })).toThrow(/plugins\[0\]: refers to itself/);
  });
});
