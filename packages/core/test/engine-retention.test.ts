import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { describe, expect, it, onTestFinished } from 'vitest';
import { createSentry, definePlugin, type JobResult } from '../src/index.js';

/** V8's collector, for this test only: whether an object is still reachable is what it checks. */
function collector(): () => void {
  setFlagsFromString('--expose-gc');
  return runInNewContext('gc') as () => void;
}

const forgePlugin = definePlugin({
  name: 'engine-retention-test',
  providers: [
    {
      id: 'still-forge',
      capabilities: { changedFiles: false, commitStatus: false, webhooks: false },
      async listHeads() {
        return { heads: [{ branch: 'main', sha: 'a'.repeat(40) }] };
      },
    },
  ],
  executors: [
    {
      id: 'never',
      capabilities: { reattach: false },
      async execute(): Promise<JobResult> {
        throw new Error('nothing deploys in this test: the first sighting is a baseline');
      },
    },
  ],
});

function configOf(count: number) {
  return {
    polling_interval: 3600,
    state: { driver: 'memory' },
    repositories: Array.from({ length: count }, (_, i) => ({
      name: `app-${i}`,
      monitor: {
        repo_url: `https://forge.invalid/app-${i}.git`,
        repo_type: 'still-forge',
        branches: ['main'],
      },
      deploy: { executor: 'never' },
    })),
  };
}

describe('what a running engine keeps', () => {
  it('keeps its own validated configuration, not the one it was given (a second copy per repository)', async () => {
    const gc = collector();
    let given: ReturnType<typeof configOf> | undefined = configOf(50);
    const givenRef = new WeakRef(given);
    const sentry = await createSentry({ config: given, plugins: [forgePlugin], env: {}, owner: 'tests' });
    onTestFinished(() => sentry.close({ graceMs: 0 }));
    await sentry.pollOnce();
    given = undefined;
    // A WeakRef's target stays alive until the job that created it ends.
    await new Promise((resolve) => setImmediate(resolve));
    gc();
    expect(givenRef.deref(), 'the configuration passed to createSentry is still reachable').toBeUndefined();
    expect(sentry.config.repositories).toHaveLength(50);
  });
});
