import { execFileSync } from 'node:child_process';
import { chmod, mkdir, readdir, readFile, rm, utimes, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { makeJob, recordingContext } from '@sentry-git/core/testing';
import { gitdir, tempdir } from '@sentry-git/test-utils';
import { describe, expect, it } from 'vitest';
import { tryLockMirror } from '../src/cache/lock.js';
import { LAST_USE_FILE, mirrorDir, qaCacheRoot } from '../src/cache/paths.js';
import { createShellExecutor, type ShellExecutorOptions } from '../src/index.js';

const REAL_GIT = execFileSync('sh', ['-c', 'command -v git'], { encoding: 'utf8' }).trim();

/** A `git` that logs its arguments (one invocation a line) before running the real one. */
async function loggingGit(): Promise<{ binary: string; calls(): Promise<string[]> }> {
  const dir = await tempdir();
  const binary = path.join(dir, 'git-wrapper.sh');
  const log = path.join(dir, 'git-argv.log');
  await writeFile(binary, `#!/bin/sh\nprintf '%s\\n' "$*" >> '${log}'\nexec '${REAL_GIT}' "$@"\n`);
  await chmod(binary, 0o755);
  return {
    binary,
    calls: async () => (await readFile(log, 'utf8').catch(() => '')).split('\n').filter(Boolean),
  };
}

async function runJob(
  options: ShellExecutorOptions,
  tmpDir: string,
  qaUrl: string,
  commands: string[],
  branch?: string,
) {
  const recording = recordingContext();
  const job = makeJob({
    deploy: { qa_repo_url: qaUrl, qa_repo_branch: branch, commands },
    settings: { tmpDir },
  });
  const result = await createShellExecutor(options).execute(job, recording.context);
  return { result, recording };
}

async function mirrors(tmpDir: string): Promise<string[]> {
  const names = await readdir(qaCacheRoot(tmpDir)).catch(() => []);
  return names.filter((name) => name.endsWith('.git')).sort();
}

describe('QA clone cache', () => {
  it('reuses the mirror for the next job and fetches the commits pushed since', async () => {
    const qa = await gitdir();
    const first = await qa.commit('main', { 'deploy.txt': 'v1\n' });
    const tmpDir = await tempdir();
    const git = await loggingGit();
    const commands = [
      'cat deploy.txt',
      'git rev-parse HEAD',
      'git rev-parse --is-shallow-repository',
      'git remote get-url origin',
    ];

    const one = await runJob({ gitBinary: git.binary }, tmpDir, qa.url, commands, 'main');
    expect(one.result.status, one.result.error ?? '').toBe('succeeded');
    expect(one.recording.text('stdout')).toBe(`v1\n${first}\ntrue\n${qa.url}\n`);
    expect(await mirrors(tmpDir)).toEqual([path.basename(mirrorDir(qaCacheRoot(tmpDir), qa.url, 'main'))]);

    const second = await qa.commit('main', { 'deploy.txt': 'v2\n' });
    const callsBefore = (await git.calls()).length;
    const two = await runJob({ gitBinary: git.binary }, tmpDir, qa.url, commands, 'main');
    expect(two.result.status, two.result.error ?? '').toBe('succeeded');
    // The new commit, shallow, with origin pointing at the QA repository rather than the mirror.
    expect(two.recording.text('stdout')).toBe(`v2\n${second}\ntrue\n${qa.url}\n`);
    const calls = (await git.calls()).slice(callsBefore);
    // One fetch into the existing mirror; the only network-facing clone was the first job's.
    expect(calls.filter((call) => call.includes(' fetch '))).toHaveLength(1);
    expect(calls.filter((call) => call.includes(qa.url) && call.startsWith('clone'))).toEqual([]);
    expect(two.recording.text('system')).toContain('Updating the QA cache for');
  });

  it('gives parallel jobs on one QA repository each their own, right tree', async () => {
    const qa = await gitdir();
    const head = await qa.commit('main', { 'deploy.txt': 'shared\n' });
    const tmpDir = await tempdir();
    const executor = createShellExecutor();
    // Each job changes its checkout; none may see another's change or disturb the mirror.
    const commands = [
      'test -z "$(git status --porcelain)"',
      'cat deploy.txt',
      'git rev-parse HEAD',
      'echo "$SENTRY_JOB_ID" > mine.txt && git add mine.txt',
      'git -c user.name=t -c user.email=t@t.invalid commit -q -m mine',
      'test "$(cat mine.txt)" = "$SENTRY_JOB_ID"',
    ];
    const jobs = Array.from({ length: 4 }, (_, index) => {
      const recording = recordingContext();
      const job = makeJob({
        id: `job-${index}`,
        deploy: { qa_repo_url: qa.url, commands },
        settings: { tmpDir },
      });
      return { recording, run: executor.execute(job, recording.context) };
    });
    const results = await Promise.all(jobs.map((job) => job.run));
    results.forEach((result, index) => {
      expect(result.status, result.error ?? '').toBe('succeeded');
      expect(result.exitCode).toBe(0);
      expect(jobs[index]!.recording.text('stdout')).toBe(`shared\n${head}\n`);
    });
    expect(await mirrors(tmpDir)).toHaveLength(1);
    // The mirror is intact: still exactly the QA repository's branch, and a fifth job is clean.
    const mirror = path.join(qaCacheRoot(tmpDir), (await mirrors(tmpDir))[0]!);
    expect(
      execFileSync(REAL_GIT, ['-C', mirror, 'for-each-ref', '--format=%(refname) %(objectname)']).toString(),
    ).toBe(`refs/heads/main ${head}\n`);
    const fifth = await runJob({}, tmpDir, qa.url, commands.slice(0, 3));
    expect(fifth.result.status, fifth.result.error ?? '').toBe('succeeded');
  });

  it('clones directly, without waiting, while another process holds the mirror', async () => {
    const qa = await gitdir();
    await qa.commit('main', { 'deploy.txt': 'v1\n' });
    const tmpDir = await tempdir();
    expect((await runJob({}, tmpDir, qa.url, ['true'])).result.status).toBe('succeeded');
    const mirror = mirrorDir(qaCacheRoot(tmpDir), qa.url, undefined);
    await qa.commit('main', { 'deploy.txt': 'v2\n' });

    // The gate: the test holds the mirror's lock, as another sentry-git process would.
    const lock = await tryLockMirror(mirror);
    expect(lock).not.toBeNull();
    const git = await loggingGit();
    const busy = await runJob({ gitBinary: git.binary }, tmpDir, qa.url, ['cat deploy.txt']);
    expect(busy.result.status, busy.result.error ?? '').toBe('succeeded');
    expect(busy.recording.text('stdout')).toBe('v2\n');
    expect(busy.recording.text('system')).toContain('is in use by another process; cloning directly');
    expect((await git.calls()).some((call) => call.includes(' fetch '))).toBe(false);
    await lock!.release();

    const after = await runJob({ gitBinary: git.binary }, tmpDir, qa.url, ['cat deploy.txt']);
    expect(after.recording.text('stdout')).toBe('v2\n');
    expect((await git.calls()).some((call) => call.includes(' fetch '))).toBe(true);
  });

  it('takes over the lock of a process that died', async () => {
    const qa = await gitdir({ branches: ['main'] });
    const tmpDir = await tempdir();
    expect((await runJob({}, tmpDir, qa.url, ['true'])).result.status).toBe('succeeded');
    const mirror = mirrorDir(qaCacheRoot(tmpDir), qa.url, undefined);
    // A pid that cannot be running: above the kernel's maximum.
    await writeFile(`${mirror}.lock`, '4194305\nstale-token\n');
    const next = await runJob({}, tmpDir, qa.url, ['true']);
    expect(next.result.status, next.result.error ?? '').toBe('succeeded');
    expect(next.recording.text('system')).not.toContain('cloning directly');
    await expect(readFile(`${mirror}.lock`)).rejects.toThrow(/ENOENT/);
  });

  it('rebuilds a mirror that is corrupt or gone', async () => {
    const qa = await gitdir();
    await qa.commit('main', { 'deploy.txt': 'v1\n' });
    const tmpDir = await tempdir();
    expect((await runJob({}, tmpDir, qa.url, ['true'])).result.status).toBe('succeeded');
    const mirror = mirrorDir(qaCacheRoot(tmpDir), qa.url, undefined);

    // Every object gone, the ref still naming one: the fetch brings the whole branch back.
    await rm(path.join(mirror, 'objects'), { recursive: true, force: true });
    await mkdir(path.join(mirror, 'objects'));
    await qa.commit('main', { 'deploy.txt': 'v2\n' });
    const emptied = await runJob({}, tmpDir, qa.url, ['cat deploy.txt', 'git fsck --no-progress']);
    expect(emptied.result.status, emptied.result.error ?? '').toBe('succeeded');
    expect(emptied.recording.text('stdout')).toBe('v2\n');

    // Broken beyond fetching (the object store is a file): the mirror is built anew.
    await rm(path.join(mirror, 'objects'), { recursive: true, force: true });
    await writeFile(path.join(mirror, 'objects'), 'not a directory');
    await qa.commit('main', { 'deploy.txt': 'v3\n' });
    const corrupt = await runJob({}, tmpDir, qa.url, ['cat deploy.txt', 'git fsck --no-progress']);
    expect(corrupt.result.status, corrupt.result.error ?? '').toBe('succeeded');
    expect(corrupt.recording.text('stdout')).toBe('v3\n');
    expect(corrupt.recording.text('system')).toContain('Rebuilding the QA cache for');

    // Gone.
    await rm(mirror, { recursive: true, force: true });
    await qa.commit('main', { 'deploy.txt': 'v4\n' });
    const gone = await runJob({}, tmpDir, qa.url, ['cat deploy.txt']);
    expect(gone.result.status, gone.result.error ?? '').toBe('succeeded');
    expect(gone.recording.text('stdout')).toBe('v4\n');
    expect(await mirrors(tmpDir)).toEqual([path.basename(mirror)]);
  });

  it('fails the job with the repository error when the rebuild fails too', async () => {
    const qa = await gitdir({ branches: ['main', 'qa'] });
    const tmpDir = await tempdir();
    expect((await runJob({}, tmpDir, qa.url, ['true'], 'qa')).result.status).toBe('succeeded');
    await qa.deleteBranch('qa');
    const gone = await runJob({}, tmpDir, qa.url, ['echo should-not-run'], 'qa');
    expect(gone.result.status).toBe('failed');
    expect(gone.result.error).toMatch(
      /^Cloning the QA repository .* \(branch qa\) failed: git exited with code 128/,
    );
    expect(gone.recording.text('stdout')).toBe('');
  });

  it('evicts least recently used mirrors beyond cacheMaxEntries, but never one in use', async () => {
    const tmpDir = await tempdir();
    const root = qaCacheRoot(tmpDir);
    const repos = await Promise.all([1, 2, 3, 4].map(() => gitdir({ branches: ['main'] })));
    const options = { cacheMaxEntries: 2 };
    const use = async (index: number, lastUse: number) => {
      const run = await runJob(options, tmpDir, repos[index]!.url, ['true']);
      expect(run.result.status, run.result.error ?? '').toBe('succeeded');
      // Explicit last-use times: the order is the test's, not the clock's resolution.
      const marker = path.join(mirrorDir(root, repos[index]!.url, undefined), LAST_USE_FILE);
      await utimes(marker, lastUse, lastUse);
    };
    const name = (index: number) => path.basename(mirrorDir(root, repos[index]!.url, undefined));
    await use(0, 1000);
    await use(1, 2000);
    expect(await mirrors(tmpDir)).toEqual([name(0), name(1)].sort());
    await use(2, 3000);
    // Repository 0 was used least recently.
    expect(await mirrors(tmpDir)).toEqual([name(1), name(2)].sort());

    // Repository 1 is now the oldest, but a job (here: the test) holds it: 2 goes instead.
    const held = await tryLockMirror(mirrorDir(root, repos[1]!.url, undefined));
    await use(3, 4000);
    expect(await mirrors(tmpDir)).toEqual([name(1), name(3)].sort());
    await held!.release();
  });

  it('keeps the cache under cacheMaxBytes, keeping the mirror just used', async () => {
    const tmpDir = await tempdir();
    const a = await gitdir({ branches: ['main'] });
    const b = await gitdir({ branches: ['main'] });
    expect((await runJob({ cacheMaxBytes: 1 }, tmpDir, a.url, ['true'])).result.status).toBe('succeeded');
    expect((await runJob({ cacheMaxBytes: 1 }, tmpDir, b.url, ['true'])).result.status).toBe('succeeded');
    expect(await mirrors(tmpDir)).toEqual([path.basename(mirrorDir(qaCacheRoot(tmpDir), b.url, undefined))]);
  });

  it('keeps one mirror per branch', async () => {
    const qa = await gitdir();
    await qa.commit('main', { 'deploy.txt': 'main\n' });
    await qa.commit('qa', { 'deploy.txt': 'qa\n' });
    const tmpDir = await tempdir();
    const main = await runJob({}, tmpDir, qa.url, ['cat deploy.txt', 'git branch --show-current'], 'main');
    const branch = await runJob({}, tmpDir, qa.url, ['cat deploy.txt', 'git branch --show-current'], 'qa');
    expect(main.recording.text('stdout')).toBe('main\nmain\n');
    expect(branch.recording.text('stdout')).toBe('qa\nqa\n');
    expect(await mirrors(tmpDir)).toHaveLength(2);
  });

  it('clones directly with qaCache: false', async () => {
    const qa = await gitdir({ branches: ['main'] });
    const tmpDir = await tempdir();
    const run = await runJob({ qaCache: false }, tmpDir, qa.url, ['git remote get-url origin']);
    expect(run.result.status, run.result.error ?? '').toBe('succeeded');
    expect(run.recording.text('stdout')).toBe(`${qa.url}\n`);
    expect(await readdir(tmpDir)).toEqual([]);
  });

  it('rejects negative limits', () => {
    expect(() => createShellExecutor({ cacheMaxEntries: -1 })).toThrow(
      /cacheMaxEntries must be a number of mirrors ≥ 0/,
    );
    expect(() => createShellExecutor({ cacheMaxBytes: Number.NaN })).toThrow(/cacheMaxBytes/);
  });
});
