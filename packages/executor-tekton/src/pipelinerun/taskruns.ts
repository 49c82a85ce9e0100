import type { Logger } from '@sentry-git/core';
import { type TektonApi, taskRunSelector } from '../kube/tekton-api.js';
import type { TektonRun } from '../kube/types.js';
import { isExpired, openWatch } from '../kube/watch.js';
import { byCreation } from './progress.js';

/** Watches a PipelineRun's TaskRuns so that every state change is seen, not only the latest. */
export interface TaskRunFollower {
  /** False once watching failed: the caller then lists TaskRuns itself on each PipelineRun change. */
  readonly watching: boolean;
  /** Stops watching after handing over the events already received. */
  stop(): Promise<void>;
}

export interface TaskRunFollowOptions {
  /** Watches in a row that may close without an event before giving up. */
  maxRetries: number;
  /** Watch from this resourceVersion without listing first (see below). */
  since: string | undefined;
  log: Logger;
  onTaskRun(taskRun: TektonRun): void;
}

/**
 * Lists the TaskRuns (each goes to `onTaskRun`, oldest first), then watches them from the list's
 * resourceVersion, opening the watch again when the server closes it and listing again after
 * 410 Expired. With `since` (the resourceVersion of a PipelineRun just created, before any of
 * its TaskRuns existed) it watches from there without listing, so even states that came and went
 * before the watch opened are seen. Gives up (watching = false) when the watch fails, is refused, or keeps closing
 * without an event more than `maxRetries` times in a row.
 */
export function followTaskRuns(
  api: TektonApi,
  namespace: string,
  pipelineRun: string,
  parent: AbortSignal,
  options: TaskRunFollowOptions,
): TaskRunFollower {
  const { maxRetries, since, onTaskRun } = options;
  const stopping = new AbortController();
  const signal = AbortSignal.any([parent, stopping.signal]);
  let watching = true;

  async function run(): Promise<void> {
    let emptyWatches = 0;
    let start = since;
    for (;;) {
      let resourceVersion = start;
      start = undefined;
      if (resourceVersion === undefined) {
        const list = await api.listTaskRuns(namespace, pipelineRun, signal);
        [...list.items].sort(byCreation).forEach(onTaskRun);
        resourceVersion = list.resourceVersion;
      }
      for (;;) {
        const stream = openWatch(
          api.client.watch,
          api.taskRunWatchPath(namespace),
          { labelSelector: taskRunSelector(pipelineRun), resourceVersion, allowWatchBookmarks: true },
          signal,
        );
        let events = 0;
        let expired = false;
        for await (const event of stream) {
          events += 1;
          if (event.type === 'ERROR') {
            if (!isExpired(event.object)) throw new Error('the TaskRun watch reported an error');
            expired = true;
            break;
          }
          resourceVersion = event.object.metadata?.resourceVersion ?? resourceVersion;
          if (event.type === 'ADDED' || event.type === 'MODIFIED') onTaskRun(event.object as TektonRun);
        }
        stream.stop();
        if (stream.end?.kind === 'stopped') return;
        if (expired) break;
        if (stream.end?.kind === 'failed') throw new Error('the TaskRun watch failed');
        emptyWatches = events === 0 ? emptyWatches + 1 : 0;
        options.log.debug({ pipelineRun, events }, 'the TaskRun watch was closed; watching again');
        if (emptyWatches > maxRetries) throw new Error('the TaskRun watch keeps closing');
      }
    }
  }

  const done = run().catch(() => {
    // Stopped, aborted, refused or broken: the PipelineRun's follow-up lists TaskRuns instead.
    if (!stopping.signal.aborted) watching = false;
  });
  return {
    get watching() {
      return watching && !stopping.signal.aborted;
    },
    async stop() {
      stopping.abort();
      await done;
    },
  };
}
