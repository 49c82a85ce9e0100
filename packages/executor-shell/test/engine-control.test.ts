import { readdirSync, readFileSync } from 'node:fs';
import { createSentry, definePlugin, type Sentry } from '@sentry-git/core';
import { type GitFixture, gate, gitdir, tempdir } from '@sentry-git/test-utils';
import { describe, expect, it, onTestFinished, vi } from 'vitest';
import type { ShellHandle } from '../src/handle.js';
import shellPlugin from '../src/index.js';

/** A provider reading a real bare repository's heads, so that the engine polls real git. */
function fixtureProvider(remote: GitFixture) {
  return definePlugin({
    name: 'fixture-forge',
    providers: [
      {
        id: 'fixture',
        capabilities: { changedFiles: false, commitStatus: false, webhooks: false },
        async listHeads() {
          return { heads: [...(await remote.heads())].map(([branch, sha]) => ({ branch, sha })) };
        },
      },
    ],
  });
}

async function engine(
  remote: GitFixture,
  commands: string[],
  env: Record<string, string> = {},
): Promise<Sentry> {
  const sentry = await createSentry({
    config: {
      state: { driver: 'memory' },
      global: { tmp_dir: await tempdir() },
      repositories: [
        {
          name: 'app',
          monitor: { repo_url: remote.url, repo_type: 'fixture', branches: ['main'] },
          deploy: { commands, env },
        },
      ],
    },
    plugins: [fixtureProvider(remote), shellPlugin],
    env: {},
  });
  onTestFinished(() => sentry.close({ graceMs: 0 }));
  return sentry;
}

/** No process of the group is left: kill(-pgid, 0) fails (or only zombies PID 1 has not reaped remain). */
function groupGone(pgid: number): boolean {
  try {
    process.kill(-pgid, 0);
  } catch {
    return true;
  }
  return readdirSync('/proc')
    .filter((name) => /^\d+$/.test(name))
    .every((pid) => {
      try {
        const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
        const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
        return Number(fields[2]) !== pgid || fields[0] === 'Z' || fields[0] === 'X';
      } catch {
        return true;
      }
    });
}

/** Pushes a commit after the baseline and polls: the run deploying it, once its first output arrived. */
async function deployStarted(sentry: Sentry, remote: GitFixture) {
  await sentry.pollOnce();
  await remote.commit('main');
  const printed = new Promise<void>((resolve) => {
    const off = sentry.on('job:output', ({ text }) => {
      if (!text.includes('started')) return;
      off();
      resolve();
    });
  });
  const [run] = (await sentry.pollOnce()).runs;
  await printed;
  return run!;
}

describe('the engine with the shell executor: cancel and live output', () => {
  it('cancelling a running deploy kills its whole process group and ends it cancelled', async () => {
    const remote = await gitdir({ branches: ['main'] });
    const sentry = await engine(remote, ['echo started', 'sleep 1000 & sleep 1000 & wait']);
    const run = await deployStarted(sentry, remote);
    const handle = (await sentry.store.getRun(run.id))!.jobs[0]!.handle as ShellHandle;
    expect(groupGone(handle.pgid)).toBe(false);

    const result = await sentry.cancel(run.id, { by: 'alice', reason: 'wrong commit' });
    expect(result.outcome).toBe('requested');
    const [done] = await sentry.waitForRuns([run.id]);
    expect(done).toMatchObject({ status: 'cancelled', error: 'cancelled by alice: wrong commit' });
    expect(done!.jobs[0]).toMatchObject({ status: 'cancelled', error: 'cancelled by alice: wrong commit' });
    expect(done!.jobs[0]!.output).toContain('started');
    // SIGKILL was sent before the job ended; the kernel may still be tearing the processes down.
    await vi.waitFor(() => expect(groupGone(handle.pgid)).toBe(true), { timeout: 15_000, interval: 20 });
  });

  it('followJob yields the lines while the job runs and ends when it finishes', async () => {
    const remote = await gitdir({ branches: ['main'] });
    const step = await gate();
    const sentry = await engine(remote, ['echo started', 'read _ < "$GATE"', 'echo finishing'], {
      GATE: step.path,
    });
    const run = await deployStarted(sentry, remote);
    const seen: string[] = [];
    let opened: Promise<void> | undefined;
    for await (const chunk of sentry.followJob(run.id, run.jobs[0]!.id)) {
      seen.push(chunk);
      // The job waits for this step: it can only finish once its first line was followed.
      if (seen.join('').includes('started\n')) opened ??= step.open();
    }
    await opened;
    const text = seen.join('');
    expect(text.indexOf('started\n')).toBeGreaterThanOrEqual(0);
    expect(text.indexOf('finishing\n')).toBeGreaterThan(text.indexOf('started\n'));
    const [done] = await sentry.waitForRuns([run.id]);
    expect(done!.status).toBe('succeeded');
  });
});
