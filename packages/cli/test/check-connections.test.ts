import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import {
  type GitFixture,
  type GitHttpServer,
  gitdir,
  startGitHttpServer,
  tempdir,
} from '@sentry-git/test-utils';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { cli } from './cli.js';

const TOKEN = 'glpat-check-connections-0123456789';

describe('validate --check-connections against a server that requires authentication', () => {
  let watched: GitFixture;
  let qa: GitFixture;
  let server: GitHttpServer;

  beforeEach(async () => {
    watched = await gitdir({ branches: ['main'] });
    qa = await gitdir({ branches: ['main'] });
    // GitLab-like: the token only counts with the user name oauth2.
    server = await startGitHttpServer({
      root: path.dirname(qa.bare),
      auth: { username: 'oauth2', token: TOKEN },
    });
  });

  afterEach(async () => {
    await server.close();
  });

  async function project(
    deploy: string,
    monitor = `repo_url: "${watched.bare}"`,
    qaName = path.basename(qa.bare),
  ): Promise<string> {
    const dir = await tempdir();
    await writeFile(
      path.join(dir, 'sentry.yaml'),
      `repositories:
  - name: app
    monitor: { ${monitor}, branches: [main] }
    deploy:
      qa_repo_url: ${server.url}/${qaName}
      qa_repo_branch: main
      ${deploy}
      commands: ["true"]
`,
    );
    return dir;
  }

  it('a refused QA token names deploy.auth, not monitor.auth, and nothing secret', async () => {
    const dir = await project('auth: { token: wrong-token-value }\n      repo_type: gitlab');
    const result = await cli(['validate', '--check-connections'], { cwd: dir });
    expect(result.exitCode).toBe(1);
    const failure = result.stdout.split('\n').find((line) => line.startsWith('FAIL'));
    expect(failure).toContain('repositories[0] app qa_repo');
    expect(failure).toContain('check repositories[0].deploy.auth (token and username)');
    expect(failure).not.toContain('monitor.auth');
    expect(result.stdout).not.toContain('wrong-token-value');
    expect(result.stdout).toMatch(/^ok {3}repositories\[0\] app monitor /m);
  });

  it('a missing QA repository names deploy.qa_repo_url', async () => {
    const dir = await project(`auth: { token: ${TOKEN} }\n      repo_type: gitlab`, undefined, 'missing.git');
    const result = await cli(['validate', '--check-connections'], { cwd: dir });
    expect(result.exitCode).toBe(1);
    expect(result.stdout).toContain('check repositories[0].deploy.qa_repo_url;');
  });

  it('sends the user name deploy.repo_type implies, as the clone does', async () => {
    const dir = await project(`auth: { token: ${TOKEN} }\n      repo_type: gitlab`);
    const result = await cli(['validate', '--check-connections'], { cwd: dir });
    expect(result.stdout, result.stderr).toMatch(
      /^ok {3}repositories\[0\] app qa_repo .* 1 matching branch via git$/m,
    );
    expect(result.exitCode).toBe(0);
    expect(server.requests.every((request) => request.username === 'oauth2')).toBe(true);
  });

  it('a refused monitor token names monitor.auth with its index', async () => {
    const dir = await project(
      `auth: { token: ${TOKEN} }\n      repo_type: gitlab`,
      `repo_url: "${server.url}/${path.basename(qa.bare)}", repo_type: git, auth: { token: nope-nope-nope }`,
    );
    const result = await cli(['validate', '--check-connections'], { cwd: dir });
    expect(result.exitCode).toBe(1);
    const failure = result.stdout.split('\n').find((line) => line.startsWith('FAIL'));
    expect(failure).toContain('repositories[0] app monitor');
    expect(failure).toContain('check repositories[0].monitor.auth (token and username)');
  });
});
