/**
 * Following a job's output: what it printed so far, then the new text as it comes, until the job
 * has finished. A job running in this engine is followed on the event bus (`job:output`), from
 * the tail the runner keeps in memory; any other (another replica's, a `watch` in another process,
 * one not started yet) is read from the store, where the runner saves a running job's output about
 * every second (live-output.ts), and the bus wakes the follower early when the job starts here.
 */
import { SentryError } from '../errors.js';
import type { EventBus } from '../events.js';
import type { StateStore } from '../interfaces/state-store.js';
import { timerDelay } from '../timer-delay.js';
import { type JobRecord, OUTPUT_TAIL_BYTES, type RunRecord } from '../types.js';
import type { FollowJobOptions } from './requests.js';

/** How often the store is read for a job running elsewhere. */
export const FOLLOW_READ_MS = 1000;

/** How much of the text shown last is looked for in a tail that moved on, to find where the new text starts. */
const ANCHOR_CHARS = 1024;

export interface FollowJobInput {
  store: StateStore;
  bus: EventBus;
  /** The redacted output so far of a job running here; undefined when it does not run here. */
  outputOf(jobId: string): string | undefined;
  /** @default FOLLOW_READ_MS */
  readMs?: number;
}

/** What `now` (the output's tail as it is now) adds to `shown` (the tail of what was yielded). */
export function newText(shown: string, now: string): string {
  if (now.startsWith(shown)) return now.slice(shown.length);
  // A tail saved a moment ago, behind what the bus showed already.
  if (shown.includes(now)) return '';
  // The tail moved past the start of what was shown: find where what was shown ends in it.
  const anchor = shown.slice(-ANCHOR_CHARS);
  const at = now.indexOf(anchor);
  return at >= 0 ? now.slice(at + anchor.length) : now;
}

function finished(job: JobRecord): boolean {
  return job.status !== 'queued' && job.status !== 'running';
}

/** What the bus says about one job while it is followed: its output, its start and its end. */
function watchJob(bus: EventBus, jobId: string) {
  const feed = { texts: [] as string[], ended: false };
  let wake = () => {};
  const offs = [
    bus.on('job:output', (event) => {
      if (event.jobId !== jobId) return;
      feed.texts.push(event.text);
      wake();
    }),
    bus.on('job:start', ({ job }) => {
      if (job.id === jobId) wake();
    }),
    bus.on('job:finish', ({ job }) => {
      if (job.id !== jobId) return;
      feed.ended = true;
      wake();
    }),
  ];
  return {
    feed,
    /** Resolves at the next event about the job, after `ms`, or when `signal` aborts. */
    next(ms: number, signal: AbortSignal | undefined): Promise<void> {
      return new Promise((resolve) => {
        if (signal?.aborted) return resolve();
        const done = () => {
          clearTimeout(timer);
          signal?.removeEventListener('abort', done);
          wake = () => {};
          resolve();
        };
        const timer = setTimeout(done, timerDelay(ms));
        signal?.addEventListener('abort', done, { once: true });
        wake = done;
      });
    },
    close() {
      for (const off of offs) off();
    },
  };
}

/** The job of a run as stored; RUN_NOT_FOUND and JOB_NOT_FOUND say which is missing. */
function jobOf(run: RunRecord | null, runId: string, jobId: string): JobRecord {
  if (!run) throw new SentryError('RUN_NOT_FOUND', `No run ${JSON.stringify(runId)}.`);
  const job = run.jobs.find((candidate) => candidate.id === jobId);
  if (job) return job;
  throw new SentryError('JOB_NOT_FOUND', `Run ${runId} has no job ${JSON.stringify(jobId)}.`, {
    fix: `Use one of its jobs: ${run.jobs.map((candidate) => candidate.id).join(', ')}.`,
  });
}

export async function* followJob(
  input: FollowJobInput,
  runId: string,
  jobId: string,
  options: FollowJobOptions = {},
): AsyncGenerator<string, void, undefined> {
  const { store, outputOf } = input;
  const { signal } = options;
  const readMs = input.readMs ?? FOLLOW_READ_MS;
  // Subscribed before the first look, so nothing said between the look and the subscription is lost.
  const watch = watchJob(input.bus, jobId);
  // The tail of what was yielded, to tell what a later tail adds.
  let shown = '';
  const show = (text: string) => {
    shown = (shown + text).slice(-2 * OUTPUT_TAIL_BYTES);
    return text;
  };
  try {
    let job = jobOf(await store.getRun(runId), runId, jobId);
    while (!signal?.aborted) {
      const local = outputOf(jobId);
      if (local !== undefined) {
        // Running here: the tail so far, then each piece of output as the bus carries it.
        watch.feed.texts.length = 0;
        const text = newText(shown, local);
        if (text) yield show(text);
        while (!signal?.aborted) {
          for (const piece of watch.feed.texts.splice(0)) yield show(piece);
          if (watch.feed.ended || outputOf(jobId) === undefined) break;
          await watch.next(readMs, signal);
        }
        // Ended here with output shown; an executor that only returned its output is read below.
        if (signal?.aborted || (watch.feed.ended && shown !== '')) return;
        const run = await store.getRun(runId);
        if (!run) return;
        job = jobOf(run, runId, jobId);
      }
      const text = newText(shown, job.output ?? '');
      if (text) yield show(text);
      if (finished(job)) return;
      // Elsewhere, or not started yet: read again in a while, or as soon as it starts here.
      await watch.next(readMs, signal);
      if (outputOf(jobId) !== undefined) continue;
      const run = await store.getRun(runId);
      if (!run) return;
      job = jobOf(run, runId, jobId);
    }
  } finally {
    watch.close();
  }
}
