import path from 'node:path';
import perfHooks from 'node:perf_hooks';
import githubPlugin from '@sentry-git/provider-github';
import { gitdir, startGitHubServer, tempdir } from '@sentry-git/test-utils';
import parsePrometheusTextFormat, { type MetricFamily } from 'parse-prometheus-text-format';
import { describe, expect, it, onTestFinished, vi } from 'vitest';
import { createMetrics } from '../src/metrics.js';
import { call, engine, lines, serve, shellRepository } from './helpers.js';

const FORGE_TOKEN = 'ghp_fakeTokenForServerTests0123456789abcd';

interface Scrape {
  families: MetricFamily[];
  text: string;
}

async function scrape(url: string): Promise<Scrape> {
  const answer = await call(`${url}/metrics`);
  expect(answer.status).toBe(200);
  expect(answer.headers.get('content-type')).toBe('text/plain; version=0.0.4; charset=utf-8');
  const families = parsePrometheusTextFormat(answer.text);
  // Every family declared in the text was parsed (the parser throws on a line it cannot split).
  const declared = answer.text.split('\n').filter((line) => line.startsWith('# TYPE ')).length;
  expect(families.length).toBe(declared);
  return { families, text: answer.text };
}

function family({ families }: Scrape, name: string): MetricFamily {
  const found = families.find((candidate) => candidate.name === name);
  if (!found) throw new Error(`no metric ${name} in the scrape`);
  return found;
}

function matches(labels: Record<string, string> | undefined, wanted: Record<string, string>): boolean {
  return Object.entries(wanted).every(([key, value]) => labels?.[key] === value);
}

/** The value of a counter or gauge sample; undefined when no sample has these labels. */
function value(scraped: Scrape, name: string, labels: Record<string, string> = {}): number | undefined {
  const sample = family(scraped, name).metrics.find((candidate) => matches(candidate.labels, labels));
  return sample?.value === undefined ? undefined : Number(sample.value);
}

/**
 * The `_count` of a histogram series, read from the text: the parser keeps buckets, count and sum
 * only for histograms without labels.
 */
function histogramCount({ text }: Scrape, name: string, labels: Record<string, string> = {}): number {
  const wanted = Object.entries(labels).map(([key, label]) => `${key}="${label}"`);
  const line = text
    .split('\n')
    .find(
      (candidate) =>
        (candidate.startsWith(`${name}_count{`) || candidate.startsWith(`${name}_count `)) &&
        wanted.every((pair) => candidate.includes(pair)),
    );
  return line ? Number(line.split(' ').at(-1)) : 0;
}

describe('GET /metrics', () => {
  it('is valid Prometheus text whose counters move after a poll and a run', async () => {
    const dir = await tempdir();
    const log = path.join(dir, 'deploys.log');
    const app = await gitdir({ branches: ['main'] });
    const gh = await gitdir({ branches: ['main'] });
    const github = await startGitHubServer({ repos: { 'acme/gh': gh.bare }, token: FORGE_TOKEN });
    onTestFinished(() => github.close());
    const sentry = await engine(
      {
        polling_interval: 3600,
        repositories: [
          shellRepository('app', app.bare, log),
          shellRepository('gh', '', log, {
            monitor: {
              repo_url: 'https://forge.invalid/acme/gh.git',
              repo_type: 'github',
              api_base_url: github.url,
              branches: ['main'],
              auth: { token: FORGE_TOKEN },
            },
          }),
          shellRepository('broken', path.join(dir, 'missing.git'), log),
        ],
      },
      { plugins: [githubPlugin], dir },
    );
    const { url } = await serve(sentry, { defaultMetrics: true });

    const before = await scrape(url);
    expect(value(before, 'sentry_git_poll_cycles_total')).toBe(0);
    expect(value(before, 'sentry_git_runs_total', { status: 'succeeded' })).toBe(0);
    expect(value(before, 'sentry_git_jobs_total', { status: 'failed' })).toBe(0);
    expect(value(before, 'sentry_git_poll_errors_total', { repository: 'broken', provider: 'git' })).toBe(0);
    expect(value(before, 'sentry_git_poll_errors_total', { repository: 'gh', provider: 'github' })).toBe(0);
    expect(family(before, 'process_cpu_user_seconds_total').type).toBe('COUNTER');

    // A baseline cycle: two repositories answer, one cannot be read.
    await sentry.pollOnce();
    const baseline = await scrape(url);
    expect(value(baseline, 'sentry_git_poll_cycles_total')).toBe(1);
    // Three repositories polled, the one that failed included.
    expect(value(baseline, 'sentry_git_polls_total')).toBe(3);
    expect(histogramCount(baseline, 'sentry_git_poll_cycle_duration_seconds')).toBe(1);
    expect(value(baseline, 'sentry_git_poll_errors_total', { repository: 'broken', provider: 'git' })).toBe(
      1,
    );
    expect(value(baseline, 'sentry_git_poll_errors_total', { repository: 'gh', provider: 'github' })).toBe(0);
    const polledAt = value(baseline, 'sentry_git_last_successful_poll_timestamp_seconds', {
      repository: 'app',
    });
    expect(polledAt).toBeGreaterThan(Date.parse('2020-01-01') / 1000);
    expect(
      value(baseline, 'sentry_git_last_successful_poll_timestamp_seconds', { repository: 'gh' }),
    ).toBeDefined();
    expect(
      value(baseline, 'sentry_git_last_successful_poll_timestamp_seconds', { repository: 'broken' }),
    ).toBeUndefined();
    expect(value(baseline, 'sentry_git_ratelimit_remaining', { provider: 'github' })).toBe(
      github.quota().remaining,
    );
    expect(value(baseline, 'sentry_git_changes_total', { repository: 'app' })).toBeUndefined();

    // A push to app: one change, one run, one job.
    const sha = await app.commit('main');
    const poll = await sentry.pollOnce();
    await sentry.waitForRuns(poll.runs.map((run) => run.id));
    expect(await lines(log)).toEqual([`main ${sha}`]);
    const after = await scrape(url);
    expect(value(after, 'sentry_git_poll_cycles_total')).toBe(2);
    expect(value(after, 'sentry_git_polls_total')).toBe(6);
    expect(histogramCount(after, 'sentry_git_poll_cycle_duration_seconds')).toBe(2);
    expect(value(after, 'sentry_git_poll_errors_total', { repository: 'broken', provider: 'git' })).toBe(2);
    expect(value(after, 'sentry_git_changes_total', { repository: 'app', kind: 'updated' })).toBe(1);
    expect(value(after, 'sentry_git_runs_total', { status: 'succeeded' })).toBe(1);
    expect(value(after, 'sentry_git_jobs_total', { status: 'succeeded' })).toBe(1);
    expect(
      histogramCount(after, 'sentry_git_job_duration_seconds', { executor: 'shell', status: 'succeeded' }),
    ).toBe(1);
    expect(family(after, 'sentry_git_job_duration_seconds').type).toBe('HISTOGRAM');
    expect(
      value(after, 'sentry_git_last_successful_poll_timestamp_seconds', { repository: 'app' }),
    ).toBeGreaterThanOrEqual(polledAt!);
    expect(github.unexpected()).toEqual([]);
  });

  it("probes and scrapes never call the forge (the original's probes spent API quota)", async () => {
    const dir = await tempdir();
    const gh = await gitdir({ branches: ['main'] });
    const github = await startGitHubServer({ repos: { 'acme/gh': gh.bare }, token: FORGE_TOKEN });
    onTestFinished(() => github.close());
    const sentry = await engine(
      {
        polling_interval: 3600,
        repositories: [
          shellRepository('gh', '', path.join(dir, 'deploys.log'), {
            monitor: {
              repo_url: 'https://forge.invalid/acme/gh.git',
              repo_type: 'github',
              api_base_url: github.url,
              branches: ['main'],
              auth: { token: FORGE_TOKEN },
            },
          }),
        ],
      },
      { plugins: [githubPlugin], dir },
    );
    const { url } = await serve(sentry);
    await sentry.pollOnce();
    const afterPoll = github.requests.length;
    expect(afterPoll).toBeGreaterThan(0);
    for (let round = 0; round < 5; round += 1) {
      expect((await call(`${url}/healthz`)).status).toBe(200);
      expect((await call(`${url}/readyz`)).status).toBe(200);
      expect((await call(`${url}/metrics`)).status).toBe(200);
      expect((await call(`${url}/api/v1/status`)).status).toBe(200);
    }
    expect(github.requests.length).toBe(afterPoll);
    expect(github.unexpected()).toEqual([]);
  });

  it('keeps one registry per server: two servers on one engine count the same events independently', async () => {
    const repo = await gitdir({ branches: ['main'] });
    const sentry = await engine({ repositories: [shellRepository('app', repo.bare, '/dev/null')] });
    const first = await serve(sentry);
    await sentry.pollOnce();
    const second = await serve(sentry);
    await sentry.pollOnce();
    expect(value(await scrape(first.url), 'sentry_git_poll_cycles_total')).toBe(2);
    expect(value(await scrape(second.url), 'sentry_git_poll_cycles_total')).toBe(1);
    // Without the default metrics, only sentry-git's own are exposed.
    expect((await scrape(second.url)).families.every((metric) => metric.name.startsWith('sentry_git_'))).toBe(
      true,
    );
  });
});

describe('default metrics', () => {
  it('sample the event-loop delay every 100 ms, not every 10 ms (an idle watch woke 100 times a second)', () => {
    const monitor = vi.spyOn(perfHooks, 'monitorEventLoopDelay');
    onTestFinished(() => {
      monitor.mockRestore();
    });
    createMetrics({ defaultMetrics: true });
    expect(monitor).toHaveBeenCalledWith({ resolution: 100 });
  });
});
