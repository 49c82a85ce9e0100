import { describe, expect, it } from 'vitest';
import { createMemoryStateStore, type Sentry } from '../src/index.js';
import { endedNow, nextEvent, type ScriptedForge, scriptedForge } from '../src/testing/index.js';
import { controlEngine, SHA } from './control-engine.js';

function step() {
  let open = () => {};
  const opened = new Promise<void>((resolve) => {
    open = resolve;
  });
  return { opened, open };
}

/** A job of `app` that prints `one`, waits, prints `two` (with a secret), waits, and succeeds. */
async function runningJob(sentry: Sentry, forge: ScriptedForge) {
  const first = step();
  const second = step();
  forge.next(async (_job, { output }) => {
    output('stdout', 'one\n');
    await first.opened;
    output('stderr', 'two s3cr3t\n');
    await second.opened;
    return endedNow('succeeded');
  });
  forge.set('app', 'main', SHA('a'));
  await sentry.pollOnce();
  forge.set('app', 'main', SHA('b'));
  const printed = nextEvent(sentry, 'job:output');
  const [run] = (await sentry.pollOnce()).runs;
  await printed;
  return { run: run!, job: run!.jobs[0]!, first, second };
}

describe('followJob', () => {
  it('follows a job running here: the output so far, each new piece, and the end', async () => {
    const forge = scriptedForge();
    const sentry = await controlEngine(forge, { secrets: ['s3cr3t'] });
    const { run, job, first, second } = await runningJob(sentry, forge);
    const follow = sentry.followJob(run.id, job.id)[Symbol.asyncIterator]();
    expect(await follow.next()).toEqual({ done: false, value: 'one\n' });
    first.open();
    expect(await follow.next()).toEqual({ done: false, value: 'two [REDACTED]\n' });
    second.open();
    expect(await follow.next()).toEqual({ done: true, value: undefined });

    // A finished job: its output, then the end.
    const chunks: string[] = [];
    for await (const chunk of sentry.followJob(run.id, job.id)) chunks.push(chunk);
    expect(chunks.join('')).toBe('one\ntwo [REDACTED]\n');
  });

  it('follows a job another engine runs, from the output it saves to the store while the job runs', async () => {
    const store = createMemoryStateStore();
    const forge = scriptedForge();
    const running = await controlEngine(forge, { stateStore: store, secrets: ['s3cr3t'] });
    const { run, job, first, second } = await runningJob(running, forge);
    // Another replica (or a CLI without a server): same store, another engine.
    const other = await controlEngine(scriptedForge(), { stateStore: Object.create(store) });
    const follow = other.followJob(run.id, job.id)[Symbol.asyncIterator]();
    expect(await follow.next()).toEqual({ done: false, value: 'one\n' });
    expect((await store.getRun(run.id))?.jobs[0]).toMatchObject({ status: 'running', output: 'one\n' });
    first.open();
    expect(await follow.next()).toEqual({ done: false, value: 'two [REDACTED]\n' });
    second.open();
    expect(await follow.next()).toEqual({ done: true, value: undefined });
  });

  it('ends when its signal aborts, and names an unknown run or job', async () => {
    const forge = scriptedForge();
    const sentry = await controlEngine(forge);
    const { run, job, first, second } = await runningJob(sentry, forge);
    const controller = new AbortController();
    const follow = sentry.followJob(run.id, job.id, { signal: controller.signal })[Symbol.asyncIterator]();
    expect((await follow.next()).value).toBe('one\n');
    const ended = follow.next();
    controller.abort();
    expect(await ended).toEqual({ done: true, value: undefined });
    first.open();
    second.open();

    await expect(sentry.followJob('run_nope', job.id)[Symbol.asyncIterator]().next()).rejects.toMatchObject({
      code: 'RUN_NOT_FOUND',
    });
    await expect(sentry.followJob(run.id, 'job_nope')[Symbol.asyncIterator]().next()).rejects.toMatchObject({
      code: 'JOB_NOT_FOUND',
      fix: `Use one of its jobs: ${job.id}.`,
    });
  });
});
