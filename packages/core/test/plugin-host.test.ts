import { describe, expect, it } from 'vitest';
import {
  createLogger,
  createRedactor,
  createSentry,
  definePlugin,
  type PluginHost,
  type SentryPlugin,
} from '../src/index.js';
import { forgeRepository, scriptedForge } from '../src/testing/index.js';

const SHA = (digit: string) => digit.repeat(40);

async function engine(plugins: SentryPlugin[], lines: string[] = []) {
  const forge = scriptedForge();
  const logger = createLogger({
    redactor: createRedactor([]),
    level: 'debug',
    destination: { write: (line: string) => lines.push(line) },
  });
  const sentry = await createSentry({
    config: {
      polling_interval: 3600,
      state: { driver: 'memory' },
      repositories: [forgeRepository('app'), forgeRepository('other')],
    },
    plugins: [forge.plugin, ...plugins],
    logger,
    env: {},
  });
  return { sentry, forge };
}

describe('plugins and their host', () => {
  it('setup() receives a PluginHost, not the engine; pollNow and trigger ask it for work', async () => {
    let host: PluginHost | undefined;
    const { sentry, forge } = await engine([
      definePlugin({
        name: 'observer',
        setup(given) {
          host = given;
        },
      }),
    ]);
    expect(Object.keys(host!).sort()).toEqual([
      'config',
      'events',
      'logger',
      'pollNow',
      'redactor',
      'trigger',
    ]);
    expect(host!.config.repositories.map((repo) => repo.name)).toEqual(['app', 'other']);
    const changes: string[] = [];
    host!.events.on('change', ({ repository, after }) => changes.push(`${repository}@${after?.slice(0, 1)}`));
    forge.set('app', 'main', SHA('a'));
    forge.set('other', 'main', SHA('b'));
    await host!.pollNow({ repositories: ['app'] });
    forge.set('app', 'main', SHA('c'));
    const polled = await host!.pollNow({ repositories: ['app'], trigger: 'webhook' });
    expect(polled.checked).toBe(1);
    expect(polled.runs.map((run) => run.trigger)).toEqual(['webhook']);
    await expect(host!.pollNow({ repositories: ['nope'] })).rejects.toMatchObject({
      code: 'UNKNOWN_REPOSITORY',
    });
    const triggered = await host!.trigger({ repositories: ['other'] });
    await sentry.waitForRuns([...polled.runs, ...triggered].map((run) => run.id));
    expect(changes).toEqual(['app@c']);
    expect(forge.deployed.map((job) => `${job.repository}@${job.sha.slice(0, 1)}`).sort()).toEqual([
      'app@c',
      'other@b',
    ]);
    await sentry.close({ graceMs: 0 });
  });

  it('close() ends each plugin in reverse order of setup (flush, then close with the grace), built-ins last', async () => {
    const calls: string[] = [];
    const lines: string[] = [];
    const lifecycle = (name: string): SentryPlugin =>
      definePlugin({
        name,
        setup(host) {
          return {
            flush: () => {
              calls.push(`${name} flush`);
            },
            async close(graceMs) {
              calls.push(`${name} close ${graceMs}`);
              // The event logger is a plugin too, set up first: it is still listening now.
              host.events.emit('error', { error: new Error(`${name} says goodbye`), context: 'test' });
            },
          };
        },
      });
    const bare = definePlugin({
      name: 'bare',
      setup: () => (graceMs: number) => {
        calls.push(`bare teardown ${graceMs}`);
      },
    });
    const { sentry } = await engine([lifecycle('first'), bare, lifecycle('last')], lines);
    await sentry.close({ graceMs: 1500 });
    expect(calls).toEqual([
      'last flush',
      'last close 1500',
      'bare teardown 1500',
      'first flush',
      'first close 1500',
    ]);
    expect(lines.filter((line) => line.includes('says goodbye'))).toHaveLength(2);
    await sentry.close();
    expect(calls).toHaveLength(5);
  });

  it('a plugin that fails to close is reported; the others and the store still close', async () => {
    const calls: string[] = [];
    const lines: string[] = [];
    const { sentry } = await engine(
      [
        definePlugin({ name: 'calm', setup: () => ({ close: () => void calls.push('calm closed') }) }),
        definePlugin({
          name: 'broken',
          setup: () => ({
            close: () => {
              throw new Error('cannot close');
            },
          }),
        }),
      ],
      lines,
    );
    await sentry.close({ graceMs: 0 });
    expect(calls).toEqual(['calm closed']);
    expect(lines.some((line) => line.includes('closing plugin \\"broken\\": cannot close'))).toBe(true);
  });

  it('a setup() that throws fails createSentry with PLUGIN_SETUP_FAILED and closes the plugins set up before it', async () => {
    const calls: string[] = [];
    const early = definePlugin({
      name: 'early',
      setup: () => ({ close: () => void calls.push('early closed') }),
    });
    // A plugin written for the engine argument of earlier versions: `host.on` does not exist.
    const old = definePlugin({
      name: 'old-style',
      setup(host) {
        (host as unknown as { on(name: string, handler: () => void): void }).on('run:finish', () => {});
      },
    });
    const failure = await engine([early, old]).catch((error: unknown) => error);
    expect(failure).toMatchObject({
      code: 'PLUGIN_SETUP_FAILED',
      message: expect.stringContaining('Plugin "old-style" failed in setup()'),
      fix: expect.stringContaining('host.events.on'),
    });
    expect(calls).toEqual(['early closed']);
  });
});
