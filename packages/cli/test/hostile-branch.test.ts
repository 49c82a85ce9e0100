import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { gitdir, tempdir } from '@sentry-git/test-utils';
import { describe, expect, it } from 'vitest';
import { spawnCli } from './cli.js';

// With a backtracking engine, `(a+)+$` against this name takes 2^40 steps: the watch process
// would never poll, deploy or answer again. RE2 matching is linear in the name.
const HOSTILE = `${'a'.repeat(40)}!`;

function isMessage(prefix: string) {
  return (line: Record<string, unknown>) => typeof line.msg === 'string' && line.msg.startsWith(prefix);
}

describe('a catastrophic branch pattern and a hostile branch name', () => {
  it('do not stall the watch: the other repository deploys and the first is polled normally', async () => {
    const hostile = await gitdir({ branches: ['main'] });
    const other = await gitdir({ branches: ['main'] });
    const dir = await tempdir();
    const log = path.join(dir, 'deploys.log');
    await writeFile(
      path.join(dir, 'sentry.yaml'),
      `polling_interval: 1
global: { tmp_dir: ./jobs, shutdown_grace: 5 }
repositories:
  - name: evil
    monitor: { repo_url: "${hostile.bare}", branches: ["(a+)+$"] }
    deploy: { commands: ['echo "$SENTRY_REPO $SENTRY_BRANCH" >> "${log}"'] }
  - name: other
    monitor: { repo_url: "${other.bare}", branches: ["main"] }
    deploy: { commands: ['echo "$SENTRY_REPO $SENTRY_BRANCH" >> "${log}"'] }
`,
    );
    const watch = spawnCli(['watch', '--log-level', 'debug'], { cwd: dir });
    await watch.waitForLog(isMessage('poll finished: 2 checked, 0 changed, 0 errors'));

    await hostile.commit(HOSTILE);
    await hostile.commit('aaaa');
    await other.commit('main');
    const deployed = (repository: string, branch: string) =>
      watch.waitForLog(
        (line) => line.repository === repository && line.branch === branch && line.status === 'succeeded',
      );
    await Promise.all([deployed('other', 'main'), deployed('evil', 'aaaa')]);

    // Polling goes on, with the hostile branch still there, and without errors.
    const seen = watch.logs.length;
    await watch.waitForLog(
      (line) =>
        watch.logs.indexOf(line) >= seen && line.msg === 'poll finished: 2 checked, 0 changed, 0 errors',
    );
    expect(watch.logs.filter((line) => typeof line.branch === 'string' && line.branch === HOSTILE)).toEqual(
      [],
    );
    expect((await readFile(log, 'utf8')).trim().split('\n').sort()).toEqual(['evil aaaa', 'other main']);
    watch.child.kill('SIGTERM');
    expect((await watch.child).exitCode).toBe(0);
  });
});
