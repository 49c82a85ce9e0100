import { describe, expect, it, onTestFinished } from 'vitest';
import { type ChangedFiles, createSentry, definePlugin } from '../src/index.js';
import { endedNow } from '../src/testing/index.js';
import { memoryProvider } from './memory-plugin.js';

const SHA = (digit: string) => digit.repeat(40);

/** A forge in memory that records what each comparison was asked for. */
function recordingForge() {
  const heads = new Map<string, string>();
  const asked: Array<{ repository: string; files: boolean | undefined }> = [];
  const plugin = definePlugin({
    name: 'recording',
    providers: [
      memoryProvider(
        async (target) => {
          const sha = heads.get(target.repository);
          return { heads: sha ? [{ branch: 'main', sha }] : [] };
        },
        'recording',
        async (target, _from, to, options): Promise<ChangedFiles> => {
          asked.push({ repository: target.repository, files: options.files });
          return { files: ['src/app.ts'], commits: [{ sha: to, message: 'change' }] };
        },
      ),
    ],
    executors: [
      { id: 'record', capabilities: { reattach: false }, execute: async () => endedNow('succeeded') },
    ],
  });
  return { plugin, heads, asked };
}

describe('what a comparison is asked for', () => {
  it('files only when path filters read them; skip markers alone ask for the newest commit', async () => {
    const forge = recordingForge();
    const monitor = (name: string) => ({
      repo_url: `https://forge.invalid/${name}.git`,
      repo_type: 'recording',
      branches: ['main'],
    });
    const sentry = await createSentry({
      config: {
        polling_interval: 3600,
        state: { driver: 'memory' },
        repositories: [
          { name: 'markers', monitor: monitor('markers'), deploy: { executor: 'record' } },
          {
            name: 'paths',
            monitor: { ...monitor('paths'), paths: ['src/**'] },
            deploy: { executor: 'record' },
          },
          {
            name: 'ignored',
            monitor: { ...monitor('ignored'), ignore_paths: ['docs/**'] },
            deploy: { executor: 'record' },
          },
        ],
      },
      plugins: [forge.plugin],
      env: {},
    });
    onTestFinished(() => sentry.close({ graceMs: 0 }));
    for (const name of ['markers', 'paths', 'ignored']) forge.heads.set(name, SHA('a'));
    await sentry.pollOnce();
    for (const name of ['markers', 'paths', 'ignored']) forge.heads.set(name, SHA('b'));
    const result = await sentry.pollOnce();
    await sentry.waitForRuns(result.runs.map((run) => run.id));

    expect(Object.fromEntries(forge.asked.map(({ repository, files }) => [repository, files]))).toEqual({
      markers: false,
      paths: true,
      ignored: true,
    });
    expect(result.runs).toHaveLength(3);
  });
});
