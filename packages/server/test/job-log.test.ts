import { execFile } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import { nextEvent } from '@sentry-git/core/testing';
import { gitdir, tempdir } from '@sentry-git/test-utils';
import { describe, expect, it } from 'vitest';
import { API_TOKEN, bearer, call, engine, serve, shellRepository } from './helpers.js';
import { openText } from './streams.js';

const run = promisify(execFile);
const SECRET = 'deploy-secret-value-6a1f93';

/** app prints a line, waits for the test to write to a FIFO, then prints another; lib just deploys. */
async function setup() {
  const dir = await tempdir();
  const gate = path.join(dir, 'gate');
  await run('mkfifo', [gate]);
  const app = await gitdir({ branches: ['main'] });
  const lib = await gitdir({ branches: ['main'] });
  const log = path.join(dir, 'deploys.log');
  const appRepository = shellRepository('app', app.bare, log);
  const sentry = await engine(
    {
      polling_interval: 3600,
      repositories: [
        {
          ...appRepository,
          deploy: {
            commands: [
              'echo "first line, token $DEPLOY_TOKEN"',
              `read -r go < "${gate}"`,
              'echo "second line"',
            ],
            env: { DEPLOY_TOKEN: SECRET },
          },
        },
        shellRepository('lib', lib.bare, log),
      ],
    },
    { dir },
  );
  await sentry.pollOnce();
  const { url, server } = await serve(sentry, { token: API_TOKEN });
  const open = () => writeFile(gate, 'go\n');
  /** Starts app's deploy and resolves once its job runs. */
  async function startApp(): Promise<{ runId: string; jobId: string }> {
    const started = nextEvent(sentry, 'job:start');
    const [queued] = await sentry.trigger({ repositories: ['app'] });
    const { job } = await started;
    return { runId: queued!.id, jobId: job.id };
  }
  return { sentry, url, server, open, startApp };
}

const logUrl = (url: string, runId: string, job: string, query = '') =>
  `${url}/api/v1/runs/${runId}/jobs/${job}/log${query}`;

describe('GET /api/v1/runs/:id/jobs/:job/log', () => {
  it("answers a finished job's output as plain text, by job id or repository name", async () => {
    const { sentry, url } = await setup();
    const [queued] = await sentry.trigger({ repositories: ['lib'] });
    const [finished] = await sentry.waitForRuns([queued!.id]);
    const job = finished!.jobs[0]!;
    for (const key of [job.id, 'lib']) {
      const answer = await call(logUrl(url, finished!.id, key), { headers: bearer(API_TOKEN) });
      expect(answer.status).toBe(200);
      expect(answer.headers.get('content-type')).toBe('text/plain; charset=utf-8');
      expect(answer.text).toBe(job.output);
      expect(answer.text).toContain('deploying main');
    }
  });

  it('404 for an unknown run or job (naming the jobs), 400 for a bad query', async () => {
    const { sentry, url } = await setup();
    const [queued] = await sentry.trigger({ repositories: ['lib'] });
    const [finished] = await sentry.waitForRuns([queued!.id]);
    const headers = bearer(API_TOKEN);
    const noRun = await call(logUrl(url, 'run_nope', 'lib'), { headers });
    expect(noRun.status).toBe(404);
    expect(noRun.json.error.code).toBe('RUN_NOT_FOUND');
    const noJob = await call(logUrl(url, finished!.id, 'app'), { headers });
    expect(noJob.status).toBe(404);
    expect(noJob.json.error).toMatchObject({
      code: 'JOB_NOT_FOUND',
      message: expect.stringMatching(
        new RegExp(`has no job "app".*Its jobs: ${finished!.jobs[0]!.id} \\(lib main\\)`),
      ),
    });
    for (const query of ['?follow=yes', '?tail=10']) {
      const bad = await call(logUrl(url, finished!.id, 'lib', query), { headers });
      expect(bad.status, query).toBe(400);
      expect(bad.json.error.code).toBe('INVALID_QUERY');
    }
  });

  it('?follow=1 streams the output so far, then new lines as they come, and ends when the job ends', async () => {
    const { sentry, url, open, startApp } = await setup();
    const { runId, jobId } = await startApp();
    const follow = await openText(logUrl(url, runId, jobId, '?follow=1'), API_TOKEN);
    expect(follow.status).toBe(200);
    expect(follow.headers.get('content-type')).toBe('text/plain; charset=utf-8');
    // The shell's trace of the command (`+ echo "first line…`) comes before the line itself, so
    // wait for the output line: secrets in it are redacted before they reach the log.
    await follow.waitFor('first line, token [REDACTED]');
    expect(follow.text()).not.toContain('second line');

    await open();
    const text = await follow.ended;
    expect(text).toContain('second line');
    expect(text.indexOf('first line')).toBeLessThan(text.indexOf('second line'));
    expect(text).not.toContain(SECRET);
    const [finished] = await sentry.waitForRuns([runId]);
    expect(finished!.status).toBe('succeeded');
  });

  it('?follow=1 of a finished job answers its output and ends', async () => {
    const { sentry, url } = await setup();
    const [queued] = await sentry.trigger({ repositories: ['lib'] });
    const [finished] = await sentry.waitForRuns([queued!.id]);
    const follow = await openText(logUrl(url, finished!.id, 'lib', '?follow=1'), API_TOKEN);
    expect(await follow.ended).toBe(finished!.jobs[0]!.output);
  });

  it('a follower that goes away, and close() while one follows, end cleanly', async () => {
    const { sentry, url, server, open, startApp } = await setup();
    const { runId, jobId } = await startApp();
    const leaving = await openText(logUrl(url, runId, jobId, '?follow=1'), API_TOKEN);
    await leaving.waitFor('first line, token');
    leaving.close();
    const staying = await openText(logUrl(url, runId, jobId, '?follow=1'), API_TOKEN);
    await staying.waitFor('first line, token');
    await server.close();
    // The server closing ends the answer (the job itself goes on).
    await expect(staying.ended).resolves.toContain('first line');
    await open();
    const [finished] = await sentry.waitForRuns([runId]);
    expect(finished!.status).toBe('succeeded');
  });
});
