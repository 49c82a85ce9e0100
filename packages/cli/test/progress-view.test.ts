import { PassThrough } from 'node:stream';
import type { JobRecord } from '@sentry-git/core';
import { describe, expect, it } from 'vitest';
import { createProgressView, type RunView } from '../src/progress/view.js';

function job(patch: Partial<JobRecord> = {}): Omit<JobRecord, 'output'> {
  return {
    id: 'job_1',
    runId: 'run_1',
    position: 0,
    repository: 'app',
    branch: 'main',
    sha: '90b19edfe3f9c8c9f4df2e4362b236f2db1ffaf6',
    previousSha: null,
    status: 'running',
    exitCode: null,
    startedAt: '2026-11-22T20:00:00.000Z',
    finishedAt: null,
    durationMs: null,
    error: null,
    attempt: 1,
    handle: null,
    ...patch,
  };
}

function run(patch: Partial<RunView> = {}): RunView {
  return {
    id: 'run_1',
    unit: 'repository:app',
    trigger: 'deploy',
    status: 'running',
    startedAt: '2026-11-22T20:00:00.000Z',
    finishedAt: null,
    jobs: [job()],
    ...patch,
  };
}

function capture() {
  const out = new PassThrough();
  let text = '';
  out.on('data', (chunk: Buffer) => {
    text += chunk.toString();
  });
  return { out, text: () => text };
}

describe('the progress display', () => {
  it('writes whole lines only when not on a terminal: queued, each job starting and ending, the run', () => {
    const { out, text } = capture();
    const view = createProgressView(out, { tty: false });
    view.queued(run({ status: 'queued' }));
    view.jobStarted(run(), job());
    view.jobStarted(run(), job());
    const failed = job({
      status: 'failed',
      exitCode: 3,
      durationMs: 1234,
      error: 'Command 1 of 1 failed\nmore',
    });
    view.jobFinished(run(), failed);
    view.runFinished(run({ status: 'failed', finishedAt: '2026-11-22T20:00:02.500Z', jobs: [failed] }));
    view.close();
    expect(text()).toBe(
      [
        'run run_1 queued: repository:app, deploy, 1 job',
        '  started app main 90b19edfe3',
        '  failed app main 90b19edfe3 in 1.2 s, exit 3: Command 1 of 1 failed',
        'run run_1 failed in 2.5 s',
        '',
      ].join('\n'),
    );
    expect(text()).not.toContain('\x1b');
    expect(text()).not.toContain('\r');
  });

  it('on a terminal keeps a status line with each running job’s time under the lines, and clears it', () => {
    const { out, text } = capture();
    let now = 1_000;
    const view = createProgressView(out, { tty: true, now: () => now });
    view.queued(run({ status: 'queued' }));
    view.jobStarted(run(), job());
    now += 3_200;
    view.write('an engine log line\n');
    expect(text()).toContain('\r\x1b[2Kan engine log line\n');
    expect(text().slice(text().lastIndexOf('\r\x1b[2K'))).toMatch(/running: app main 3\.2 s$/);
    view.jobFinished(run(), job({ status: 'succeeded', exitCode: 0, durationMs: 3200 }));
    view.close();
    expect(text().endsWith('\r\x1b[2K')).toBe(true);
    // Every permanent line starts on a cleared line: no spinner text is left in front of it.
    const lines = text().split('\n').slice(0, -1);
    for (const line of lines)
      expect(line.slice(line.lastIndexOf('\r\x1b[2K') + 5)).not.toMatch(/^[⠋⠙⠹⠸⠼⠴⠦⠧⠇⠏]/);
  });
});
