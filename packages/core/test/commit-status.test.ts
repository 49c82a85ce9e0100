import { describe, expect, it } from 'vitest';
import { resolveConfig } from '../src/config/load.js';
import { commitStatusPlugin } from '../src/engine/commit-status.js';
import { createEventBus } from '../src/events.js';
import type { GitProvider } from '../src/interfaces/provider.js';
import { silentLogger } from '../src/logging.js';
import { definePlugin } from '../src/plugins/define.js';
import { createRegistry } from '../src/plugins/registry.js';
import { createRedactor } from '../src/redact.js';
import type { Job, RunRecord } from '../src/types.js';

const SHA = 'a'.repeat(40);

async function reported(commitStatus: boolean): Promise<string[]> {
  const sent: string[] = [];
  const provider: GitProvider = {
    id: 'forge',
    capabilities: { changedFiles: false, commitStatus, webhooks: false },
    async listHeads() {
      return { heads: [] };
    },
    async setCommitStatus(_target, sha, status) {
      sent.push(`${status.state} ${sha.slice(0, 1)} ${status.context}`);
    },
  };
  const { config } = resolveConfig(
    {
      state: { driver: 'memory' },
      repositories: [
        {
          name: 'app',
          monitor: {
            repo_url: 'https://forge.invalid/app.git',
            repo_type: 'forge',
            branches: ['main'],
            report_status: true,
          },
          deploy: { commands: ['true'] },
        },
      ],
    },
    { env: {} },
  );
  const redactor = createRedactor([]);
  const bus = createEventBus(redactor);
  const registry = createRegistry([definePlugin({ name: 'forge', providers: [provider] })]);
  const notImplemented = () => Promise.reject(new Error('not used'));
  const host = {
    config,
    logger: silentLogger(),
    redactor,
    events: bus,
    pollNow: notImplemented,
    trigger: notImplemented,
  };
  const lifecycle = await commitStatusPlugin(registry).setup!(host);
  const run = { id: 'run-1' } as RunRecord;
  bus.emit('job:start', { run, job: { repository: 'app', sha: SHA } as Job });
  if (lifecycle && typeof lifecycle === 'object') {
    await lifecycle.flush?.();
    await lifecycle.close?.(0);
  }
  return sent;
}

describe('the commit-status reporter (a built-in plugin)', () => {
  it('reports through a provider that declares the commitStatus capability', async () => {
    expect(await reported(true)).toEqual(['pending a sentry-git/app']);
  });

  it('leaves a provider alone that does not declare it, even when it has the method', async () => {
    expect(await reported(false)).toEqual([]);
  });
});
