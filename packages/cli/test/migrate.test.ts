import { existsSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { loadConfig } from '@sentry-git/core';
import { compileBranchPattern } from '@sentry-git/core/internal';
import { tempdir } from '@sentry-git/test-utils';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { branchRegexToFullMatch } from '../src/migrate/branch-regex.js';
import { goDurationSeconds } from '../src/migrate/duration.js';
import { cli } from './cli.js';

const REFERENCE = path.resolve(__dirname, '../../../../shared/reference/original-configs');
const TOKENS = { GITHUB_TOKEN: 'gh-token-value-123', GITLAB_TOKEN: 'gl-token-value-456' };

/** A RepoSentry file of the reference's shape (every key it has), written by hand for these tests. */
const REPOSENTRY = `
app:
  name: reposentry
  log_level: debug
  log_format: json
  health_check_port: 9090
  data_dir: ./data
polling:
  interval: 1h30m
  timeout: 45s
  max_workers: 3
  batch_size: 20
storage:
  type: sqlite
  sqlite:
    path: ./var/reposentry.db
tekton:
  event_listener_url: "http://el.ci.svc:8080"
  timeout: 10s
rate_limit:
  github: { requests_per_hour: 4000 }
security:
  allowed_env_vars: ["GITHUB_TOKEN"]
  require_https: true
repositories:
  - name: rag
    url: https://github.com/company/rag
    provider: github
    token: "\${GITHUB_TOKEN}"
    branch_regex: "^(main|dev-.*)$"
    enabled: true
  - name: old
    url: https://github.com/company/old
    provider: github
    token: "\${GITHUB_TOKEN}"
    branch_regex: "^main$"
    enabled: false
  - name: Pipelines_Repo
    url: https://gitlab.example.com/qa/pipelines
    provider: gitlab
    token: "\${GITLAB_TOKEN}"
    branch_regex: "hotfix"
    api_base_url: https://gitlab.example.com/api/v4
    polling_interval: 30s
`;

async function fixture(text: string, name = 'reposentry.yaml'): Promise<{ dir: string; file: string }> {
  const dir = await tempdir();
  const file = path.join(dir, name);
  await writeFile(file, text);
  return { dir, file };
}

describe('Go durations', () => {
  it.each([
    ['5m', 300],
    ['30s', 30],
    ['1h30m', 5400],
    ['1.5h', 5400],
    ['250ms', 0.25],
    ['2m30.5s', 150.5],
  ])('%s is %d s', (text, seconds) => {
    expect(goDurationSeconds(text)).toBe(seconds);
  });

  it.each(['300', '', '5x', '-5m', 'm', '5m3'])('%j is not a Go duration with a unit', (text) => {
    expect(goDurationSeconds(text)).toBeNull();
  });
});

describe('branch_regex (RE2 search) → branches (full match)', () => {
  it.each([
    ['^(main|dev-.*)$', 'main|dev-.*'],
    ['foo', '.*foo.*'],
    ['^main$', 'main'],
    ['^release/', 'release/.*'],
    ['-rc$', '.*-rc'],
    ['^main$|hotfix', 'main|.*hotfix.*'],
    ['', '.*'],
    ['^(?:a|b)$', 'a|b'],
    ['^(a)(b)$', '(a)(b)'],
    ['\\Amain\\z', 'main'],
    ['^(?P<kind>feat|fix)/.*$', '(?P<kind>feat|fix)/.*'],
    ['(?i)main', '(?i).*main.*'],
    ['(?i)^main$', '(?i)main'],
    ['^[[:alpha:]]+$', '[[:alpha:]]+'],
    ['\\Qa.b\\E', '.*\\Qa.b\\E.*'],
    ['^\\pL+$', '\\pL+'],
    ['^release/\\p{N}+$', 'release/\\p{N}+'],
  ])('%j → %j', (source, pattern) => {
    expect(branchRegexToFullMatch(source)).toEqual({ ok: true, pattern });
  });

  // The names each pattern matches must not change. Both sides are RE2 (sentry-git's own
  // matcher): a search for p is the full match of (?s:.*)(?:p)(?s:.*), since ^ and $ only
  // assert the ends of the name.
  const sources = [
    '^(main|dev-.*)$',
    'dev',
    '^a|b$',
    '(^a|b)c',
    '^a$|^b',
    'a\\$',
    '[$]',
    '^[]a]+$',
    'release/[0-9]+\\.[0-9]+',
    '^(feature|bugfix)/',
    'x|',
    '^$',
    '(?i)^MAIN$|Dev',
    '^[[:alpha:]]+$',
    '\\Qa]a\\E',
    '^\\pL+-\\d$',
    '(?P<kind>feature|bugfix)/',
  ];
  const names = ['main', 'dev-1', 'old-dev', 'maintenance', 'a', 'b', 'ab', 'ba', 'bc', 'ac', 'xac'];
  names.push('a$', '$', ']', 'a]a', 'release/1.2', 'v-release/10.0-rc', 'feature/x', 'my-feature/x', 'x');
  names.push('MAIN', 'Main', 'DEV', 'é-1', '');
  it.each(sources)('%j matches the same branch names after conversion', (source) => {
    const converted = branchRegexToFullMatch(source);
    expect(converted.ok).toBe(true);
    if (!converted.ok) return;
    const search = compileBranchPattern(`(?s:.*)(?:${source})(?s:.*)`);
    const full = compileBranchPattern(converted.pattern);
    for (const name of names) expect([name, full(name)]).toEqual([name, search(name)]);
  });

  it.each([
    ['(main', /\( without its \)/],
    ['main)', /\) without its \(/],
    ['(?=main)', /lookaround/],
    ['(a)\\1', /backreference/],
    ['a{1001}', /at most 1000/],
    ['ma[in', /unterminated character class/],
  ])('%j is refused with the reason', (source, reason) => {
    const converted = branchRegexToFullMatch(source);
    expect(converted.ok).toBe(false);
    if (!converted.ok) expect(converted.message).toMatch(reason);
  });
});

describe('sentry-git migrate', () => {
  it('converts every RepoSentry key, comments each decision, and the output passes validate', async () => {
    const { dir, file } = await fixture(REPOSENTRY);
    // The tokens are set while migrating: the output must still hold the references, not values.
    const result = await cli(['migrate', file], { cwd: dir, env: TOKENS });
    expect(result.stderr).toBe('');
    expect(result.exitCode).toBe(0);
    expect(result.stdout).not.toContain(TOKENS.GITHUB_TOKEN);
    expect(result.stdout).not.toContain(TOKENS.GITLAB_TOKEN);

    const config = parse(result.stdout);
    const deploy = {
      executor: 'tekton',
      tekton: { mode: 'eventlistener', event_listener_url: 'http://el.ci.svc:8080', payload: 'cloudevents' },
    };
    expect(config).toEqual({
      polling_interval: 5400,
      global: { poll_timeout: 45, poll_concurrency: 3, log_level: 'debug' },
      server: { port: 9090 },
      state: { driver: 'sqlite', path: './var/sentry-git.db' },
      repositories: [
        {
          name: 'rag',
          monitor: {
            repo_url: 'https://github.com/company/rag',
            branches: ['main|dev-.*'],
            repo_type: 'github',
            auth: { token: '${GITHUB_TOKEN}' },
          },
          deploy,
        },
        {
          name: 'Pipelines_Repo',
          monitor: {
            repo_url: 'https://gitlab.example.com/qa/pipelines',
            branches: ['.*hotfix.*'],
            repo_type: 'gitlab',
            api_base_url: 'https://gitlab.example.com/api/v4',
            polling_interval: 30,
            auth: { token: '${GITLAB_TOKEN}' },
          },
          deploy: { ...deploy, project_name: 'pipelines-repo' },
        },
      ],
    });

    // The "not carried over" block names each dropped key with its reason; each mapping has a comment.
    const header = result.stdout.slice(0, result.stdout.indexOf('\npolling_interval:'));
    for (const key of [
      'app.name',
      'app.log_format',
      'app.data_dir',
      'polling.batch_size',
      'tekton.timeout',
      'rate_limit',
      'security.allowed_env_vars',
      'security.require_https',
      'repositories[1] "old" (enabled: false)',
    ]) {
      expect(header).toMatch(new RegExp(`# - ${key.replace(/[.[\]()]/g, '\\$&')}: \\S`));
    }
    // Comments wrap; read them as one line of prose.
    const prose = result.stdout.replace(/\n\s*#\s*/g, ' ');
    expect(result.stdout).toContain('# polling.interval "1h30m" (Go duration) in seconds.');
    expect(result.stdout).toContain('# branch_regex "^(main|dev-.*)$": RE2');
    expect(result.stdout).toContain('# tekton.event_listener_url: every change is POSTed');
    expect(prose).toContain('as a CloudEvent in binary mode');

    const out = path.join(dir, 'sentry-git.yaml');
    await writeFile(out, result.stdout);
    const valid = await cli(['validate', '-c', out], { cwd: dir, env: TOKENS });
    expect(valid.stderr).toBe('');
    expect(valid.stdout).toContain('valid (2 repositories');
    expect(valid.exitCode).toBe(0);
    // The references are real: without the variables the output is refused, naming them.
    const unset = await cli(['validate', '-c', out], { cwd: dir });
    expect(unset.exitCode).toBe(1);
    expect(unset.stderr).toContain(
      'repositories[0].monitor.auth.token: environment variable GITHUB_TOKEN is not set',
    );
  });

  it.runIf(existsSync(path.join(REFERENCE, 'reposentry.yaml')))(
    'converts the reference RepoSentry file into a valid configuration',
    async () => {
      const dir = await tempdir();
      const out = path.join(dir, 'out.yaml');
      const result = await cli(['migrate', path.join(REFERENCE, 'reposentry.yaml'), '-o', out], { cwd: dir });
      expect(result.exitCode).toBe(0);
      expect(result.stderr).toContain(`Wrote ${out} (2 repositories from a RepoSentry configuration)`);
      const config = parse(await readFile(out, 'utf8'));
      expect(config.repositories[0].monitor.branches).toEqual(['main|dev-.*']);
      expect(config.repositories[1].monitor.polling_interval).toBe(600);
      const valid = await cli(['validate', '-c', out], { cwd: dir, env: TOKENS });
      expect(valid.exitCode).toBe(0);
    },
  );

  it.runIf(existsSync(path.join(REFERENCE, 'sentry-simple.yaml')))(
    'converts the simplified Sentry format into the form it loads as, and that passes validate',
    async () => {
      const dir = await tempdir();
      const result = await cli(['migrate', path.join(REFERENCE, 'sentry-simple.yaml')], { cwd: dir });
      expect(result.exitCode).toBe(0);
      expect(result.stdout).toContain('# - target_repo.branches → repositories[0].monitor.branches');
      const config = parse(result.stdout);
      expect(config.repositories[0].deploy.tekton.mode).toBe('apply');
      expect(config.repositories[0].monitor.auth.token).toBe('${GITHUB_TOKEN}');
      expect(config.repositories[0].deploy.auth.token).toBe('${GITLAB_TOKEN}');
      const out = path.join(dir, 'sentry-git.yaml');
      await writeFile(out, result.stdout);
      const valid = await cli(['validate', '-c', out], { cwd: dir, env: TOKENS });
      expect(valid.exitCode).toBe(0);
    },
  );

  it('never writes a literal token: it becomes a ${VAR} reference and stderr says which', async () => {
    const literal = 'ghp_literal_secret_value';
    const { dir, file } = await fixture(
      `tekton: { event_listener_url: "http://el:8080" }
repositories:
  - { name: rag-service, url: "https://github.com/c/rag", provider: github, token: "${literal}", branch_regex: "^main$" }
  - { name: other, url: "https://github.com/c/other", provider: github, token: "$OTHER_TOKEN" }
`,
    );
    const result = await cli(['migrate', file], { cwd: dir });
    expect(result.exitCode).toBe(0);
    expect(result.stdout + result.stderr).not.toContain(literal);
    const config = parse(result.stdout);
    expect(config.repositories[0].monitor.auth.token).toBe('${RAG_SERVICE_TOKEN}');
    expect(config.repositories[1].monitor.auth.token).toBe('${OTHER_TOKEN}');
    expect(config.repositories[1].monitor.branches).toEqual(['.*']);
    expect(result.stderr).toContain('repositories[0].token holds a literal token');
    expect(result.stderr).toContain('set RAG_SERVICE_TOKEN');
  });

  it('keeps a $ that RepoSentry kept as text: the output means the same once sentry-git expands $VAR', async () => {
    const { dir, file } = await fixture(
      `tekton: { event_listener_url: "http://el:8080/$hook" }
repositories:
  - { name: app, url: "https://git.example.com/$team/app-$$x", provider: github, token: "$APP_TOKEN", branch_regex: "^(main|v[$])$" }
`,
    );
    const result = await cli(['migrate', file, '-o', 'sentry-git.yaml'], { cwd: dir });
    expect(result.exitCode, result.stderr).toBe(0);
    const written = await readFile(path.join(dir, 'sentry-git.yaml'), 'utf8');
    expect(written).toContain('A $ that RepoSentry kept as text is written $$ here');
    expect(written).toContain('$APP_TOKEN → ${APP_TOKEN}: RepoSentry expands only the braced');
    const validate = await cli(['validate', '-c', 'sentry-git.yaml'], {
      cwd: dir,
      env: { APP_TOKEN: 'x-token-1' },
    });
    expect(validate.stderr).toBe('');
    expect(validate.exitCode).toBe(0);
    // What sentry-git reads is what RepoSentry read: the URLs with their $, the token from $APP_TOKEN.
    const { config } = await loadConfig({
      file: path.join(dir, 'sentry-git.yaml'),
      env: { APP_TOKEN: 'x-token-1' },
    });
    const [repository] = config.repositories;
    expect(repository?.monitor.repo_url).toBe('https://git.example.com/$team/app-$$x');
    expect(repository?.monitor.auth?.token).toBe('x-token-1');
    expect(repository?.monitor.branches).toEqual(['main|v[$]']);
    expect(repository?.deploy.tekton?.event_listener_url).toBe('http://el:8080/$hook');
  });

  it('-o refuses to overwrite without --force and leaves the file unchanged', async () => {
    const { dir, file } = await fixture(REPOSENTRY);
    const out = path.join(dir, 'out.yaml');
    await writeFile(out, 'keep me\n');
    const refused = await cli(['migrate', file, '-o', out], { cwd: dir });
    expect(refused.exitCode).toBe(1);
    expect(refused.stderr).toContain(`Error [OUTPUT_EXISTS]: ${out} already exists`);
    expect(refused.stderr).toContain('--force');
    expect(await readFile(out, 'utf8')).toBe('keep me\n');

    const forced = await cli(['migrate', file, '-o', out, '--force'], { cwd: dir });
    expect(forced.exitCode).toBe(0);
    expect(parse(await readFile(out, 'utf8')).polling_interval).toBe(5400);
  });

  it('reports every problem of an invalid file with its key path, and writes nothing', async () => {
    const { dir, file } = await fixture(`
polling: { intervall: 5m, timeout: 30 }
storage: { type: postgres }
repositories:
  - name: rag
    url: https://github.com/company/rag
    provider: bitbucket
    branch_regex: '(a)\\1'
    polling_interval: 10
  - url: https://github.com/company/x
    provider: github
    token: 12345
    polling_interval: 720h
`);
    const out = path.join(dir, 'out.yaml');
    const result = await cli(['migrate', file, '-o', out], { cwd: dir });
    expect(result.exitCode).toBe(1);
    expect(result.stdout).toBe('');
    expect(existsSync(out)).toBe(false);
    expect(result.stderr).toContain(`Invalid configuration in ${file}`);
    for (const at of [
      'polling.intervall: unknown RepoSentry key',
      'polling.timeout: must be a positive Go duration',
      'storage.type: "postgres" has no sentry-git state driver',
      'repositories[0].provider: "bitbucket" is not a RepoSentry provider',
      'repositories[0].branch_regex: "(a)\\\\1" cannot be a branch pattern: it uses a backreference',
      'repositories[0].polling_interval: must be a positive Go duration',
      'repositories[1].name: is required',
      'repositories[1].token: must be a string',
      'repositories[1].polling_interval: "720h" is 2592000 s, more than sentry-git\'s maximum of 2073600 s (24 days): Node.js timers cannot wait longer. Fix: use at most "576h".',
      'tekton.event_listener_url: is required',
    ]) {
      expect(result.stderr).toContain(`  - ${at}`);
    }
    expect(result.stderr).not.toContain('12345');
  });

  it('refuses unreadable YAML, a missing file and a file already in sentry-git format', async () => {
    const broken = await fixture('repositories: [\n');
    const unreadable = await cli(['migrate', broken.file], { cwd: broken.dir });
    expect(unreadable.exitCode).toBe(1);
    expect(unreadable.stderr).toContain('Error [CONFIG_UNREADABLE]');
    expect(unreadable.stderr).toMatch(/line \d/);

    // The loader's bounded YAML reader: an alias inside its own anchor is named, not overflowed.
    const looped = await fixture('tekton: &t { event_listener_url: *t }\nrepositories: []\n');
    const loop = await cli(['migrate', looped.file], { cwd: looped.dir });
    expect(loop.exitCode).toBe(1);
    expect(loop.stderr).toContain('Error [CONFIG_UNREADABLE]');
    expect(loop.stderr).toContain('the alias *t at line 1, column 34 is inside the anchor it refers to');

    const missing = await cli(['migrate', path.join(broken.dir, 'nope.yaml')], { cwd: broken.dir });
    expect(missing.exitCode).toBe(1);
    expect(missing.stderr).toContain('Error [CONFIG_NOT_FOUND]');

    const native = await fixture(
      'repositories:\n  - name: app\n    monitor: { repo_url: ./app.git, branches: [main] }\n    deploy: { commands: [echo] }\n',
    );
    const already = await cli(['migrate', native.file], { cwd: native.dir });
    expect(already.exitCode).toBe(1);
    expect(already.stderr).toContain('(root): is already a sentry-git');
  });
});
