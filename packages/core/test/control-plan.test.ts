import { describe, expect, it } from 'vitest';
import { createSentry, definePlugin, SentryError } from '../src/index.js';
import { forgeRepository, recordEvents, scriptedForge } from '../src/testing/index.js';
import { controlEngine, SHA } from './control-engine.js';
import { memoryProvider } from './memory-plugin.js';

describe('plan (the dry run)', () => {
  it('shows what a poll would deploy per unit, with pauses and queued runs, and records nothing', async () => {
    const forge = scriptedForge();
    forge.set('app', 'main', SHA('a'));
    forge.set('app', 'release/1', SHA('a'));
    forge.set('web', 'main', SHA('a'));
    const sentry = await controlEngine(forge);
    await sentry.pollOnce(); // baselines app and web; api has no branch yet
    await sentry.pause({ group: 'site' }, { by: 'erin' });
    forge.set('web', 'main', SHA('b'));
    const [queued] = (await sentry.pollOnce()).runs;
    forge.set('app', 'main', SHA('c'));
    forge.set('app', 'release/1', null);
    forge.set('web', 'main', SHA('d'));
    const before = {
      heads: await sentry.store.getHeads('app'),
      runs: await sentry.store.listRuns(),
    };
    const events = [...(['change', 'baseline', 'run:queued', 'poll:start', 'poll:finish'] as const)].map(
      (name) => recordEvents(sentry, name),
    );

    const plan = await sentry.plan();
    expect(plan.errors).toEqual([]);
    expect(plan.units).toEqual([
      {
        unit: 'repository:app',
        paused: null,
        queued: [],
        changes: [
          { repository: 'app', branch: 'main', from: SHA('a'), to: SHA('c'), kind: 'updated', deploys: true },
          {
            repository: 'app',
            branch: 'release/1',
            from: SHA('a'),
            to: null,
            kind: 'deleted',
            deploys: false,
            skipped: 'the branch was deleted: nothing to deploy',
          },
        ],
      },
      {
        unit: 'group:site',
        paused: expect.objectContaining({ unit: 'group:site', by: 'erin' }),
        queued: [{ id: queued!.id, trigger: 'poll', createdAt: queued!.createdAt }],
        changes: [
          { repository: 'web', branch: 'main', from: SHA('b'), to: SHA('d'), kind: 'updated', deploys: true },
        ],
      },
    ]);
    expect(await sentry.store.getHeads('app')).toEqual(before.heads);
    expect(await sentry.store.listRuns()).toEqual(before.runs);
    expect(events.flat()).toEqual([]);
  });

  it('a repository not seen yet would be baselined; path filters and skip markers are applied as a poll applies them', async () => {
    const forge = scriptedForge();
    forge.set('app', 'main', SHA('a'));
    const sentry = await controlEngine(forge);
    const first = await sentry.plan({ repositories: ['app'] });
    expect(first.units).toEqual([
      expect.objectContaining({
        unit: 'repository:app',
        changes: [
          {
            repository: 'app',
            branch: 'main',
            from: null,
            to: SHA('a'),
            kind: 'baseline',
            deploys: false,
            skipped:
              'first sighting: recorded as the baseline, not deployed (global.deploy_on_first_sight is false)',
          },
        ],
      }),
    ]);
    expect((await sentry.store.getHeads('app')).seen).toBe(false);

    // A forge that answers what changed: only docs moved, which monitor.ignore_paths leaves out.
    let moved = false;
    const filtered = await createSentry({
      config: {
        state: { driver: 'memory' },
        repositories: [
          forgeRepository('docs', { monitor: { repo_type: 'answering', ignore_paths: ['docs/**'] } }),
        ],
      },
      plugins: [
        forge.plugin,
        definePlugin({
          name: 'answering',
          providers: [
            memoryProvider(
              async () => ({ heads: [{ branch: 'main', sha: SHA(moved ? 'f' : 'e') }] }),
              'answering',
              async () => ({ files: ['docs/readme.md'], commits: [{ sha: SHA('f'), message: 'docs' }] }),
            ),
          ],
        }),
      ],
      env: {},
    });
    await filtered.pollOnce();
    moved = true;
    const plan = await filtered.plan();
    await filtered.close();
    expect(plan.units[0]!.changes).toEqual([
      {
        repository: 'docs',
        branch: 'main',
        from: SHA('e'),
        to: SHA('f'),
        kind: 'updated',
        deploys: false,
        skipped: 'only files in monitor.ignore_paths changed',
      },
    ]);
  });

  it('reports a repository it cannot read, redacted, and refuses an unknown name', async () => {
    const sentry = await createSentry({
      config: {
        state: { driver: 'memory' },
        repositories: [forgeRepository('down', { monitor: { repo_type: 'failing' } })],
      },
      plugins: [
        scriptedForge().plugin,
        definePlugin({
          name: 'failing',
          providers: [
            memoryProvider(async () => {
              throw new SentryError('PROVIDER_UNREACHABLE', 'forge down (token s3cr3t-token)');
            }, 'failing'),
          ],
        }),
      ],
      secrets: ['s3cr3t-token'],
      env: {},
    });
    const plan = await sentry.plan();
    await expect(sentry.plan({ repositories: ['nope'] })).rejects.toMatchObject({
      code: 'UNKNOWN_REPOSITORY',
    });
    await sentry.close();
    expect(plan.errors).toEqual([
      { repository: 'down', error: expect.stringContaining('forge down (token [REDACTED])') },
    ]);
    expect(plan.units).toEqual([{ unit: 'repository:down', paused: null, queued: [], changes: [] }]);
  });
});
