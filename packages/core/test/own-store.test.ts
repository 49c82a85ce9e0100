import { describe, expect, it, onTestFinished } from 'vitest';
import { ConfigError, createMemoryStateStore, createSentry } from '../src/index.js';
import { forgeRepository, scriptedForge } from '../src/testing/index.js';

const SHA = (digit: string) => digit.repeat(40);

describe("an embedder's own state store", () => {
  it('stands in for state.driver: the default driver (sqlite) need not be installed', async () => {
    const forge = scriptedForge();
    forge.set('app', 'main', SHA('a'));
    const store = createMemoryStateStore();
    // No `state:` at all, so `state.driver` is the default, sqlite, which no plugin here provides.
    const sentry = await createSentry({
      config: { polling_interval: 3600, repositories: [forgeRepository('app')] },
      plugins: [forge.plugin],
      stateStore: store,
      env: {},
    });
    onTestFinished(() => sentry.close({ graceMs: 0 }));
    await sentry.pollOnce();
    expect((await store.getHeads('app')).heads).toEqual([
      expect.objectContaining({ branch: 'main', sha: SHA('a') }),
    ]);
  });

  it('without one, a driver no plugin provides is still refused, naming state.driver', async () => {
    const forge = scriptedForge();
    const created = createSentry({
      config: { polling_interval: 3600, state: { driver: 'redis' }, repositories: [forgeRepository('app')] },
      plugins: [forge.plugin],
      env: {},
    });
    await expect(created).rejects.toBeInstanceOf(ConfigError);
    await expect(created).rejects.toThrow(
      /state\.driver.*no state store "redis" is installed \(installed: memory\)/s,
    );
  });
});
