import { readFile } from 'node:fs/promises';
import net from 'node:net';
import path from 'node:path';
import { nextEvent } from '@sentry-git/core/testing';
import { gate, gitdir, isProcessAlive, tempdir } from '@sentry-git/test-utils';
import { describe, expect, it, onTestFinished } from 'vitest';
import { engine, lines, recordEvents, repo } from './helpers.js';

const RECORD =
  'echo "$SENTRY_REPO $SENTRY_BRANCH $SENTRY_COMMIT $SENTRY_PREVIOUS_COMMIT $SENTRY_TRIGGER $SENTRY_GROUP $SENTRY_PROJECT" >> "$LOG"';

describe('watching a repository', () => {
  it('baselines first, deploys a watched push once with SENTRY_* set, ignores unwatched branches', async () => {
    const remote = await gitdir({ branches: ['main'] });
    const log = path.join(await tempdir(), 'deploys.log');
    const sentry = await engine({
      polling_interval: 1,
      repositories: [repo('app', remote.bare, [RECORD], { branches: ['main', 'dev.*'], env: { LOG: log } })],
    });
    const changes = recordEvents(sentry, ['change']);

    const first = await sentry.pollOnce();
    expect(first).toMatchObject({ checked: 1, changed: 0, errors: 0, runs: [] });
    expect(await lines(log)).toEqual([]);

    const before = (await remote.heads()).get('main')!;
    const sha = await remote.commit('main');
    await remote.commit('feature-x');
    const second = await sentry.pollOnce();
    expect(second.runs).toHaveLength(1);
    await sentry.idle();
    expect(await lines(log)).toEqual([`app main ${sha} ${before} poll  app`]);

    await remote.commit('feature-x');
    expect((await sentry.pollOnce()).runs).toEqual([]);

    const dev = await remote.commit('dev-login');
    const third = await sentry.pollOnce();
    await sentry.waitForRuns(third.runs.map((run) => run.id));
    expect((await lines(log)).at(-1)).toBe(`app dev-login ${dev}  poll  app`);

    await remote.deleteBranch('dev-login');
    expect((await sentry.pollOnce()).runs).toEqual([]);
    expect(changes.map(([, c]) => `${c.branch}:${c.kind}`)).toEqual([
      'main:updated',
      'dev-login:created',
      'dev-login:deleted',
    ]);
    expect(await lines(log)).toHaveLength(2);

    const runs = await sentry.store.listRuns();
    expect(runs.map((run) => run.status)).toEqual(['succeeded', 'succeeded']);
  });

  it('coalesces pushes made during a running deploy into one follow-up run at the latest SHA', async () => {
    const remote = await gitdir({ branches: ['main'] });
    const hold = await gate();
    const log = path.join(await tempdir(), 'deploys.log');
    const sentry = await engine({
      repositories: [
        repo(
          'app',
          remote.bare,
          ['echo "$SENTRY_COMMIT" >> "$LOG"', 'if [ "$(wc -l < "$LOG")" -eq 1 ]; then read _ < "$GATE"; fi'],
          { env: { LOG: log, GATE: hold.path } },
        ),
      ],
    });
    await sentry.pollOnce();
    const first = await remote.commit('main');
    const started = nextEvent(sentry, 'job:start');
    const run1 = (await sentry.pollOnce()).runs[0]!;
    await started;

    await remote.commit('main');
    const run2 = (await sentry.pollOnce()).runs[0]!;
    expect(run2.id).not.toBe(run1.id);
    const latest = await remote.commit('main');
    const queued = nextEvent(sentry, 'run:queued');
    const merged = (await sentry.pollOnce()).runs[0]!;
    expect((await queued).coalesced).toBe(true);
    expect(merged.id).toBe(run2.id);
    expect(merged.jobs).toHaveLength(1);
    expect(merged.jobs[0]).toMatchObject({ sha: latest, previousSha: first });

    await hold.open();
    await sentry.idle();
    expect(await lines(log)).toEqual([first, latest]);
    const runs = await sentry.store.listRuns();
    expect(runs.map((run) => [run.id, run.status])).toEqual([
      [run2.id, 'succeeded'],
      [run1.id, 'succeeded'],
    ]);
  });
});

describe('groups', () => {
  async function groupSetup(maxParallel: number) {
    const a = await gitdir({ branches: ['main'] });
    const b = await gitdir({ branches: ['main'] });
    const gates = { a: await gate('a'), b: await gate('b') };
    const sentry = await engine({
      groups: { g: { execution_strategy: 'parallel', max_parallel: maxParallel } },
      repositories: [
        repo('a', a.bare, ['echo started', 'read _ < "$GATE"'], { group: 'g', env: { GATE: gates.a.path } }),
        repo('b', b.bare, ['echo started', 'read _ < "$GATE"'], { group: 'g', env: { GATE: gates.b.path } }),
      ],
    });
    await sentry.pollOnce();
    await a.commit('main');
    await b.commit('main');
    const events = recordEvents(sentry, ['job:start', 'job:finish']);
    return { sentry, gates, events };
  }

  it('changes of one cycle become one group run; max_parallel 2 members overlap', async () => {
    const { sentry, gates, events } = await groupSetup(2);
    const bothStarted = Promise.all([
      nextEvent(sentry, 'job:start', ({ job }) => job.repository === 'a'),
      nextEvent(sentry, 'job:start', ({ job }) => job.repository === 'b'),
    ]);
    const { runs } = await sentry.pollOnce();
    expect(runs).toHaveLength(1);
    expect(runs[0]!.jobs.map((job) => job.repository)).toEqual(['a', 'b']);
    await bothStarted;
    await Promise.all([gates.a.open(), gates.b.open()]);
    await sentry.idle();
    expect(events.slice(0, 2).map(([name]) => name)).toEqual(['job:start', 'job:start']);
  });

  it('max_parallel 1 members never overlap', async () => {
    const { sentry, gates, events } = await groupSetup(1);
    // Once a's shell prints, an unbounded strategy would already have started b.
    const aRunning = nextEvent(
      sentry,
      'job:output',
      ({ repository, text }) => repository === 'a' && text.includes('started'),
    );
    const bRunning = nextEvent(
      sentry,
      'job:output',
      ({ repository, text }) => repository === 'b' && text.includes('started'),
    );
    await sentry.pollOnce();
    await aRunning;
    await gates.a.open();
    await bRunning;
    await gates.b.open();
    await sentry.idle();
    expect(events.map(([name, p]) => `${name} ${'job' in p ? p.job.repository : ''}`)).toEqual([
      'job:start a',
      'job:finish a',
      'job:start b',
      'job:finish b',
    ]);
  });

  it('sequential without continue_on_error stops at the first failure and skips the rest', async () => {
    const remotes = [
      await gitdir({ branches: ['main'] }),
      await gitdir({ branches: ['main'] }),
      await gitdir({ branches: ['main'] }),
    ];
    const log = path.join(await tempdir(), 'order.log');
    const sentry = await engine({
      groups: { critical: { execution_strategy: 'sequential', continue_on_error: false } },
      repositories: [
        repo('one', remotes[0]!.bare, ['echo one >> "$LOG"'], { group: 'critical', env: { LOG: log } }),
        repo('two', remotes[1]!.bare, ['echo two >> "$LOG"', 'exit 7', 'echo never >> "$LOG"'], {
          group: 'critical',
          env: { LOG: log },
        }),
        repo('three', remotes[2]!.bare, ['echo three >> "$LOG"'], { group: 'critical', env: { LOG: log } }),
      ],
    });
    await sentry.pollOnce();
    for (const remote of remotes) await remote.commit('main');
    const { runs } = await sentry.pollOnce();
    const [run] = await sentry.waitForRuns(runs.map((r) => r.id));
    expect(run!.status).toBe('failed');
    expect(run!.jobs.map((job) => [job.repository, job.status, job.exitCode])).toEqual([
      ['one', 'succeeded', 0],
      ['two', 'failed', 7],
      ['three', 'skipped', null],
    ]);
    expect(await lines(log)).toEqual(['one', 'two']);
  });

  it('global_timeout ends the group run with timed_out', async () => {
    const a = await gitdir({ branches: ['main'] });
    const b = await gitdir({ branches: ['main'] });
    const hold = await gate();
    const sentry = await engine({
      groups: { slow: { execution_strategy: 'sequential', continue_on_error: true, global_timeout: 1 } },
      repositories: [
        repo('a', a.bare, ['read _ < "$GATE"'], { group: 'slow', env: { GATE: hold.path } }),
        repo('b', b.bare, ['true'], { group: 'slow' }),
      ],
    });
    await sentry.pollOnce();
    await a.commit('main');
    await b.commit('main');
    const [run] = await sentry.waitForRuns((await sentry.pollOnce()).runs.map((r) => r.id));
    expect(run!.status).toBe('timed_out');
    expect(run!.error).toMatch(/exceeded its timeout of 1 s/);
    expect(run!.jobs.map((job) => job.status)).toEqual(['timed_out', 'skipped']);
  });
});

describe('jobs', () => {
  it('kills a command that outlives its timeout, with its children', async () => {
    const remote = await gitdir({ branches: ['main'] });
    const dir = await tempdir();
    const pidFile = path.join(dir, 'child.pid');
    const sentry = await engine({
      repositories: [
        repo('app', remote.bare, ['sleep 300 & echo $! > "$PIDFILE"; wait'], {
          timeout: 1,
          env: { PIDFILE: pidFile },
        }),
      ],
    });
    await sentry.pollOnce();
    await remote.commit('main');
    const [run] = await sentry.waitForRuns((await sentry.pollOnce()).runs.map((r) => r.id));
    expect(run!.jobs[0]).toMatchObject({ status: 'timed_out', exitCode: null });
    const pid = Number(await readFile(pidFile, 'utf8'));
    expect(pid).toBeGreaterThan(0);
    expect(isProcessAlive(pid)).toBe(false);
  });

  it('runs commands in one session (cd holds) and fails with the failing command’s exit code', async () => {
    const qa = await gitdir({ branches: ['main'], files: { 'deploy/rag/app.yaml': 'kind: Test\n' } });
    const remote = await gitdir({ branches: ['main'] });
    const sentry = await engine({
      repositories: [
        {
          name: 'app',
          monitor: { repo_url: remote.bare, branches: ['main'] },
          deploy: {
            qa_repo_url: qa.bare,
            qa_repo_branch: 'main',
            commands: ['cd deploy/rag', 'cat app.yaml', 'test -f app.yaml', 'exit 4'],
          },
        },
      ],
    });
    await sentry.pollOnce();
    await remote.commit('main');
    const [run] = await sentry.waitForRuns((await sentry.pollOnce()).runs.map((r) => r.id));
    expect(run!.jobs[0]).toMatchObject({ status: 'failed', exitCode: 4 });
    expect(run!.jobs[0]!.output).toContain('kind: Test');
  });

  it('trigger deploys at the last known heads, reading them fresh when none are known', async () => {
    const remote = await gitdir({ branches: ['main', 'dev-a'] });
    const log = path.join(await tempdir(), 'deploys.log');
    const sentry = await engine({
      repositories: [repo('app', remote.bare, [RECORD], { branches: ['main', 'dev-.*'], env: { LOG: log } })],
    });
    const runs = await sentry.trigger();
    const [run] = await sentry.waitForRuns(runs.map((r) => r.id));
    expect(run!.status).toBe('succeeded');
    const heads = await remote.heads();
    expect((await lines(log)).sort()).toEqual([
      `app dev-a ${heads.get('dev-a')}  manual  app`,
      `app main ${heads.get('main')}  manual  app`,
    ]);
    // The fresh read was recorded as the baseline: the next poll deploys nothing.
    expect((await sentry.pollOnce()).runs).toEqual([]);
    await expect(sentry.trigger({ repositories: ['nope'] })).rejects.toMatchObject({
      code: 'UNKNOWN_REPOSITORY',
    });
    await expect(sentry.trigger({ group: 'nope' })).rejects.toMatchObject({ code: 'UNKNOWN_GROUP' });
  });

  it('a poll error on one repository does not stop the others', async () => {
    const good = await gitdir({ branches: ['main'] });
    const sentry = await engine({
      repositories: [
        repo('broken', path.join(await tempdir(), 'missing.git'), ['true']),
        repo('good', good.bare, ['true']),
      ],
    });
    const errors = recordEvents(sentry, ['poll:error']);
    await sentry.pollOnce();
    await good.commit('main');
    const result = await sentry.pollOnce();
    expect(result).toMatchObject({ errors: 1, checked: 2 });
    expect(result.runs).toHaveLength(1);
    expect(errors[0]![1]).toMatchObject({ repository: 'broken', consecutiveFailures: 1 });
    const status = await sentry.status();
    expect(status.find((s) => s.name === 'broken')!.health.consecutiveFailures).toBe(2);
  });
});

describe('stopping', () => {
  it('lets a running job finish within the grace period', async () => {
    const remote = await gitdir({ branches: ['main'] });
    const hold = await gate();
    const sentry = await engine({
      repositories: [
        repo('app', remote.bare, ['echo started', 'read _ < "$GATE"'], { env: { GATE: hold.path } }),
      ],
    });
    await sentry.pollOnce();
    await remote.commit('main');
    const running = nextEvent(sentry, 'job:output', ({ text }) => text.includes('started'));
    const { runs } = await sentry.pollOnce();
    await running;
    const stopped = sentry.stop({ graceMs: 60_000 });
    await hold.open();
    await stopped;
    expect((await sentry.store.getRun(runs[0]!.id))!.status).toBe('succeeded');
  });

  it('cancels jobs still running when the grace period is over, and leaves queued runs queued', async () => {
    const a = await gitdir({ branches: ['main'] });
    const b = await gitdir({ branches: ['main'] });
    const hold = await gate();
    const sentry = await engine({
      repositories: [
        repo('a', a.bare, ['echo started', 'read _ < "$GATE"'], { env: { GATE: hold.path } }),
        repo('b', b.bare, ['true']),
      ],
    });
    await sentry.pollOnce();
    await a.commit('main');
    const running = nextEvent(sentry, 'job:output', ({ text }) => text.includes('started'));
    const first = (await sentry.pollOnce()).runs[0]!;
    await running;
    await a.commit('main');
    const followUp = (await sentry.pollOnce({ repositories: ['a'] })).runs[0]!;
    await sentry.stop({ graceMs: 0 });
    const cancelled = (await sentry.store.getRun(first.id))!;
    expect(cancelled.status).toBe('cancelled');
    expect(cancelled.jobs[0]).toMatchObject({ status: 'cancelled', exitCode: null });
    expect(cancelled.error).toMatch(/grace period/);
    expect((await sentry.store.getRun(followUp.id))!.status).toBe('queued');
  });
});

describe('poll faults', () => {
  it('a silent host ends in POLL_TIMEOUT naming the repository, after global.poll_timeout', async () => {
    const sockets: net.Socket[] = [];
    const server = net.createServer((socket) => sockets.push(socket));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    onTestFinished(() => {
      for (const socket of sockets) socket.destroy();
      return new Promise<void>((resolve) => server.close(() => resolve()));
    });
    const port = (server.address() as net.AddressInfo).port;
    const sentry = await engine({
      global: { poll_timeout: 1 },
      repositories: [repo('silent', `http://127.0.0.1:${port}/x.git`, ['true'])],
    });
    const error = nextEvent(sentry, 'poll:error');
    expect(await sentry.pollOnce()).toMatchObject({ errors: 1 });
    const { error: reported, repository } = await error;
    expect(repository).toBe('silent');
    expect(reported).toMatchObject({ code: 'POLL_TIMEOUT' });
    expect(reported.message).toContain('Polling silent took longer than global.poll_timeout (1 s)');
  });
});
