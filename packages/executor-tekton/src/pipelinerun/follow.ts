import { errorMessage, SentryError } from '@sentry-git/core';
import { abortableDelay, backoffDelay } from '@sentry-git/core/internal';
import { kubeFailure } from '../kube/errors.js';
import type { TektonApi } from '../kube/tekton-api.js';
import type { TektonRun } from '../kube/types.js';
import { isExpired, openWatch, type WatchEnd } from '../kube/watch.js';
import type { JobOutput } from '../output.js';
import { byCreation, type ProgressReporter } from './progress.js';
import { isFinished } from './status.js';
import { followTaskRuns } from './taskruns.js';

export interface FollowContext {
  api: TektonApi;
  /** Of a PipelineRun whose metadata has none. */
  namespace: string;
  signal: AbortSignal;
  /** Between two reads when the watch cannot be used. */
  pollIntervalMs: number;
  /** Watches in a row that may end without an event before falling back to polling. */
  maxRetries: number;
  output: JobOutput;
}

/** How the follow-up of one PipelineRun goes on after a watch stream ended. */
type Next = 'finished' | 'rewatch' | 'refetch' | 'poll';

function describeEnd(end: WatchEnd | undefined): string {
  if (end?.kind !== 'failed') return 'the server reported an error';
  const failure = kubeFailure(end.error);
  return failure ? `${failure.status ?? 'no answer'}: ${failure.message}` : errorMessage(end.error);
}

function deleted(name: string): SentryError {
  return new SentryError(
    'TEKTON_PIPELINERUN_DELETED',
    `PipelineRun ${name} was deleted before it finished.`,
    {
      fix: 'Something (a person, a pruner, a namespace deletion) removed it; run the deploy again.',
    },
  );
}

/**
 * Follows one PipelineRun until `Succeeded` is True or False and returns its last state.
 * Watches it (by name, from the last resourceVersion seen, so nothing is missed), opens the
 * watch again when the server closes it, and polls every `pollIntervalMs` when watching fails or
 * is refused. Its TaskRuns are watched alongside, so each of their state changes is reported.
 * Rejects with the signal's reason on abort.
 */
export async function followPipelineRun(
  context: FollowContext,
  initial: TektonRun,
  reporter: ProgressReporter,
): Promise<TektonRun> {
  const { api, signal, output } = context;
  const name = initial.metadata?.name ?? '';
  const namespace = initial.metadata?.namespace ?? context.namespace;
  // A PipelineRun without a status was just created: none of its TaskRuns can exist before it.
  const fresh = Object.keys(initial.status ?? {}).length === 0;
  const since = fresh ? initial.metadata?.resourceVersion : undefined;
  const taskRuns = followTaskRuns(api, namespace, name, signal, {
    maxRetries: context.maxRetries,
    since,
    log: output.log,
    onTaskRun: reporter.taskRun,
  });
  let current = initial;
  let reportedVersion: string | undefined;

  async function listTaskRuns(): Promise<void> {
    const { items } = await api.listTaskRuns(namespace, name, signal);
    [...items].sort(byCreation).forEach(reporter.taskRun);
  }

  async function observe(run: TektonRun): Promise<void> {
    current = run;
    const version = run.metadata?.resourceVersion;
    if (version !== undefined && version === reportedVersion) return;
    reportedVersion = version;
    // The end is reported once the TaskRuns' last states are in (see below).
    if (isFinished(run)) return;
    if (!taskRuns.watching) await listTaskRuns();
    reporter.pipelineRun(run);
  }

  async function watchOnce(): Promise<{ next: Next; events: number; end: WatchEnd | undefined }> {
    const stream = openWatch(
      api.client.watch,
      api.watchPath(namespace),
      {
        fieldSelector: `metadata.name=${name}`,
        resourceVersion: current.metadata?.resourceVersion,
        allowWatchBookmarks: true,
      },
      signal,
    );
    let events = 0;
    try {
      for await (const event of stream) {
        events += 1;
        if (event.type === 'ERROR') {
          return { next: isExpired(event.object) ? 'refetch' : 'poll', events, end: stream.end };
        }
        if (event.type === 'DELETED') throw deleted(name);
        if (event.type === 'BOOKMARK') {
          const resourceVersion = event.object.metadata?.resourceVersion;
          current = { ...current, metadata: { ...current.metadata, resourceVersion } };
          continue;
        }
        await observe(event.object as TektonRun);
        if (isFinished(current)) return { next: 'finished', events, end: undefined };
      }
    } finally {
      stream.stop();
    }
    signal.throwIfAborted();
    return { next: stream.end?.kind === 'failed' ? 'poll' : 'rewatch', events, end: stream.end };
  }

  async function refetch(): Promise<void> {
    await observe(await api.get(namespace, name, signal));
  }

  try {
    await observe(initial);
    let polling = false;
    let emptyWatches = 0;
    while (!isFinished(current)) {
      if (polling) {
        await abortableDelay(context.pollIntervalMs, signal);
        await refetch();
        continue;
      }
      const { next, events, end } = await watchOnce();
      if (next === 'refetch') {
        await refetch();
      } else if (next === 'poll') {
        polling = true;
        output.note(
          `Watching PipelineRun ${name} failed (${describeEnd(end)}); polling every ${context.pollIntervalMs / 1000}s instead`,
        );
        await refetch();
      } else if (next === 'rewatch') {
        // A server closes watches now and then; one that closes at once, again and again, is broken.
        emptyWatches = events === 0 ? emptyWatches + 1 : 0;
        output.log.debug({ pipelineRun: name, events }, 'the PipelineRun watch was closed; watching again');
        if (emptyWatches > context.maxRetries) {
          polling = true;
          output.note(
            `The watch of PipelineRun ${name} keeps closing at once; polling every ${context.pollIntervalMs / 1000}s instead`,
          );
        } else if (emptyWatches > 0) {
          await abortableDelay(backoffDelay(emptyWatches - 1, 250, 5000), signal);
        }
      }
    }
    // The TaskRuns' final states (the watch hands over what it has received), then the end.
    await taskRuns.stop();
    await listTaskRuns();
    reporter.pipelineRun(current);
    return current;
  } finally {
    await taskRuns.stop();
  }
}
