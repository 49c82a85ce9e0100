import { chmod, mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { gitdir, startGitHttpServer, tempdir } from '@sentry-git/test-utils';
import { describe, expect, it, onTestFinished } from 'vitest';
import { cli } from './cli.js';

const MONITOR_TOKEN = 'ghp_MonitorSecret_8f3a9c2d';
const QA_TOKEN = 'glpat-QaSecret-41b7e6';
const ENV_SECRET = 'env-Secret-Value-77aa1';

async function filesUnder(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true, recursive: true });
  return entries.filter((entry) => entry.isFile()).map((entry) => path.join(entry.parentPath, entry.name));
}

describe('secrets', () => {
  it('a configured token appears in no log line, child argv, state row or clone .git/config', async () => {
    // Both repositories sit behind a real git http-backend that demands the token.
    const watched = await gitdir({ branches: ['main'] });
    const qa = await gitdir({ branches: ['main'], files: { 'deploy.sh': 'echo "deploying from QA"\n' } });
    const monitorServer = await startGitHttpServer({
      root: path.dirname(watched.bare),
      auth: { token: MONITOR_TOKEN },
    });
    const qaServer = await startGitHttpServer({ root: path.dirname(qa.bare), auth: { token: QA_TOKEN } });
    onTestFinished(() => monitorServer.close());
    onTestFinished(() => qaServer.close());

    // Every git the CLI starts goes through this wrapper, which records its arguments.
    const dir = await tempdir();
    const shim = path.join(dir, 'shim');
    await mkdir(shim);
    const argvLog = path.join(dir, 'argv.log');
    await writeFile(
      path.join(shim, 'git'),
      `#!/bin/sh\nprintf '%s\\n' "git $*" >> "${argvLog}"\nexec /usr/bin/git "$@"\n`,
    );
    await chmod(path.join(shim, 'git'), 0o755);

    await writeFile(
      path.join(dir, '.env'),
      `MONITOR_TOKEN=${MONITOR_TOKEN}\nQA_TOKEN=${QA_TOKEN}\nDEPLOY_SECRET=${ENV_SECRET}\n`,
    );
    await writeFile(
      path.join(dir, 'sentry.yaml'),
      `polling_interval: 1
global: { tmp_dir: ./jobs, cleanup: false, log_level: trace }
repositories:
  - name: app
    monitor:
      repo_url: ${monitorServer.url}/remote.git
      branches: [main]
      repo_type: git
      auth: { token: "\${MONITOR_TOKEN}" }
    deploy:
      qa_repo_url: ${qaServer.url}/remote.git
      qa_repo_branch: main
      repo_type: gitlab
      auth: { username: qa-bot, token: "\${QA_TOKEN}" }
      commands:
        - bash deploy.sh
        - echo "leaking $DEPLOY_SECRET and $QA_TOKEN"
        # A process may end between the glob and the read (other tests run beside this one): skip it.
        - for f in /proc/[0-9]*/cmdline; do { tr '\\0' ' ' < "$f"; } 2>/dev/null || true; echo; done > "$PROCESS_LIST"
`,
    );
    const processList = path.join(dir, 'processes.txt');
    const env = { PATH: `${shim}:${process.env.PATH}`, PROCESS_LIST: processList };
    const runs: string[] = [];
    const first = await cli(['watch', '--once'], { cwd: dir, env });
    expect(first.exitCode, first.stderr).toBe(0);
    await watched.commit('main');
    const second = await cli(['watch', '--once'], { cwd: dir, env });
    expect(second.exitCode, second.stderr).toBe(0);
    const trigger = await cli(['trigger', '--json'], { cwd: dir, env });
    expect(trigger.exitCode, trigger.stderr).toBe(0);
    runs.push(first.stderr, second.stderr, trigger.stdout, trigger.stderr);
    const status = await cli(['status', '--json'], { cwd: dir, env });
    const history = await cli(['runs', '--json'], { cwd: dir, env });
    runs.push(status.stdout, history.stdout);

    // It really authenticated with both tokens, and the deploy really ran.
    expect(monitorServer.requests.some((r) => r.authorized)).toBe(true);
    expect(qaServer.requests.some((r) => r.authorized && r.username === 'qa-bot')).toBe(true);
    expect(second.stderr).toContain('deploying from QA');
    expect(second.stderr, second.stderr).toContain('leaking [REDACTED] and [REDACTED]');

    const secrets = [
      MONITOR_TOKEN,
      QA_TOKEN,
      ENV_SECRET,
      Buffer.from(`qa-bot:${QA_TOKEN}`).toString('base64'),
      Buffer.from(`git:${MONITOR_TOKEN}`).toString('base64'),
    ];
    const argv = await readFile(argvLog, 'utf8');
    expect(argv).toContain('ls-remote');
    expect(argv).toContain('clone');
    const clones = (await filesUnder(path.join(dir, 'jobs'))).filter((file) =>
      file.endsWith(path.join('.git', 'config')),
    );
    expect(clones.length).toBeGreaterThan(0);
    const state = await Promise.all(
      (await filesUnder(path.join(dir, '.sentry-git'))).map((file) => readFile(file)),
    );
    const places: Array<[string, string]> = [
      ['logs and command output', runs.join('\n')],
      ['git argv', argv],
      ['every command line during the deploy', await readFile(processList, 'utf8')],
      ...clones.map((file): [string, string] => [`clone config ${file}`, '']),
      ['state files', Buffer.concat(state).toString('latin1')],
    ];
    for (const [index, file] of clones.entries()) places[3 + index]![1] = await readFile(file, 'utf8');
    expect(places.find(([name]) => name === 'state files')![1]).toContain('app');
    expect(places.find(([name]) => name.startsWith('every command line'))![1]).toContain(
      'bin/run.js trigger --json',
    );
    for (const [name, text] of places) {
      for (const secret of secrets) expect(text.includes(secret), `${name} contains a secret`).toBe(false);
    }
  });
});
