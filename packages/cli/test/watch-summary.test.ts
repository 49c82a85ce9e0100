import { validateConfig } from '@sentry-git/core';
import { describe, expect, it } from 'vitest';
import { stateLocation, watchSummary } from '../src/watch-summary.js';

/** Three repositories, two of them in the group `web`; `extra` replaces top-level keys. */
function config(extra: Record<string, unknown> = {}) {
  return validateConfig({
    polling_interval: 60,
    groups: { web: { execution_strategy: 'parallel' } },
    repositories: ['a', 'b', 'c'].map((name, index) => ({
      name,
      ...(index < 2 ? { group: 'web' } : {}),
      monitor: { repo_url: `https://git.example.com/${name}.git`, branches: ['main'] },
      deploy: { commands: ['true'] },
    })),
    ...extra,
  });
}

describe('the line watch logs at start', () => {
  it('says what it watches, how often, where state lives and where it serves', () => {
    const summary = watchSummary({
      config: config(),
      configDir: '/srv/sentry',
      once: false,
      url: 'http://127.0.0.1:8080',
    });
    expect(summary.message).toBe(
      'watching 3 repositories (1 group) every 60 s; state: /srv/sentry/.sentry-git/state.db; server and console: http://127.0.0.1:8080/',
    );
    expect(summary.fields).toEqual({
      repositories: 3,
      groups: 1,
      pollingInterval: 60,
      stateDriver: 'sqlite',
      state: '/srv/sentry/.sentry-git/state.db',
      url: 'http://127.0.0.1:8080',
    });
  });

  it('--once, one repository, no group, no server; intervals that differ show as a range', () => {
    const solo = config({
      groups: {},
      repositories: [
        {
          name: 'solo',
          monitor: { repo_url: 'https://git.example.com/s.git', branches: ['main'] },
          deploy: { commands: ['true'] },
        },
      ],
    });
    expect(watchSummary({ config: solo, configDir: '/x', once: true }).message).toBe(
      'polling 1 repository once; state: /x/.sentry-git/state.db',
    );
    const mixed = config({
      repositories: [
        {
          name: 'fast',
          monitor: { repo_url: 'https://git.example.com/f.git', branches: ['main'], polling_interval: 10 },
          deploy: { commands: ['true'] },
        },
        {
          name: 'slow',
          monitor: { repo_url: 'https://git.example.com/s.git', branches: ['main'] },
          deploy: { commands: ['true'] },
        },
      ],
      groups: {},
    });
    expect(watchSummary({ config: mixed, configDir: '/x', once: false }).message).toBe(
      'watching 2 repositories every 10–60 s; state: /x/.sentry-git/state.db',
    );
  });

  it('names the state file, relative paths from the config folder, or the memory store', () => {
    expect(stateLocation(config({ state: { path: 'data/s.db' } }), '/srv')).toBe('/srv/data/s.db');
    expect(stateLocation(config({ state: { path: '/var/lib/s.db' } }), '/srv')).toBe('/var/lib/s.db');
    expect(stateLocation(config({ state: { driver: 'memory' } }), '/srv')).toBe(
      'in memory (forgotten on exit)',
    );
  });
});
