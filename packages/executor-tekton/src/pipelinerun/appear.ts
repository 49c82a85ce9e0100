import { timeoutError } from '@sentry-git/core';
import { abortableDelay } from '@sentry-git/core/internal';
import type { TektonApi } from '../kube/tekton-api.js';
import type { TektonRun } from '../kube/types.js';
import { openWatch } from '../kube/watch.js';

export interface AppearOptions {
  api: TektonApi;
  namespace: string;
  selector: string;
  signal: AbortSignal;
  /** How long to wait; then `onTimeout()` is thrown. */
  timeoutMs: number;
  pollIntervalMs: number;
  onTimeout(): Error;
}

/**
 * Waits for PipelineRuns matching `selector` to exist and returns them: lists, then watches
 * the namespace's PipelineRuns with the selector from the list's resourceVersion (so one created
 * in between is not missed), listing again after the first appears so every match is returned.
 * Falls back to polling when the watch fails.
 */
export async function waitForPipelineRuns(options: AppearOptions): Promise<TektonRun[]> {
  const { api, namespace, selector } = options;
  const deadline = new AbortController();
  const timer = setTimeout(
    () => deadline.abort(timeoutError(`no PipelineRun within ${options.timeoutMs / 1000}s`)),
    options.timeoutMs,
  );
  const signal = AbortSignal.any([options.signal, deadline.signal]);
  let polling = false;
  try {
    for (;;) {
      const list = await api.list(namespace, selector, signal);
      if (list.items.length > 0) return list.items;
      if (polling) {
        await abortableDelay(options.pollIntervalMs, signal);
        continue;
      }
      const stream = openWatch(
        api.client.watch,
        api.watchPath(namespace),
        { labelSelector: selector, resourceVersion: list.resourceVersion, allowWatchBookmarks: true },
        signal,
      );
      let events = 0;
      try {
        for await (const event of stream) {
          events += 1;
          if (event.type === 'ADDED' || event.type === 'MODIFIED' || event.type === 'ERROR') break;
        }
      } finally {
        stream.stop();
      }
      if (stream.end?.kind === 'failed') polling = true;
      // A watch the server closes at once, again and again, must not become a busy loop.
      else if (events === 0) await abortableDelay(options.pollIntervalMs, signal);
    }
  } catch (error) {
    if (deadline.signal.aborted && !options.signal.aborted) throw options.onTimeout();
    throw error;
  } finally {
    clearTimeout(timer);
  }
}
