import type { JobRecord, RunRecord } from '@sentry-git/core';
import { duration, shortSha } from '../format.js';

/** A run as the progress display needs it: what the API's events carry (jobs without output). */
export type RunView = Pick<RunRecord, 'id' | 'unit' | 'trigger' | 'status' | 'startedAt' | 'finishedAt'> & {
  jobs: ReadonlyArray<Omit<JobRecord, 'output'>>;
};
export type JobView = Omit<JobRecord, 'output'>;

/** Shows runs and their jobs as they queue, start and end, on stderr. */
export interface ProgressView {
  queued(run: RunView): void;
  jobStarted(run: RunView, job: JobView): void;
  jobFinished(run: RunView, job: JobView): void;
  runFinished(run: RunView): void;
  /** A line of its own (a note, an engine log line), kept clear of the status line. */
  write(text: string): void;
  /** Clears the status line and stops redrawing it. */
  close(): void;
}

export interface ProgressViewOptions {
  /**
   * A terminal: a status line (a spinner and each running job's time so far) is redrawn in place
   * under the lines. Otherwise (a pipe, a CI log) only whole lines are written.
   */
  tty: boolean;
  /** @default Date.now */
  now?: () => number;
}

const FRAMES = ['⠋', '⠙', '⠹', '⠸', '⠼', '⠴', '⠦', '⠧', '⠇', '⠏'];
const REDRAW_MS = 100;
const CLEAR_LINE = '\r\x1b[2K';

function jobName(job: JobView): string {
  return `${job.repository} ${job.branch} ${shortSha(job.sha)}`;
}

function runTime(run: RunView): string {
  if (!run.startedAt || !run.finishedAt) return '';
  return ` in ${duration(Date.parse(run.finishedAt) - Date.parse(run.startedAt))}`;
}

function jobEnd(job: JobView): string {
  const exit = job.exitCode !== null && job.exitCode !== 0 ? `, exit ${job.exitCode}` : '';
  const error = job.status !== 'succeeded' && job.error ? `: ${job.error.split('\n')[0]!.slice(0, 120)}` : '';
  const took = job.durationMs === null ? '' : ` in ${duration(job.durationMs)}`;
  return `  ${job.status} ${jobName(job)}${took}${exit}${error}`;
}

export function createProgressView(out: NodeJS.WritableStream, options: ProgressViewOptions): ProgressView {
  const now = options.now ?? Date.now;
  /** Running jobs by id: their name and when this process saw them start. */
  const running = new Map<string, { name: string; since: number }>();
  const ended = new Set<string>();
  let frame = 0;
  let shown = false;
  let timer: NodeJS.Timeout | undefined;

  function statusLine(): string {
    const jobs = [...running.values()].map((job) => `${job.name} ${duration(now() - job.since)}`);
    return `${FRAMES[frame % FRAMES.length]} ${jobs.length > 0 ? `running: ${jobs.join(' · ')}` : 'waiting'}`;
  }

  function redraw(): void {
    if (!options.tty || timer === undefined) return;
    out.write(`${CLEAR_LINE}${statusLine()}`);
    shown = true;
  }

  function line(text: string): void {
    if (shown) out.write(CLEAR_LINE);
    shown = false;
    out.write(text.endsWith('\n') ? text : `${text}\n`);
    redraw();
  }

  function start(): void {
    if (!options.tty || timer !== undefined) return;
    timer = setInterval(() => {
      frame += 1;
      redraw();
    }, REDRAW_MS);
    // An animation only: it never keeps the process alive.
    timer.unref();
    redraw();
  }

  function jobFinished(job: JobView): void {
    if (ended.has(job.id)) return;
    ended.add(job.id);
    running.delete(job.id);
    line(jobEnd(job));
  }

  return {
    queued(run) {
      const jobs = run.jobs.length === 1 ? '1 job' : `${run.jobs.length} jobs`;
      line(`run ${run.id} queued: ${run.unit}, ${run.trigger}, ${jobs}`);
      start();
    },
    jobStarted(_run, job) {
      if (running.has(job.id) || ended.has(job.id)) return;
      running.set(job.id, { name: `${job.repository} ${job.branch}`, since: now() });
      line(`  started ${jobName(job)}`);
    },
    jobFinished: (_run, job) => jobFinished(job),
    runFinished(run) {
      for (const job of run.jobs) if (running.has(job.id)) jobFinished(job);
      line(`run ${run.id} ${run.status}${runTime(run)}`);
    },
    write: line,
    close() {
      if (timer !== undefined) clearInterval(timer);
      timer = undefined;
      if (shown) out.write(CLEAR_LINE);
      shown = false;
    },
  };
}
