import path from 'node:path';
import {
  gitdir,
  startGiteaServer,
  startGitHubServer,
  startGitlabServer,
  tempdir,
} from '@sentry-git/test-utils';
import { describe, expect, it, onTestFinished } from 'vitest';
import { engine, lines, recordEvents } from './helpers.js';

const TOKEN = 'engine-forge-token-31f0c2';

function monitor(type: string, apiBaseUrl: string, project: string, extra: Record<string, unknown> = {}) {
  return {
    repo_url: `https://forge.invalid/${project}.git`,
    api_base_url: apiBaseUrl,
    repo_type: type,
    branches: ['main'],
    auth: { token: TOKEN },
    ...extra,
  };
}

describe('the engine against loopback forges', () => {
  it('GitHub: an exhausted quota reschedules that repository at the reset, a bad token fails clearly, the others deploy', async () => {
    const limited = await gitdir({ branches: ['main'] });
    const unauthorized = await gitdir({ branches: ['main'] });
    const healthy = await gitdir({ branches: ['main'] });
    const limitedServer = await startGitHubServer({ repos: { 'acme/limited': limited.bare }, token: TOKEN });
    const otherServer = await startGitHubServer({
      repos: { 'acme/locked': unauthorized.bare, 'acme/healthy': healthy.bare },
      token: TOKEN,
    });
    onTestFinished(() => limitedServer.close());
    onTestFinished(() => otherServer.close());
    const log = path.join(await tempdir(), 'deploys.log');
    const sentry = await engine({
      repositories: [
        {
          name: 'limited',
          monitor: monitor('github', limitedServer.url, 'acme/limited'),
          deploy: { commands: ['true'] },
        },
        {
          name: 'locked',
          monitor: {
            ...monitor('github', otherServer.url, 'acme/locked'),
            auth: { token: 'wrong-token-000000' },
          },
          deploy: { commands: ['true'] },
        },
        {
          name: 'healthy',
          monitor: monitor('github', otherServer.url, 'acme/healthy'),
          deploy: { commands: ['echo "$SENTRY_REPO $SENTRY_COMMIT" >> "$LOG"'], env: { LOG: log } },
        },
      ],
    });
    const pollErrors = recordEvents(sentry, ['poll:error']);
    const rateLimits = recordEvents(sentry, ['ratelimit']);
    await sentry.pollOnce();
    const resetAt = Math.floor(Date.now() / 1000) + 1800;
    limitedServer.setRateLimit({ remaining: 0, resetAt });
    await limited.commit('main');
    const sha = await healthy.commit('main');
    const { runs, errors } = await sentry.pollOnce();
    await sentry.waitForRuns(runs.map((r) => r.id));
    expect(errors).toBe(2);
    expect(await lines(log)).toEqual([`healthy ${sha}`]);

    const byRepository = new Map(pollErrors.map(([, e]) => [e.repository, e]));
    const rateLimited = byRepository.get('limited')!;
    expect(rateLimited.error).toMatchObject({ code: 'RATE_LIMITED' });
    expect(rateLimited.nextPollAt).toBe(new Date(resetAt * 1000 + 1000).toISOString());
    expect(rateLimits.map(([, e]) => [e.repository, e.rateLimit.remaining])).toContainEqual(['limited', 0]);
    const locked = byRepository.get('locked')!;
    expect(locked.error).toMatchObject({ code: 'PROVIDER_AUTH_FAILED' });
    expect(locked.error.message).toContain('locked');
    expect(locked.error.message).not.toContain('wrong-token-000000');
    expect(limitedServer.unexpected()).toEqual([]);
    expect(otherServer.unexpected()).toEqual([]);
  });

  const forges = [
    {
      type: 'github',
      async start(bare: string) {
        const server = await startGitHubServer({ repos: { 'acme/app': bare }, token: TOKEN });
        return { server, api: server.url, states: (sha: string) => server.statuses(sha).map((s) => s.state) };
      },
    },
    {
      type: 'gitlab',
      async start(bare: string) {
        const server = await startGitlabServer({ repos: { 'acme/app': bare }, token: TOKEN });
        return {
          server,
          api: server.apiUrl,
          states: (sha: string) => server.statuses(sha).map((s) => s.status),
        };
      },
    },
    {
      type: 'gitea',
      async start(bare: string) {
        const server = await startGiteaServer({ repos: { 'acme/app': bare }, token: TOKEN });
        return {
          server,
          api: server.apiUrl,
          states: (sha: string) => server.statuses.filter((s) => s.sha === sha).map((s) => s.state),
        };
      },
    },
  ];

  it.each(forges)(
    '$type: report_status sends pending then the outcome on the deployed SHA; path filters use the compare API',
    async (forge) => {
      const remote = await gitdir({ branches: ['main'], files: { 'src/app.ts': 'v0\n' } });
      const { server, api, states } = await forge.start(remote.bare);
      onTestFinished(() => server.close());
      const sentry = await engine({
        repositories: [
          {
            name: 'app',
            monitor: monitor(forge.type, api, 'acme/app', { report_status: true, paths: ['src/**'] }),
            deploy: { commands: ['test -n "$SENTRY_COMMIT"', 'test "$FAIL" != yes'], env: { FAIL: 'no' } },
          },
        ],
      });
      await sentry.pollOnce();
      await remote.commit('main', { 'docs/readme.md': 'docs\n' }, 'docs only');
      expect((await sentry.pollOnce()).runs).toEqual([]);
      const deployed = await remote.commit('main', { 'src/app.ts': 'v1\n' }, 'app v1');
      const { runs } = await sentry.pollOnce();
      await sentry.waitForRuns(runs.map((r) => r.id));
      await sentry.close();
      expect(states(deployed)).toEqual(
        forge.type === 'gitlab' ? ['running', 'success'] : ['pending', 'success'],
      );
      expect(server.unexpected()).toEqual([]);
    },
  );
});
