import { setFlagsFromString } from 'node:v8';
import { describe, expect, it } from 'vitest';
import { CONFIG_LOADERS } from '../src/config/loaders.js';
import { parseYamlConfig } from '../src/config/parse-yaml.js';

/** V8's `%IsSameHeapObject`: whether two equal strings are one string in memory. */
function sameString(a: unknown, b: unknown): boolean {
  setFlagsFromString('--allow-natives-syntax');
  return new Function('a', 'b', 'return %IsSameHeapObject(a, b)')(a, b) as boolean;
}

const TOKEN = 'glpat-0123456789abcdefghijklmnopqrstuvwxyz';
const API = 'https://gitea.example.com/api/v1';

interface Monitor {
  repo_url: string;
  api_base_url: string;
  auth: { token: string };
  branches: string[];
}
interface Parsed {
  repositories: Array<{ monitor: Monitor }>;
}

/** The monitors of the three repositories the tests write. */
function monitors(parsed: unknown): [Monitor, Monitor, Monitor] {
  return (parsed as Parsed).repositories.map((repo) => repo.monitor) as [Monitor, Monitor, Monitor];
}

function entries(text: string): [Monitor, Monitor, Monitor] {
  return monitors(parseYamlConfig(text, 'sentry.yaml'));
}

describe('equal strings of a configuration are kept once', () => {
  const repos = ['a', 'b', 'c'].map((name) => ({
    name,
    monitor: {
      repo_url: `https://gitea.example.com/team/${name}.git`,
      api_base_url: API,
      auth: { token: TOKEN },
      branches: ['main', 'develop'],
    },
  }));

  it('in JSON text read from a YAML file', () => {
    const [first, , third] = entries(JSON.stringify({ repositories: repos }, null, 1));
    expect(third.auth.token).toBe(TOKEN);
    expect(sameString(first.auth.token, third.auth.token)).toBe(true);
    expect(sameString(first.api_base_url, third.api_base_url)).toBe(true);
    expect(sameString(first.branches[1], third.branches[1])).toBe(true);
  });

  it('in block YAML', () => {
    const text = `repositories:\n${repos
      .map(
        (repo) =>
          `  - name: ${repo.name}\n    monitor:\n      repo_url: ${repo.monitor.repo_url}\n      api_base_url: ${API}\n      auth: { token: "${TOKEN}" }\n      branches: [main, develop]\n`,
      )
      .join('')}`;
    const [first, second, third] = entries(text);
    expect(second.repo_url).toBe('https://gitea.example.com/team/b.git');
    expect(sameString(first.auth.token, third.auth.token)).toBe(true);
    expect(sameString(first.api_base_url, second.api_base_url)).toBe(true);
    expect(sameString(first.branches[0], third.branches[0])).toBe(true);
  });

  it('in a .json file', () => {
    const [first, , third] = monitors(
      CONFIG_LOADERS['.json']('sentry-git.json', JSON.stringify({ repositories: repos })),
    );
    expect(sameString(first.auth.token, third.auth.token)).toBe(true);
  });
});
