import { readdirSync, readFileSync } from 'node:fs';
import { createSentry, type Sentry } from '@sentry-git/core';
import { forgeRepository, nextEvent, type ScriptedForge, scriptedForge } from '@sentry-git/core/testing';
import { gate, tempdir } from '@sentry-git/test-utils';
import { describe, expect, it, onTestFinished, vi } from 'vitest';
import type { ShellHandle } from '../src/handle.js';
import shellPlugin from '../src/index.js';

const SHA = (digit: string) => digit.repeat(40);

async function engine(
  forge: ScriptedForge,
  commands: string[],
  env: Record<string, string> = {},
): Promise<Sentry> {
  const sentry = await createSentry({
    config: {
      state: { driver: 'memory' },
      global: { tmp_dir: await tempdir() },
      repositories: [forgeRepository('app', { deploy: { executor: 'shell', commands, env } })],
    },
    plugins: [forge.plugin, shellPlugin],
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

/** Moves `main` after the baseline and polls: the run deploying it, once its first output arrived. */
async function deployStarted(sentry: Sentry, forge: ScriptedForge) {
  forge.set('app', 'main', SHA('a'));
  await sentry.pollOnce();
  forge.set('app', 'main', SHA('b'));
  const printed = nextEvent(sentry, 'job:output', ({ text }) => text.includes('started'));
  const [run] = (await sentry.pollOnce()).runs;
  await printed;
  return run!;
}

describe('the engine with the shell executor: cancel and live output', () => {
  it('cancelling a running deploy kills its whole process group and ends it cancelled', async () => {
    const forge = scriptedForge();
    const sentry = await engine(forge, ['echo started', 'sleep 1000 & sleep 1000 & wait']);
    const run = await deployStarted(sentry, forge);
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
    const forge = scriptedForge();
    const step = await gate();
    const sentry = await engine(forge, ['echo started', 'read _ < "$GATE"', 'echo finishing'], {
      GATE: step.path,
    });
    const run = await deployStarted(sentry, forge);
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
