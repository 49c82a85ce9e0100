import { spawn } from 'node:child_process';
import { mkdir, open, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { ShutdownError } from '@sentry-git/core';
import { makeJob, recordingContext } from '@sentry-git/core/testing';
import { tempdir } from '@sentry-git/test-utils';
import { describe, expect, it, onTestFinished, vi } from 'vitest';
import type { ShellHandle } from '../src/handle.js';
import { createShellExecutor, shellExecutor } from '../src/index.js';
import { processStartTime, signalGroup } from '../src/process-identity.js';
import { buildScript } from '../src/script.js';
import { buildWrapper, jobFiles } from '../src/wrapper.js';
import { isRunning } from './helpers.js';

/**
 * A job directory and process group as an engine killed with -9 leaves them: the wrapper was
 * started (and, with `go`, told to run the commands), then nobody reads its files or waits for it.
 */
async function orphanedJob(commands: string[], options: { go?: boolean } = {}): Promise<ShellHandle> {
  const dir = await tempdir();
  const files = jobFiles(dir);
  const script = path.join(dir, 'commands.sh');
  const wrapper = path.join(dir, 'run.sh');
  await mkdir(path.join(dir, 'checkout'));
  await writeFile(script, buildScript(commands, path.join(dir, 'step')));
  await writeFile(wrapper, buildWrapper({ ...files, script }, 'bash'));
  const stdout = await open(files.stdout, 'a');
  const stderr = await open(files.stderr, 'a');
  const child = spawn('/bin/sh', [wrapper], {
    cwd: path.join(dir, 'checkout'),
    detached: true,
    stdio: ['pipe', stdout.fd, stderr.fd],
  });
  await new Promise((resolve) => child.once('spawn', resolve));
  await stdout.close();
  await stderr.close();
  const pgid = child.pid!;
  onTestFinished(() => signalGroup(pgid, 'SIGKILL'));
  const startTime = (await processStartTime(pgid))!;
  // Like the dead engine's end of the pipe: "go" once the handle was stored, or nothing.
  child.stdin!.end(options.go === false ? '' : 'go\n');
  child.unref();
  return { executor: 'shell', pgid, startTime, dir };
}

/** A FIFO-free gate: the command waits until the test creates the file. */
async function gateFile(): Promise<{ path: string; open(): Promise<void> }> {
  const file = path.join(await tempdir(), 'gate');
  return { path: file, open: () => writeFile(file, '') };
}

function untilExists(file: string): string {
  return `while [ ! -e ${file} ]; do sleep 0.02; done`;
}

describe('shell executor: adopting a job after a crash', () => {
  it('follows a job still running to its end: its output from the start, its exit status, run once', async () => {
    const gate = await gateFile();
    const counter = path.join(await tempdir(), 'ran');
    const handle = await orphanedJob([
      `echo once >> ${counter}`,
      'echo before the crash',
      untilExists(gate.path),
      'echo after the crash',
    ]);
    const recording = recordingContext();
    const adopting = shellExecutor.adopt!(
      makeJob({ deploy: { commands: ['x', 'x', 'x', 'x'] } }),
      handle,
      recording.context,
    );
    await vi.waitFor(() => expect(recording.text('stdout')).toContain('before the crash'), { interval: 20 });
    await gate.open();
    const result = await adopting;
    expect(result).toMatchObject({ status: 'succeeded', exitCode: 0, error: null });
    expect(recording.text('stdout')).toBe('before the crash\nafter the crash\n');
    expect(recording.text('system')).toContain(`Adopting process group ${handle.pgid}`);
    expect(await readFile(counter, 'utf8')).toBe('once\n');
  });

  it('takes the exit status of a job that ended while no engine ran, naming the failed command', async () => {
    const handle = await orphanedJob(['echo first', 'sh -c "exit 3"', 'echo never']);
    await vi.waitFor(() => expect(isRunning(handle.pgid)).toBe(false), { interval: 20 });
    const recording = recordingContext();
    const job = makeJob({ deploy: { commands: ['echo first', 'sh -c "exit 3"', 'echo never'] } });
    const result = await shellExecutor.adopt!(job, handle, recording.context);
    expect(result).toMatchObject({
      status: 'failed',
      exitCode: 3,
      error: 'Command 2 of 3 (sh -c "exit 3") failed with exit code 3',
    });
    expect(recording.text('stdout')).toBe('first\n');
  });

  it('finds nothing to adopt when the engine died before the commands were told to start', async () => {
    const marker = path.join(await tempdir(), 'ran');
    const handle = await orphanedJob([`touch ${marker}`], { go: false });
    await vi.waitFor(() => expect(isRunning(handle.pgid)).toBe(false), { interval: 20 });
    expect(await shellExecutor.adopt!(makeJob(), handle, recordingContext().context)).toBeNull();
    await expect(readFile(marker)).rejects.toThrow(/ENOENT/);
  });

  it('finds nothing to adopt when the group was killed without writing a status', async () => {
    const handle = await orphanedJob(['echo started', 'sleep 600']);
    signalGroup(handle.pgid, 'SIGKILL');
    await vi.waitFor(() => expect(isRunning(handle.pgid)).toBe(false), { interval: 20 });
    expect(await shellExecutor.adopt!(makeJob(), handle, recordingContext().context)).toBeNull();
  });

  it('does not take a process with the same pid but another start time for the job', async () => {
    const handle = await orphanedJob(['sleep 600']);
    const stale = { ...handle, startTime: `${handle.startTime}0` };
    expect(await shellExecutor.adopt!(makeJob(), stale, recordingContext().context)).toBeNull();
  });

  it('finds nothing to adopt when the job directory is gone, or in a handle that is not a shell one', async () => {
    const handle = {
      executor: 'shell',
      pgid: 999_999,
      startTime: '1',
      dir: path.join(await tempdir(), 'gone'),
    };
    expect(await shellExecutor.adopt!(makeJob(), handle, recordingContext().context)).toBeNull();
    expect(
      await shellExecutor.adopt!(makeJob(), { executor: 'tekton' }, recordingContext().context),
    ).toBeNull();
  });

  it('kills an adopted group when its signal aborts (shutdown), and reports it cancelled', async () => {
    const handle = await orphanedJob(['echo started', 'sleep 600']);
    const recording = recordingContext({ abortWhen: /^started$/m, reason: new ShutdownError() });
    const result = await createShellExecutor({ killGraceMs: 100 }).adopt!(
      makeJob(),
      handle,
      recording.context,
    );
    expect(result).toMatchObject({ status: 'cancelled', error: 'sentry-git is shutting down' });
    await vi.waitFor(() => expect(isRunning(handle.pgid)).toBe(false), { interval: 20 });
  });
});

describe('shell executor: what a running job leaves for an adopter', () => {
  it('reports its handle before the commands start, and starts none when recording it fails', async () => {
    const tmpDir = await tempdir();
    const marker = path.join(await tempdir(), 'ran');
    const recording = recordingContext();
    const handles: unknown[] = [];
    const job = makeJob({ deploy: { commands: [`touch ${marker}`] }, settings: { tmpDir, cleanup: false } });
    const ok = await shellExecutor.execute(job, {
      ...recording.context,
      async started(handle) {
        // The commands wait for this to resolve: nothing ran yet.
        await expect(readFile(marker)).rejects.toThrow(/ENOENT/);
        handles.push(handle);
      },
    });
    expect(ok.status, ok.error ?? '').toBe('succeeded');
    expect(handles).toEqual([
      {
        executor: 'shell',
        pgid: expect.any(Number),
        startTime: expect.any(String),
        dir: expect.stringContaining(tmpDir),
      },
    ]);
    await readFile(marker);

    const second = path.join(await tempdir(), 'ran');
    const failing = await shellExecutor.execute(
      makeJob({ deploy: { commands: [`touch ${second}`] }, settings: { tmpDir } }),
      {
        ...recordingContext().context,
        started: () => Promise.reject(new Error('disk full')),
      },
    );
    expect(failing).toMatchObject({ status: 'failed' });
    expect(failing.error).toContain('disk full');
    await expect(readFile(second)).rejects.toThrow(/ENOENT/);
  });

  it('keeps the job directory for release() when an engine records the job, and release removes it', async () => {
    const tmpDir = await tempdir();
    let handle: ShellHandle | undefined;
    const job = makeJob({ deploy: { commands: ['echo hi'] }, settings: { tmpDir, cleanup: true } });
    const result = await shellExecutor.execute(job, {
      ...recordingContext().context,
      async started(reported) {
        handle = reported as ShellHandle;
      },
    });
    expect(result.status).toBe('succeeded');
    expect((await readFile(path.join(handle!.dir, 'status'), 'utf8')).trim()).toBe('0');
    await shellExecutor.release!(job, handle!);
    await expect(readFile(path.join(handle!.dir, 'status'))).rejects.toThrow(/ENOENT/);
  });
});
