import { useState } from 'preact/hooks';
import { describeError } from './api.js';
import type { Run } from './api-types.js';
import { Badge } from './badge.js';
import { useConsole } from './context.js';
import { ago, elapsed, fullTime, isFinished, unitLabel } from './format.js';
import { runHref } from './route.js';

/** Cancel for a queued or running run, re-run for a finished one. */
export function RunButtons({ run }: { run: Run }) {
  const { canAct, actions } = useConsole();
  if (!canAct) return null;
  if (!isFinished(run.status)) {
    return (
      <button
        type="button"
        class="danger"
        aria-label={`Cancel run ${run.id}`}
        disabled={run.cancelRequest !== null}
        onClick={() => actions.cancel(run)}
      >
        {run.cancelRequest ? 'Cancelling…' : 'Cancel…'}
      </button>
    );
  }
  return (
    <button type="button" aria-label={`Re-run run ${run.id}`} onClick={() => actions.rerun(run)}>
      Re-run
    </button>
  );
}

/** The jobs of a run in one line each: repository, branch, status. */
function JobsCell({ run }: { run: Run }) {
  if (run.jobs.length === 0) return <span class="muted">no job</span>;
  return (
    <ul class="plain">
      {run.jobs.map((job) => (
        <li key={job.id}>
          <a href={runHref(run.id, job.id)}>
            {job.repository}
            <span class="muted"> {job.branch}</span>
          </a>{' '}
          <Badge status={job.status} />
        </li>
      ))}
    </ul>
  );
}

/** Runs, newest first: status, trigger and who asked, jobs, when, how long. */
export function Runs() {
  const { data, now } = useConsole();
  const state = data.get();
  const runs = state.listed.map((id) => state.runs.get(id)).filter((run): run is Run => run !== undefined);
  const [loading, setLoading] = useState(false);
  const [error, setError] = useState<string | null>(null);

  async function more() {
    setLoading(true);
    try {
      await data.loadMore();
      setError(null);
    } catch (failure) {
      setError(describeError(failure));
    } finally {
      setLoading(false);
    }
  }

  return (
    <section aria-labelledby="runs-title">
      <h2 id="runs-title">Runs</h2>
      {runs.length === 0 ? (
        <p class="empty">
          No run yet. A run starts when a watched branch moves, or when you trigger or deploy a repository.
        </p>
      ) : (
        <table id="runs">
          <thead>
            <tr>
              <th scope="col">Run</th>
              <th scope="col">Unit</th>
              <th scope="col">Status</th>
              <th scope="col">Trigger</th>
              <th scope="col">Jobs</th>
              <th scope="col">Queued</th>
              <th scope="col">Duration</th>
              <th scope="col">
                <span class="visually-hidden">Actions</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {runs.map((run) => (
              <tr key={run.id} data-run={run.id}>
                <th scope="row">
                  <a href={runHref(run.id)}>
                    <code>{run.id}</code>
                  </a>
                </th>
                <td>{unitLabel(run.unit)}</td>
                <td>
                  <Badge status={run.status} />
                  {run.cancelRequest && !isFinished(run.status) && (
                    <div class="muted small">cancel asked by {run.cancelRequest.by}</div>
                  )}
                </td>
                <td>
                  {run.trigger}
                  {run.requestedBy && <div class="muted small">by {run.requestedBy}</div>}
                </td>
                <td>
                  <JobsCell run={run} />
                </td>
                <td title={fullTime(run.createdAt)}>{ago(run.createdAt, now)}</td>
                <td>{elapsed(run.startedAt, run.finishedAt, now)}</td>
                <td class="actions">
                  <RunButtons run={run} />
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {state.next !== null && (
        <p>
          <button type="button" onClick={more} disabled={loading}>
            {loading ? 'Loading…' : 'Older runs'}
          </button>
        </p>
      )}
      {error !== null && (
        <p class="form-error" role="alert">
          {error}
        </p>
      )}
    </section>
  );
}
