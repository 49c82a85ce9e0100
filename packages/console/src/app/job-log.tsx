import { useEffect, useRef, useState } from 'preact/hooks';
import { describeError } from './api.js';
import type { Job } from './api-types.js';
import { useConsole } from './context.js';
import { isFinished } from './format.js';

/** Past this many characters the oldest half of the shown output is dropped: the page stays fast. */
const MAX_SHOWN = 2_000_000;

type LogState = 'opening' | 'following' | 'ended' | 'failed';

/**
 * A job's output: what it printed so far, then every new line as it comes, until the job ends
 * (`GET …/log?follow=1` read as a stream). The view keeps to the bottom while the reader is there.
 */
export function JobLog({ job }: { job: Job }) {
  const { api, data } = useConsole();
  const pre = useRef<HTMLPreElement>(null);
  // Asking to follow again (after a lost connection) opens the output anew.
  const [attempt, setAttempt] = useState(0);
  const [state, setState] = useState<LogState>('opening');
  const [error, setError] = useState<string | null>(null);
  const [empty, setEmpty] = useState(true);

  useEffect(() => {
    const element = pre.current!;
    const controller = new AbortController();
    element.textContent = '';
    setEmpty(true);
    setState('opening');
    setError(null);

    function append(text: string) {
      const atBottom = element.scrollHeight - element.scrollTop - element.clientHeight < 32;
      element.append(text);
      const length = element.textContent?.length ?? 0;
      if (length > MAX_SHOWN) element.textContent = (element.textContent ?? '').slice(length - MAX_SHOWN / 2);
      if (atBottom) element.scrollTop = element.scrollHeight;
      setEmpty(false);
    }

    (async () => {
      try {
        const path = `api/v1/runs/${encodeURIComponent(job.runId)}/jobs/${encodeURIComponent(job.id)}/log?follow=1`;
        const response = await api.open(path, {
          signal: controller.signal,
          headers: { accept: 'text/plain' },
        });
        if (!response.body) throw new Error('the answer has no body');
        setState('following');
        const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
        for (;;) {
          const { value, done } = await reader.read();
          if (done) break;
          if (value !== '') append(value);
        }
        // The job's status as it ended, to tell a finished job from a connection the server closed.
        await data.refreshRun(job.runId).catch(() => undefined);
        if (!controller.signal.aborted) setState('ended');
      } catch (failure) {
        if (controller.signal.aborted) return;
        setError(describeError(failure));
        setState('failed');
      }
    })();
    return () => controller.abort();
  }, [api, data, job.runId, job.id, attempt]);

  // Shown at its first text: start at the end, where new lines come.
  useEffect(() => {
    if (!empty && pre.current) pre.current.scrollTop = pre.current.scrollHeight;
  }, [empty]);

  const label = `Output of ${job.repository} ${job.branch}`;
  return (
    <section aria-labelledby="log-title" class="log">
      <h3 id="log-title">{label}</h3>
      <p class="muted small" role="status" data-log-state={state}>
        {state === 'opening' && 'Opening the output…'}
        {state === 'following' &&
          (job.status === 'queued' ? 'Waiting for the job to start…' : 'Following the output live.')}
        {state === 'ended' &&
          (isFinished(job.status)
            ? 'End of the output: the job has finished.'
            : 'The output stopped before the job ended: the connection was closed.')}
      </p>
      {error !== null && (
        <p class="form-error" role="alert">
          The output cannot be read: {error}
        </p>
      )}
      {(state === 'failed' || (state === 'ended' && !isFinished(job.status))) && (
        <p>
          <button type="button" onClick={() => setAttempt((count) => count + 1)}>
            Follow again
          </button>
        </p>
      )}
      {/* A live region announcing every line would drown a screen reader: the reader scrolls it. */}
      {/* biome-ignore lint/a11y/noNoninteractiveTabindex: the focus lets a keyboard scroll the output. */}
      <pre ref={pre} role="log" aria-live="off" aria-label={label} tabIndex={0} hidden={empty} />
      {empty && (state === 'following' || state === 'ended') && (
        <p class="empty">{state === 'ended' ? 'The job printed nothing.' : 'No output yet.'}</p>
      )}
    </section>
  );
}
