import type { PauseRecord, RepositoryStatus } from './api-types.js';
import { Badge } from './badge.js';
import { useConsole } from './context.js';
import { ago, fullTime, shortSha } from './format.js';
import { runHref } from './route.js';

/** Paused, by whom, since when and why; or active. */
export function PauseState({ pause, now }: { pause: PauseRecord | null; now: number }) {
  if (pause === null) return <span class="muted">active</span>;
  return (
    <span>
      <Badge status="paused" />{' '}
      <span class="muted" title={fullTime(pause.at)}>
        by {pause.by} {ago(pause.at, now)}
        {pause.reason ? `: ${pause.reason}` : ''}
      </span>
    </span>
  );
}

function Branches({ repository, now }: { repository: RepositoryStatus; now: number }) {
  return (
    <div>
      <div class="muted small">watches {repository.branches.join(', ')}</div>
      {repository.heads.length === 0 ? (
        <div class="muted">{repository.seen ? 'no matching branch' : 'not polled yet'}</div>
      ) : (
        <ul class="plain">
          {repository.heads.map((head) => (
            <li key={head.branch}>
              {head.branch} <code title={head.sha}>{shortSha(head.sha)}</code>{' '}
              <span class="muted small" title={fullTime(head.updatedAt)}>
                {ago(head.updatedAt, now)}
              </span>
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}

function Health({ health, now }: { health: RepositoryStatus['health']; now: number }) {
  if (health.consecutiveFailures > 0) {
    return (
      <div>
        <Badge status="failing" label={`failing ×${health.consecutiveFailures}`} />
        <div class="error-text small" title={health.lastError ?? ''}>
          {health.lastError}
        </div>
        <div class="muted small">since {ago(health.failingSince, now)}</div>
      </div>
    );
  }
  return (
    <div>
      <Badge status="ok" label="polling" />
      <div class="muted small" title={fullTime(health.lastPollAt)}>
        {health.lastPollAt ? `polled ${ago(health.lastPollAt, now)}` : 'polled elsewhere'}
      </div>
    </div>
  );
}

/** Every configured repository: its branches and last seen SHAs, polling health, pause state, last run. */
export function Repositories({ repositories }: { repositories: RepositoryStatus[] }) {
  const { canAct, actions, now } = useConsole();
  return (
    <section aria-labelledby="repositories-title">
      <h2 id="repositories-title">Repositories</h2>
      {repositories.length === 0 ? (
        <p class="empty">
          No repository is configured. Add one under <code>repositories:</code> in the configuration and
          restart sentry-git.
        </p>
      ) : (
        <table>
          <thead>
            <tr>
              <th scope="col">Repository</th>
              <th scope="col">Branches and last seen commit</th>
              <th scope="col">Polling</th>
              <th scope="col">State</th>
              <th scope="col">Last run</th>
              {canAct && <th scope="col">Actions</th>}
            </tr>
          </thead>
          <tbody>
            {repositories.map((repository) => (
              <tr key={repository.name} data-repository={repository.name}>
                <th scope="row">
                  {repository.name}
                  <div class="muted small">
                    {repository.group ? `group ${repository.group} · ` : ''}
                    {repository.provider}
                  </div>
                </th>
                <td>
                  <Branches repository={repository} now={now} />
                </td>
                <td>
                  <Health health={repository.health} now={now} />
                </td>
                <td>
                  <PauseState pause={repository.paused ?? null} now={now} />
                </td>
                <td>
                  {repository.lastRun ? (
                    <>
                      {/* Its own job's outcome: a group run can fail on another member. */}
                      <a href={runHref(repository.lastRun.id)} title={`run ${repository.lastRun.id}`}>
                        <Badge status={repository.lastRun.jobStatus ?? repository.lastRun.status} />
                      </a>{' '}
                      <span class="muted small" title={fullTime(repository.lastRun.createdAt)}>
                        {ago(repository.lastRun.createdAt, now)}
                      </span>
                    </>
                  ) : (
                    <span class="muted">none yet</span>
                  )}
                </td>
                {canAct && (
                  <td class="actions">
                    <button
                      type="button"
                      aria-label={`Trigger ${repository.name}`}
                      onClick={() => actions.trigger({ repository: repository.name })}
                    >
                      Trigger
                    </button>
                    <button
                      type="button"
                      aria-label={`Deploy a commit of ${repository.name}`}
                      onClick={() => actions.deploy(repository.name)}
                    >
                      Deploy…
                    </button>
                    {repository.group === null &&
                      (repository.paused ? (
                        <button
                          type="button"
                          aria-label={`Resume ${repository.name}`}
                          onClick={() => actions.resume({ repository: repository.name })}
                        >
                          Resume
                        </button>
                      ) : (
                        <button
                          type="button"
                          aria-label={`Pause ${repository.name}`}
                          onClick={() => actions.pause({ repository: repository.name })}
                        >
                          Pause…
                        </button>
                      ))}
                  </td>
                )}
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}
