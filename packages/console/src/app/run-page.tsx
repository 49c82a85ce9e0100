import { useEffect, useState } from 'preact/hooks';
import { describeError } from './api.js';
import type { Job, Run } from './api-types.js';
import { Badge } from './badge.js';
import { useConsole } from './context.js';
import { ago, elapsed, formatDuration, fullTime, isFinished, shortSha, unitLabel } from './format.js';
import { JobLog } from './job-log.js';
import { runHref } from './route.js';
import { RunButtons } from './runs.js';

/** The job whose output shows: the one in the address, else the first running, else the first. */
function shownJob(run: Run, jobId: string | null): Job | undefined {
  return (
    run.jobs.find((job) => job.id === jobId) ??
    run.jobs.find((job) => job.status === 'running') ??
    run.jobs[0]
  );
}

function Facts({ run, now }: { run: Run; now: number }) {
  return (
    <dl class="facts">
      <dt>Unit</dt>
      <dd>{unitLabel(run.unit)}</dd>
      <dt>Status</dt>
      <dd>
        <Badge status={run.status} />
      </dd>
      <dt>Trigger</dt>
      <dd>
        {run.trigger}
        {run.requestedBy ? ` by ${run.requestedBy}` : ''}
      </dd>
      <dt>Queued</dt>
      <dd title={fullTime(run.createdAt)}>{ago(run.createdAt, now)}</dd>
      <dt>Duration</dt>
      <dd>{elapsed(run.startedAt, run.finishedAt, now)}</dd>
      {run.attempts > 0 && (
        <>
          <dt>Restarts</dt>
          <dd>{run.attempts} (a crash interrupted it)</dd>
        </>
      )}
      {run.cancelRequest && (
        <>
          <dt>Cancel</dt>
          <dd>
            asked by {run.cancelRequest.by} {ago(run.cancelRequest.at, now)}
            {run.cancelRequest.reason ? `: ${run.cancelRequest.reason}` : ''}
          </dd>
        </>
      )}
      {run.error && (
        <>
          <dt>Error</dt>
          <dd class="error-text">{run.error}</dd>
        </>
      )}
    </dl>
  );
}

function Jobs({ run, shown, now }: { run: Run; shown: Job | undefined; now: number }) {
  return (
    <table>
      <thead>
        <tr>
          <th scope="col">Job</th>
          <th scope="col">Commit</th>
          <th scope="col">Status</th>
          <th scope="col">Duration</th>
          <th scope="col">Exit code</th>
          <th scope="col">Error</th>
        </tr>
      </thead>
      <tbody>
        {run.jobs.map((job) => (
          <tr key={job.id} data-job={job.id} class={job.id === shown?.id ? 'selected' : undefined}>
            <th scope="row">
              <a href={runHref(run.id, job.id)} aria-current={job.id === shown?.id ? 'true' : undefined}>
                {job.repository} <span class="muted">{job.branch}</span>
              </a>
            </th>
            <td>
              <code title={job.sha}>{shortSha(job.sha)}</code>
              {job.previousSha && (
                <span class="muted small" title={job.previousSha}>
                  {' '}
                  from {shortSha(job.previousSha)}
                </span>
              )}
            </td>
            <td>
              <Badge status={job.status} />
            </td>
            <td>
              {job.durationMs !== null
                ? formatDuration(job.durationMs)
                : elapsed(job.startedAt, job.finishedAt, now)}
            </td>
            <td>{job.exitCode ?? '—'}</td>
            <td class="error-text">{job.error ?? ''}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

/** One run: what it is, its jobs, and the output of one of them, live while it runs. */
export function RunPage({ runId, jobId }: { runId: string; jobId: string | null }) {
  const { data, now } = useConsole();
  const run = data.get().runs.get(runId);
  const [error, setError] = useState<string | null>(null);

  useEffect(() => {
    setError(null);
    data.refreshRun(runId).catch((failure) => setError(describeError(failure)));
  }, [data, runId]);

  const shown = run ? shownJob(run, jobId) : undefined;
  return (
    <section aria-labelledby="page-title">
      <p>
        <a href="#/">← All repositories and runs</a>
      </p>
      <h2 id="page-title" tabIndex={-1}>
        Run <code>{runId}</code>
      </h2>
      {run === undefined ? (
        error !== null ? (
          <p class="form-error" role="alert">
            {error}
          </p>
        ) : (
          <p class="muted">Loading the run…</p>
        )
      ) : (
        <>
          <div class="run-head">
            <Facts run={run} now={now} />
            <div class="actions">
              <RunButtons run={run} />
            </div>
          </div>
          <h3>Jobs</h3>
          {run.jobs.length === 0 ? (
            <p class="empty">This run has no job.</p>
          ) : (
            <Jobs run={run} shown={shown} now={now} />
          )}
          {shown && <JobLog key={shown.id} job={shown} />}
          {isFinished(run.status) || (
            <p class="muted small">This page updates by itself while the run goes on.</p>
          )}
        </>
      )}
    </section>
  );
}
