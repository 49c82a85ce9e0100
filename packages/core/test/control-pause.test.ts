import { describe, expect, it } from 'vitest';
import { createMemoryStateStore } from '../src/index.js';
import { nextEvent, recordEvents, scriptedForge } from '../src/testing/index.js';
import { controlEngine, SHA } from './control-engine.js';
import { captureLogger } from './notify-helpers.js';

describe('pause and resume', () => {
  it('a paused repository is polled and its changes recorded, nothing deploys; resume deploys once, at the latest head', async () => {
    const forge = scriptedForge();
    forge.set('app', 'main', SHA('a'));
    const sentry = await controlEngine(forge);
    await sentry.pollOnce();
    const actions = recordEvents(sentry, 'action');

    const pause = await sentry.pause({ repository: 'app' }, { by: 'erin', reason: 'release freeze' });
    expect(pause).toMatchObject({ unit: 'repository:app', by: 'erin', reason: 'release freeze' });
    expect(await sentry.pauses()).toEqual([pause]);

    forge.set('app', 'main', SHA('b'));
    const [queued] = (await sentry.pollOnce()).runs;
    forge.set('app', 'main', SHA('c'));
    const [merged] = (await sentry.pollOnce()).runs;
    expect(merged!.id).toBe(queued!.id);
    await sentry.idle();
    expect(forge.deployed).toEqual([]);
    expect((await sentry.store.getHeads('app')).heads[0]).toMatchObject({ sha: SHA('c') });
    const [status] = await sentry.status();
    expect(status).toMatchObject({ name: 'app', paused: pause });

    // A trigger of a paused unit is queued and waits too.
    const [triggered] = await sentry.trigger({ repositories: ['app'], by: 'erin' });
    expect(triggered!.id).toBe(queued!.id);
    await sentry.idle();
    expect(forge.deployed).toEqual([]);

    const finished = nextEvent(sentry, 'run:finish');
    const resumed = await sentry.resume({ repository: 'app' }, { by: 'erin' });
    expect(resumed).toMatchObject({ unit: 'repository:app', resumed: true });
    expect(resumed.queued.map((run) => run.id)).toEqual([queued!.id]);
    expect((await finished).run.status).toBe('succeeded');
    expect(forge.deployed.map((job) => job.sha)).toEqual([SHA('c')]);
    expect(await sentry.pauses()).toEqual([]);
    expect((await sentry.status())[0]!.paused).toBeNull();
    expect(actions.map((action) => [action.action, action.target, action.runs])).toEqual([
      ['pause', 'repository:app', []],
      ['trigger', 'repository:app', [queued!.id]],
      ['resume', 'repository:app', [queued!.id]],
    ]);

    // Resuming a unit that is not paused says so.
    expect((await sentry.resume({ repository: 'app' }, { by: 'erin' })).resumed).toBe(false);
  });

  it('a group pauses as one; its running run goes on', async () => {
    const forge = scriptedForge();
    forge.set('web', 'main', SHA('a'));
    forge.set('api', 'main', SHA('a'));
    const sentry = await controlEngine(forge);
    await sentry.pollOnce();
    forge.set('web', 'main', SHA('b'));
    const hold = forge.hold();
    const started = nextEvent(sentry, 'job:start');
    const [running] = (await sentry.pollOnce()).runs;
    await started;

    await sentry.pause({ group: 'site' }, { by: 'erin' });
    forge.set('api', 'main', SHA('b'));
    await sentry.pollOnce();
    hold.release();
    const [done] = await sentry.waitForRuns([running!.id]);
    expect(done!.status).toBe('succeeded');
    await sentry.idle();
    expect(forge.deployed.map((job) => job.repository)).toEqual(['web']);
    expect((await sentry.status()).map((repo) => [repo.name, repo.paused?.unit ?? null])).toEqual([
      ['app', null],
      ['web', 'group:site'],
      ['api', 'group:site'],
    ]);
  });

  it('a resume written to the store by another process is noticed, and what waited starts', async () => {
    const forge = scriptedForge();
    forge.set('app', 'main', SHA('a'));
    const sentry = await controlEngine(forge);
    await sentry.pollOnce();
    await sentry.pause({ repository: 'app' }, { by: 'erin' });
    forge.set('app', 'main', SHA('b'));
    await sentry.pollOnce();
    await sentry.idle();
    const finished = nextEvent(sentry, 'run:finish');
    // What `sentry-git resume` does when no server runs: the store only.
    await sentry.store.setPause('repository:app', null);
    expect((await finished).run.status).toBe('succeeded');
    expect(forge.deployed.map((job) => job.sha)).toEqual([SHA('b')]);
  });

  it('a pause is kept in the store: a new engine on it does not start the waiting run', async () => {
    const store = createMemoryStateStore();
    const forge = scriptedForge();
    forge.set('app', 'main', SHA('a'));
    const first = await controlEngine(forge, { stateStore: Object.create(store) });
    await first.pollOnce();
    await first.pause({ repository: 'app' }, { by: 'erin' });
    forge.set('app', 'main', SHA('b'));
    const [queued] = (await first.pollOnce()).runs;
    await first.stop();

    const second = await controlEngine(forge, { stateStore: store });
    await second.start();
    await second.idle();
    expect(forge.deployed).toEqual([]);
    expect((await second.store.getRun(queued!.id))?.status).toBe('queued');
    expect((await second.status())[0]!.paused).toMatchObject({ by: 'erin' });
    const finished = nextEvent(second, 'run:finish');
    await second.resume({ repository: 'app' }, { by: 'erin' });
    expect((await finished).run.id).toBe(queued!.id);
  });

  it('the event logger logs who paused and resumed what', async () => {
    const logger = captureLogger();
    const sentry = await controlEngine(scriptedForge(), { logger });
    await sentry.pause({ group: 'site' }, { by: 'erin', reason: 'release freeze' });
    await sentry.resume({ group: 'site' }, { by: 'erin' });
    const lines = logger.lines.map((line) => JSON.parse(line) as { level: string; obj: object; msg: string });
    expect(lines.filter((line) => line.msg.includes('asked to'))).toEqual([
      {
        level: 'info',
        obj: { action: 'pause', by: 'erin', target: 'group:site', runs: [], reason: 'release freeze' },
        msg: 'erin asked to pause group:site (release freeze)',
      },
      {
        level: 'info',
        obj: { action: 'resume', by: 'erin', target: 'group:site', runs: [] },
        msg: 'erin asked to resume group:site',
      },
    ]);
  });

  it('names what cannot be paused', async () => {
    const sentry = await controlEngine(scriptedForge());
    await expect(sentry.pause({ repository: 'web' }, { by: 'erin' })).rejects.toMatchObject({
      code: 'PAUSE_TARGET_IN_GROUP',
      message: expect.stringMatching(/^Cannot pause web alone: it deploys as part of group "site"\./),
      fix: 'Pause the group: { group: "site" } (sentry-git pause --group site).',
    });
    await expect(sentry.resume({ group: 'sit' }, { by: 'erin' })).rejects.toMatchObject({
      code: 'GROUP_NOT_FOUND',
      fix: 'Did you mean "site"?',
    });
    await expect(sentry.pause({ repository: 'nope' }, { by: 'erin' })).rejects.toMatchObject({
      code: 'REPOSITORY_NOT_FOUND',
    });
    expect(await sentry.pauses()).toEqual([]);
  });
});
