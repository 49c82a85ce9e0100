import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { OUTPUT_TAIL_BYTES, ShutdownError, timeoutError } from '@sentry-git/core';
import { makeJob, recordingContext } from '@sentry-git/core/testing';
import { gitdir, tempdir } from '@sentry-git/test-utils';
import { describe, expect, it, vi } from 'vitest';
import { createShellExecutor, shellExecutor } from '../src/index.js';
import { isRunning } from './helpers.js';

async function expectGone(pids: number[]): Promise<void> {
  // SIGKILL has been sent when the job ends; the kernel may still be tearing the process down
  // (the bound only keeps a real leak from hanging the suite).
  await vi.waitFor(() => expect(pids.filter(isRunning)).toEqual([]), { timeout: 15_000, interval: 20 });
}

async function readPids(file: string): Promise<number[]> {
  const text = await readFile(file, 'utf8');
  return text
    .split('\n')
    .filter(Boolean)
    .map((line) => Number.parseInt(line, 10));
}

describe('shell executor', () => {
  it('validates the deploy block', () => {
    const validate = shellExecutor.validate!;
    expect(validate({ executor: 'shell' })).toEqual([{ key: 'commands', message: expect.any(String) }]);
    expect(validate({ executor: 'shell', commands: [] })).toEqual([
      { key: 'commands', message: expect.any(String) },
    ]);
    expect(validate({ executor: 'shell', commands: ['ok', '  '] })).toEqual([
      { key: 'commands[1]', message: expect.any(String) },
    ]);
    expect(validate({ executor: 'shell', commands: ['ok'], qa_repo_branch: 'main' })).toEqual([
      { key: 'qa_repo_branch', message: expect.any(String) },
    ]);
    expect(validate({ executor: 'shell', commands: ['ok'] })).toEqual([]);
    expect(shellExecutor.id).toBe('shell');
    expect(shellExecutor.capabilities).toEqual({ reattach: true });
  });

  it('clones the QA repository at qa_repo_branch, shallow, and runs the commands in it', async () => {
    const qa = await gitdir();
    await qa.commit('main', { 'deploy.txt': 'from main\n' });
    await qa.commit('qa', { 'deploy.txt': 'from qa\n' });
    await qa.commit('qa', { 'deploy.txt': 'from qa, second commit\n' });
    const job = makeJob({
      deploy: {
        qa_repo_url: qa.url,
        qa_repo_branch: 'qa',
        commands: [
          'cat deploy.txt',
          'git rev-parse --abbrev-ref HEAD',
          'git rev-list --count HEAD',
          'git tag | wc -l',
        ],
      },
      settings: { tmpDir: await tempdir() },
    });
    const recording = recordingContext();
    const result = await shellExecutor.execute(job, recording.context);
    expect(result.status, result.error ?? '').toBe('succeeded');
    expect(result.exitCode).toBe(0);
    expect(
      recording
        .text('stdout')
        .split('\n')
        .map((line) => line.trim()),
    ).toEqual(['from qa, second commit', 'qa', '1', '0', '']);
  });

  it('turns a plain local path into a file:// URL so the clone is shallow', async () => {
    const qa = await gitdir({ branches: ['main'] });
    await qa.commit('main');
    const job = makeJob({
      deploy: {
        qa_repo_url: qa.bare,
        commands: ['git rev-parse --is-shallow-repository', 'git remote get-url origin'],
      },
      settings: { tmpDir: await tempdir() },
    });
    const recording = recordingContext();
    const result = await shellExecutor.execute(job, recording.context);
    expect(result.status, result.error ?? '').toBe('succeeded');
    expect(recording.text('stdout')).toBe(`true\nfile://${qa.bare}\n`);
  });

  it('runs the commands in one session: a cd holds for the next command', async () => {
    const qa = await gitdir({ branches: ['main'], files: { 'sub/file': 'inside sub\n' } });
    const job = makeJob({
      deploy: {
        qa_repo_url: qa.url,
        commands: ['cd sub', 'cat file', 'export GREETING=hello', 'echo "$GREETING"'],
      },
      settings: { tmpDir: await tempdir() },
    });
    const recording = recordingContext();
    const result = await shellExecutor.execute(job, recording.context);
    expect(result.status, result.error ?? '').toBe('succeeded');
    expect(recording.text('stdout')).toBe('inside sub\nhello\n');
    // Each command is announced on stderr before it runs.
    expect(recording.text('stderr')).toBe(
      '+ cd sub\n+ cat file\n+ export GREETING=hello\n+ echo "$GREETING"\n',
    );
  });

  it('stops at the first failing command and reports it with its exit code', async () => {
    const marker = path.join(await tempdir(), 'third-ran');
    const job = makeJob({
      deploy: { commands: ['echo one', 'sh -c "exit 4"', `touch ${marker}`] },
      settings: { tmpDir: await tempdir() },
    });
    const recording = recordingContext();
    const result = await shellExecutor.execute(job, recording.context);
    expect(result.status).toBe('failed');
    expect(result.exitCode).toBe(4);
    expect(result.error).toBe('Command 2 of 3 (sh -c "exit 4") failed with exit code 4');
    expect(recording.text('stderr')).not.toContain('touch');
    await expect(readFile(marker)).rejects.toThrow(/ENOENT/);
  });

  it('fails a pipeline whose first part fails (pipefail)', async () => {
    const job = makeJob({
      deploy: { commands: ['false | cat', 'echo not reached'] },
      settings: { tmpDir: await tempdir() },
    });
    const result = await shellExecutor.execute(job, recordingContext().context);
    expect(result.status).toBe('failed');
    expect(result.exitCode).toBe(1);
    expect(result.output).not.toContain('+ echo not reached');
  });

  it('sets the SENTRY_* variables and deploy.env, and leaves the QA token out', async () => {
    const qa = await gitdir({ branches: ['main'] });
    const envFile = path.join(await tempdir(), 'env.txt');
    const job = makeJob({
      id: 'job-42',
      runId: 'run-7',
      repository: 'rag-service',
      projectName: 'rag',
      group: 'ai-blueprints',
      branch: 'dev-1',
      sha: 'c'.repeat(40),
      previousSha: 'd'.repeat(40),
      trigger: 'webhook',
      repoUrl: 'https://github.com/company/rag',
      deploy: {
        qa_repo_url: qa.url,
        auth: { username: 'qa-bot', token: 'qa-secret-token-123' },
        env: { EXTRA: 'from deploy.env', SENTRY_BRANCH: 'overridden?' },
        commands: [`env > ${envFile}`, `pwd >> ${envFile}`],
      },
      settings: { tmpDir: await tempdir() },
    });
    const result = await shellExecutor.execute(job, recordingContext().context);
    expect(result.status, result.error ?? '').toBe('succeeded');
    const text = await readFile(envFile, 'utf8');
    const lines = text.trimEnd().split('\n');
    const env = Object.fromEntries(
      lines.filter((line) => line.includes('=')).map((line) => line.split(/=(.*)/s).slice(0, 2)),
    );
    const workdir = env.SENTRY_WORKDIR;
    expect(env).toMatchObject({
      SENTRY_REPO: 'rag-service',
      SENTRY_PROJECT: 'rag',
      SENTRY_BRANCH: 'dev-1',
      SENTRY_COMMIT: 'c'.repeat(40),
      SENTRY_PREVIOUS_COMMIT: 'd'.repeat(40),
      SENTRY_REPO_URL: 'https://github.com/company/rag',
      SENTRY_GROUP: 'ai-blueprints',
      SENTRY_RUN_ID: 'run-7',
      SENTRY_JOB_ID: 'job-42',
      SENTRY_TRIGGER: 'webhook',
      EXTRA: 'from deploy.env',
    });
    expect(path.basename(workdir ?? '')).toBe('checkout');
    expect(path.basename(path.dirname(workdir ?? ''))).toMatch(/^rag-/);
    expect(lines.at(-1)).toBe(workdir);
    expect(text).not.toContain('qa-secret-token-123');
    expect(text).not.toContain('GIT_CONFIG_VALUE_0');
  });

  it('sets SENTRY_PREVIOUS_COMMIT and SENTRY_GROUP to empty strings when there are none', async () => {
    const job = makeJob({
      previousSha: null,
      group: null,
      deploy: { commands: ['env | grep -qx SENTRY_PREVIOUS_COMMIT=', 'env | grep -qx SENTRY_GROUP='] },
      settings: { tmpDir: await tempdir() },
    });
    const result = await shellExecutor.execute(job, recordingContext().context);
    expect(result.status, result.error ?? '').toBe('succeeded');
  });

  it('runs without qa_repo_url in an empty temporary directory', async () => {
    const tmpDir = await tempdir();
    const job = makeJob({ deploy: { commands: ['ls -A | wc -l', 'pwd'] }, settings: { tmpDir } });
    const recording = recordingContext();
    const result = await shellExecutor.execute(job, recording.context);
    expect(result.status, result.error ?? '').toBe('succeeded');
    const [count, cwd] = recording.text('stdout').trim().split('\n');
    expect(count?.trim()).toBe('0');
    expect(path.dirname(path.dirname(cwd ?? ''))).toBe(tmpDir);
  });

  it('streams stdout and stderr and keeps a bounded tail', async () => {
    const job = makeJob({
      deploy: {
        commands: ["head -c 204800 /dev/zero | tr '\\0' x", 'echo', 'echo to-stderr >&2', 'echo END'],
      },
      settings: { tmpDir: await tempdir() },
    });
    const recording = recordingContext();
    const result = await shellExecutor.execute(job, recording.context);
    expect(result.status, result.error ?? '').toBe('succeeded');
    const stdout = recording.text('stdout');
    expect(stdout.length).toBe(204800 + '\nEND\n'.length);
    expect(recording.outputs.filter((event) => event.stream === 'stdout').length).toBeGreaterThan(1);
    expect(recording.text('stderr')).toContain('to-stderr\n');
    expect(recording.outputs.every((event) => typeof event.text === 'string')).toBe(true);
    expect(Buffer.byteLength(result.output)).toBe(OUTPUT_TAIL_BYTES);
    // stdout and stderr are two files the engine follows apart (they outlive a crash), with no
    // order between them: stderr's few lines (`+ echo`, `+ echo to-stderr >&2`, `to-stderr`,
    // `+ echo END`) may arrive before, between or after stdout's last chunks, and so may fall
    // before the tail. stdout's end, written last, is always in it.
    expect(result.output.endsWith('\n')).toBe(true);
    expect(result.output.split('\n').slice(-8)).toContain('END');
    expect(recording.text('stderr')).toContain('+ echo to-stderr >&2\n');
    expect(recording.text('stderr')).toContain('+ echo END\n');
  });

  it('delivers output while the job still runs', async () => {
    const job = makeJob({
      deploy: { commands: ['echo first', 'sleep 600'] },
      settings: { tmpDir: await tempdir() },
    });
    const recording = recordingContext({ abortWhen: /^first$/m, reason: new ShutdownError() });
    const result = await shellExecutor.execute(job, recording.context);
    expect(result.status).toBe('cancelled');
    expect(result.error).toBe('sentry-git is shutting down');
  });

  it('kills the whole process group on timeout, background grandchildren included', async () => {
    const pidFile = path.join(await tempdir(), 'pids');
    const job = makeJob({
      deploy: {
        commands: [
          `sleep 1000 & echo $! >> ${pidFile}`,
          `(sleep 1000 >/dev/null 2>&1 & echo $! >> ${pidFile})`,
          'echo started',
          'sleep 1000',
        ],
      },
      settings: { tmpDir: await tempdir() },
    });
    const recording = recordingContext({
      abortWhen: /^started$/m,
      reason: timeoutError('job timed out after 300s'),
    });
    const result = await createShellExecutor({ killGraceMs: 10_000 }).execute(job, recording.context);
    expect(result).toMatchObject({ status: 'timed_out', exitCode: null, error: 'job timed out after 300s' });
    const pids = await readPids(pidFile);
    expect(pids).toHaveLength(2);
    await expectGone(pids);
  });

  it('escalates to SIGKILL after killGraceMs when the commands ignore SIGTERM', async () => {
    const pidFile = path.join(await tempdir(), 'pids');
    const job = makeJob({
      deploy: { commands: ["trap '' TERM", `sleep 1000 & echo $! >> ${pidFile}`, 'echo started', 'wait'] },
      settings: { tmpDir: await tempdir() },
    });
    const recording = recordingContext({ abortWhen: /^started$/m, reason: new ShutdownError() });
    const result = await createShellExecutor({ killGraceMs: 100 }).execute(job, recording.context);
    expect(result).toMatchObject({ status: 'cancelled', exitCode: null });
    await expectGone(await readPids(pidFile));
  });

  it('leaves no background process behind when the commands finish', async () => {
    const pidFile = path.join(await tempdir(), 'pids');
    const job = makeJob({
      deploy: {
        commands: [
          `sleep 1000 & echo $! >> ${pidFile}`,
          `nohup sleep 1000 >/dev/null 2>&1 & echo $! >> ${pidFile}`,
        ],
      },
      settings: { tmpDir: await tempdir() },
    });
    const result = await shellExecutor.execute(job, recordingContext().context);
    expect(result.status, result.error ?? '').toBe('succeeded');
    await expectGone(await readPids(pidFile));
  });

  it('times out on job.timeoutSeconds even when the context signal is never aborted', async () => {
    const job = makeJob({
      timeoutSeconds: 0.2,
      deploy: { commands: ['sleep 600'] },
      settings: { tmpDir: await tempdir() },
    });
    const result = await shellExecutor.execute(job, recordingContext().context);
    expect(result).toMatchObject({ status: 'timed_out', exitCode: null, error: 'job timed out after 0.2s' });
  });

  it('does nothing when the signal is already aborted', async () => {
    const tmpDir = await tempdir();
    const recording = recordingContext();
    recording.controller.abort(new ShutdownError());
    const result = await shellExecutor.execute(makeJob({ settings: { tmpDir } }), recording.context);
    expect(result.status).toBe('cancelled');
    expect(await readdir(tmpDir)).toEqual([]);
  });

  it('removes the job directory when cleanup is true, also after a failure', async () => {
    const tmpDir = await tempdir();
    const ok = await shellExecutor.execute(
      makeJob({ settings: { tmpDir, cleanup: true } }),
      recordingContext().context,
    );
    expect(ok.status).toBe('succeeded');
    const failed = await shellExecutor.execute(
      makeJob({ deploy: { commands: ['exit 1'] }, settings: { tmpDir, cleanup: true } }),
      recordingContext().context,
    );
    expect(failed.status).toBe('failed');
    expect(await readdir(tmpDir)).toEqual([]);
  });

  it('keeps the job directory when cleanup is false', async () => {
    const tmpDir = await tempdir();
    const job = makeJob({
      projectName: 'keep-me',
      deploy: { commands: ['echo kept > here.txt'] },
      settings: { tmpDir, cleanup: false },
    });
    const recording = recordingContext();
    const result = await shellExecutor.execute(job, recording.context);
    expect(result.status, result.error ?? '').toBe('succeeded');
    const entries = await readdir(tmpDir);
    expect(entries).toHaveLength(1);
    expect(entries[0]).toMatch(/^keep-me-/);
    const jobDir = path.join(tmpDir, entries[0]!);
    expect((await readdir(jobDir)).sort()).toEqual([
      'checkout',
      'commands.sh',
      'run.sh',
      'status',
      'stderr.log',
      'stdout.log',
      'step',
    ]);
    expect(await readFile(path.join(jobDir, 'checkout', 'here.txt'), 'utf8')).toBe('kept\n');
    expect(recording.text('system')).toContain(`Job directory kept: ${jobDir}`);
  });

  it('reports a shell that cannot be started as failed', async () => {
    const executor = createShellExecutor({ shell: '/nonexistent/bash' });
    const result = await executor.execute(
      makeJob({ settings: { tmpDir: await tempdir() } }),
      recordingContext().context,
    );
    expect(result.status).toBe('failed');
    expect(result.error).toMatch(/^Could not start \/nonexistent\/bash: .*ENOENT/);
  });
});
