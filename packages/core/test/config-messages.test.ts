import { describe, expect, it } from 'vitest';
import { ConfigError, loadPlugins, SentryError, validateConfig } from '../src/index.js';
import { DOCS_LOCATION, translateSimpleSentry } from '../src/internal.js';

const REPOSITORY = {
  name: 'app',
  monitor: { repo_url: '/srv/app.git', branches: ['main'] },
  deploy: { commands: ['true'] },
};

function messages(input: Record<string, unknown>): Record<string, string[]> {
  try {
    validateConfig(input);
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    const byPath: Record<string, string[]> = {};
    for (const issue of (error as ConfigError).issues) {
      byPath[issue.path] = [...(byPath[issue.path] ?? []), issue.message];
    }
    return byPath;
  }
  throw new Error('expected a ConfigError');
}

function messageAt(input: Record<string, unknown>, path: string): string {
  const found = messages(input)[path];
  expect(found, `an issue at ${path}`).toBeDefined();
  return (found as string[]).join('\n');
}

function withRepository(patch: { monitor?: object; deploy?: object; extra?: object }) {
  return {
    repositories: [
      {
        ...REPOSITORY,
        ...patch.extra,
        monitor: { ...REPOSITORY.monitor, ...patch.monitor },
        deploy: { ...REPOSITORY.deploy, ...patch.deploy },
      },
    ],
  };
}

describe('type errors say what was expected, what was found, and the fix', () => {
  it('a duration with a unit', () => {
    expect(messageAt({ ...withRepository({}), polling_interval: '60s' }, 'polling_interval')).toBe(
      'expected a number of seconds, got the string "60s". Fix: write 60 (durations are numbers of seconds).',
    );
    expect(messageAt({ ...withRepository({}), global: { timeout: '1h30m' } }, 'global.timeout')).toMatch(
      /Fix: write 5400 /,
    );
  });

  it('booleans written as words', () => {
    expect(messageAt({ ...withRepository({}), global: { cleanup: 'enabled' } }, 'global.cleanup')).toBe(
      'expected true or false, got the string "enabled". Fix: write true.',
    );
    expect(
      messageAt(withRepository({ monitor: { report_status: 0 } }), 'repositories[0].monitor.report_status'),
    ).toMatch(/got the number 0\. Fix: write false\.$/);
  });

  it('a list written as one string', () => {
    expect(
      messageAt(withRepository({ monitor: { branches: 'main,dev' } }), 'repositories[0].monitor.branches'),
    ).toBe('expected a list of strings, got the string "main,dev". Fix: write it as a list: ["main","dev"].');
  });

  it('a string that YAML read as a number, without showing a secret', () => {
    expect(messageAt(withRepository({ extra: { name: 2024 } }), 'repositories[0].name')).toBe(
      'expected a string, got the number 2024. Fix: quote it: "2024" (YAML reads it as a number otherwise).',
    );
    const token = messageAt(
      withRepository({ monitor: { auth: { token: 123456789 } } }),
      'repositories[0].monitor.auth.token',
    );
    expect(token).toContain('not shown');
    expect(token).not.toContain('123456789');
  });

  it('a missing key, with what it is for', () => {
    expect(
      messageAt(
        { repositories: [{ name: 'app', monitor: { branches: ['main'] }, deploy: {} }] },
        'repositories[0].monitor.repo_url',
      ),
    ).toMatch(/^missing \(expected a string: The watched repository: .*\)\. Fix: add repo_url: \.\.\.\.$/);
  });

  it('an empty value (a YAML key with nothing after it)', () => {
    expect(messageAt({ ...withRepository({}), global: { tmp_dir: null } }, 'global.tmp_dir')).toBe(
      'expected a string, got an empty value. Fix: write a string, or remove the key.',
    );
  });

  it('ranges', () => {
    expect(
      messageAt({ ...withRepository({}), groups: { g: { max_parallel: 0 } } }, 'groups.g.max_parallel'),
    ).toBe('expected a whole number ≥ 1, got the number 0. Fix: write 1 or more (the default is 5).');
    expect(messageAt({ ...withRepository({}), global: { jitter: 2 } }, 'global.jitter')).toBe(
      'expected a number ≤ 0.5, got the number 2. Fix: write 0.5 or less.',
    );
    expect(
      messageAt(withRepository({ monitor: { branches: [] } }), 'repositories[0].monitor.branches'),
    ).toMatch(/^empty: expected at least 1 entry\. Fix: list at least one/);
  });

  it('a choice, with the closest one', () => {
    expect(
      messageAt(
        withRepository({ deploy: { tekton: { mode: 'pipelinerunn' } } }),
        'repositories[0].deploy.tekton.mode',
      ),
    ).toBe(
      'expected one of "pipelinerun", "eventlistener", "apply", got the string "pipelinerunn". Fix: did you mean "pipelinerun"?',
    );
    expect(messageAt({ ...withRepository({}), global: { log_level: 'loud' } }, 'global.log_level')).toMatch(
      /expected one of "trace", .*"silent", got the string "loud"\. Fix: write one of them\./,
    );
  });

  it('a URL', () => {
    expect(
      messageAt(
        withRepository({ monitor: { api_base_url: 'git.example.com' } }),
        'repositories[0].monitor.api_base_url',
      ),
    ).toMatch(/must be a URL.*\(got the string "git\.example\.com"\)/);
  });

  it("none of zod's own wordings reach the user", () => {
    const all = Object.values(
      messages({
        polling_interval: 'soon',
        groups: { g: { max_parallel: '0', execution_strategy: 5, continue_on_error: 'maybe' } },
        repositories: [
          {
            name: '',
            monitor: { repo_url: 5, branches: [''], report_status: 2, paths: 'src/**', skip_markers: [1] },
            deploy: { commands: [''], env: { A: 1 }, timeout: 0, tekton: { max_retries: -1, payload: 'gh' } },
            webhook_url: 'nope',
          },
        ],
        global: { cleanup: [], recover: 'retry', quota_reserve: 1 },
        server: { port: 70000, body_limit: 1.5 },
        notifications: { urls: 'https://x' },
        plugins: [5],
      }),
    ).flat();
    expect(all.length).toBeGreaterThan(15);
    for (const message of all) {
      expect(message).not.toMatch(/Invalid input|Invalid option|Too small|Too big|received/);
      expect(message).not.toContain(String.fromCharCode(0));
      expect(message).toMatch(/expected|must|got|Fix/);
    }
  });
});

describe('unknown keys', () => {
  it('suggest the closest key of the schema at that path', () => {
    expect(messageAt({ ...withRepository({}), polling_intervall: 5 }, '')).toMatch(
      /^unknown key "polling_intervall"\. Fix: did you mean "polling_interval"\?/,
    );
    expect(messageAt(withRepository({ monitor: { repoUrl: 'x' } }), 'repositories[0].monitor')).toMatch(
      /unknown key "repoUrl"\. Fix: did you mean "repo_url"\?/,
    );
    expect(
      messageAt(
        withRepository({ deploy: { tekton: { pipeline_reff: 'x' } } }),
        'repositories[0].deploy.tekton',
      ),
    ).toMatch(/did you mean "pipeline_ref"\?/);
  });

  it('say where a key belongs when it is at the wrong level', () => {
    expect(messageAt({ ...withRepository({}), log_level: 'debug' }, '')).toMatch(
      /unknown key "log_level"\. Fix: "log_level" belongs under global\.log_level; move it there\./,
    );
  });

  it('list the keys that exist when nothing is close', () => {
    expect(messageAt({ ...withRepository({}), state: { flavour: 'x' } }, 'state')).toMatch(
      /unknown key "flavour"\. Fix: remove it; the keys here are driver, path, url, lease\. See the configuration reference, section "state"/,
    );
  });

  it('in the simplified Sentry format too', () => {
    const result = translateSimpleSentry({
      target_repo: { url: 'https://github.com/a/b', branches: 'main' },
      qa_repo: { url: 'https://gitlab.com/a/qa' },
      kubectl_ctx: 'prod',
    });
    expect(result.ok).toBe(false);
    expect(result.ok ? [] : result.issues).toEqual([
      {
        path: '',
        message: expect.stringMatching(/unknown key "kubectl_ctx"\..*Fix: did you mean "kubectl_context"\?/),
      },
    ]);
  });
});

describe('hints point at a page a reader can find, not a path of this repository', () => {
  it('configuration hints', () => {
    const message = messageAt({ ...withRepository({}), colour: 'blue' }, '');
    expect(message).toContain(`configuration.md in ${DOCS_LOCATION}`);
    expect(message).toContain('section "Top level"');
    expect(message).not.toMatch(/\(see docs\//);
  });

  it('the plugin loader', async () => {
    const error = await loadPlugins(['./no-such-plugin.mjs'], { configDir: '/nonexistent' }).catch((e) => e);
    expect(error).toBeInstanceOf(SentryError);
    expect((error as SentryError).message).toContain(`plugins.md in ${DOCS_LOCATION}`);
    expect((error as SentryError).message).not.toMatch(/\(see docs\//);
  });
});
