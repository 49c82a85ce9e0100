import { readFileSync } from 'node:fs';
import path from 'node:path';
import { gitdir } from '@sentry-git/test-utils';
import { describe, expect, it } from 'vitest';
import { createSentry } from '../src/index.js';
import { SEARCH_PLACES } from '../src/internal.js';
import { testPlugin } from './notify-helpers.js';

/** Facts the documentation states, checked against the code that makes them true. */

const ROOT = path.resolve(__dirname, '../../..');
const read = (file: string) => readFileSync(path.join(ROOT, file), 'utf8');

/** The `## ` (or deeper) section whose heading is `heading`, up to the next heading of its level. */
function section(markdown: string, heading: string): string {
  const lines = markdown.split('\n');
  const start = lines.findIndex((line) => /^#+ /.test(line) && line.replace(/^#+ /, '') === heading);
  if (start === -1) throw new Error(`no section "${heading}"`);
  const level = /^#+/.exec(lines[start]!)![0].length;
  const end = lines.findIndex(
    (line, index) => index > start && /^#+ /.test(line) && /^#+/.exec(line)![0].length <= level,
  );
  return lines.slice(start, end === -1 ? undefined : end).join('\n');
}

/** The code spans of `text`, in order. */
function codeSpans(text: string): string[] {
  return [...text.matchAll(/`([^`\n]+)`/g)].map((match) => match[1]!);
}

function triggerKinds(): string[] {
  const declaration = /export type TriggerKind = ([^;]+);/.exec(read('packages/core/src/types.ts'));
  return [...declaration![1]!.matchAll(/'([a-z]+)'/g)].map((match) => match[1]!);
}

describe('the documentation matches the code', () => {
  it('every list of trigger kinds names all of them (SENTRY_TRIGGER, runs, $(sentry.trigger))', () => {
    const kinds = triggerKinds();
    expect(kinds).toEqual(['poll', 'manual', 'webhook', 'api', 'rerun', 'deploy']);
    const files = [
      'README.md',
      'docs/cli.md',
      'docs/configuration.md',
      'docs/semantics.md',
      'docs/tekton.md',
      'docs/executors/shell.md',
      'docs/executors/tekton.md',
      'packages/executor-shell/README.md',
      'packages/executor-tekton/README.md',
      'packages/server/README.md',
    ];
    const incomplete: string[] = [];
    for (const file of files) {
      // A paragraph or a table row that names `poll` and `manual` lists trigger kinds.
      const chunks = read(file).split(/\n\s*\n|\n(?=\|)/);
      for (const chunk of chunks) {
        const spans = new Set(codeSpans(chunk));
        if (!spans.has('poll') || !spans.has('manual')) continue;
        const missing = kinds.filter((kind) => !spans.has(kind));
        if (missing.length > 0) incomplete.push(`${file}: misses ${missing.join(', ')} in: ${chunk.trim()}`);
      }
    }
    expect(incomplete, incomplete.join('\n')).toEqual([]);
  });

  it('docs/cli.md describes every field `status --json` prints', async () => {
    const repo = await gitdir();
    await repo.commit('main');
    const sentry = await createSentry({
      config: {
        state: { driver: 'memory' },
        repositories: [
          {
            name: 'app',
            monitor: { repo_url: repo.url, branches: ['main'] },
            deploy: { executor: 'test' },
          },
        ],
      },
      plugins: [testPlugin()],
      env: {},
    });
    try {
      const runs = await sentry.trigger({});
      await sentry.waitForRuns(runs.map((run) => run.id));
      const [status] = await sentry.status();
      const fields = [
        ...Object.keys(status!),
        ...Object.keys(status!.heads[0]!),
        ...Object.keys(status!.lastRun!),
        ...Object.keys(status!.health),
      ];
      const documented = new Set(
        codeSpans(section(read('docs/cli.md'), 'status')).flatMap((span) => span.split(/,\s*/)),
      );
      expect(fields.filter((field) => !documented.has(field))).toEqual([]);
    } finally {
      await sentry.close();
    }
  });

  it('the configuration search order is the one the loader uses', () => {
    const names = (text: string) =>
      codeSpans(text).filter((span) => (SEARCH_PLACES as readonly string[]).includes(span));
    const guide = section(read('docs/configuration.md'), 'Where the file is found');
    expect(names(guide)).toEqual(SEARCH_PLACES);
    const flagRow = read('docs/cli.md')
      .split('\n')
      .find((line) => line.startsWith('| `-c, --config=FILE`'));
    expect(names(flagRow ?? '')).toEqual(SEARCH_PLACES);
    // -c, then SENTRY_CONFIG_PATH, then the search.
    expect(guide.indexOf('`-c FILE`')).toBeLessThan(guide.indexOf('SENTRY_CONFIG_PATH'));
    expect(flagRow!.indexOf('SENTRY_CONFIG_PATH')).toBeLessThan(flagRow!.indexOf('`package.json`'));
  });
});
