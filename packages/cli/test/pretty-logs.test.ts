import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { gitdir, tempdir } from '@sentry-git/test-utils';
import { describe, expect, it } from 'vitest';
import { cli } from './cli.js';

// Each job prints a line, a three-line chunk (one printf) and a line on stderr.
const COMMANDS = [
  'echo "$SENTRY_REPO says hello"',
  `printf '%s-out-1\\n%s-out-2\\n%s-out-3\\n' "$SENTRY_REPO" "$SENTRY_REPO" "$SENTRY_REPO"`,
  'echo "$SENTRY_REPO-err-1" >&2',
];

/** A pretty line's header: `[HH:MM:ss] LEVEL: `. */
const HEADER = /^\[\d\d:\d\d:\d\d\] (TRACE|DEBUG|INFO|WARN|ERROR|FATAL): /;

describe('pretty logs', () => {
  it('prefix every output line of parallel jobs with [repository@branch]', async () => {
    const api = await gitdir({ branches: ['main'] });
    const web = await gitdir({ branches: ['main'] });
    const dir = await tempdir();
    const repository = (name: string, url: string) => `
  - name: ${name}
    group: site
    monitor: { repo_url: "${url}", branches: ["main"] }
    deploy: { commands: ${JSON.stringify(COMMANDS)} }`;
    await writeFile(
      path.join(dir, 'sentry.yaml'),
      `global: { tmp_dir: ./jobs, deploy_on_first_sight: true }
groups:
  site: { execution_strategy: parallel, max_parallel: 2 }
repositories:${repository('api', api.bare)}${repository('web', web.bare)}
`,
    );
    const result = await cli(['watch', '--once'], { cwd: dir, env: { SENTRY_GIT_LOG_FORMAT: 'pretty' } });
    expect(result.exitCode, result.stderr).toBe(0);
    const lines = result.stderr.split('\n').filter(Boolean);
    // Not JSON: the pretty format rendered these lines.
    expect(lines.some((line) => HEADER.test(line))).toBe(true);
    expect(lines.filter((line) => line.startsWith('{'))).toEqual([]);

    const messages = lines.map((line) => line.replace(HEADER, ''));
    for (const name of ['api', 'web']) {
      const prefix = `[${name}@main] `;
      for (const output of [
        '+ echo "$SENTRY_REPO says hello"',
        `${name} says hello`,
        `${name}-out-1`,
        `${name}-out-2`,
        `${name}-out-3`,
        `${name}-err-1`,
      ])
        expect(messages, result.stderr).toContain(`${prefix}${output}`);
      // No output line of this job without its prefix.
      for (const message of messages.filter((m) => m.includes(`${name} says`) || m.includes(`${name}-`)))
        expect(message).toMatch(new RegExp(`^\\[${name}@main\\] `));
    }
    // Lines without a header continue a multi-line message; here only jobs write those.
    const continuations = lines.filter((line) => !HEADER.test(line));
    expect(continuations.length).toBeGreaterThan(0);
    for (const line of continuations) expect(line).toMatch(/^\[(api|web)@main\] /);
  });
});
