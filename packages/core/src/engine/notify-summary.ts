import type { SentryConfig } from '../config/schema.js';
import type { Redactor } from '../redact.js';
import type { JobRecord, RunRecord } from '../types.js';

/**
 * The JSON body POSTed when a run finishes. It names what was deployed and how it ended, and
 * nothing else: no output tails (they may be large and say more than a chat channel should),
 * no configuration (and so no secret).
 */
export interface RunSummary {
  event: 'run.finished';
  run: Pick<
    RunRecord,
    'id' | 'unit' | 'trigger' | 'status' | 'createdAt' | 'startedAt' | 'finishedAt' | 'error' | 'attempts'
  >;
  jobs: Array<
    Pick<
      JobRecord,
      'id' | 'repository' | 'branch' | 'sha' | 'previousSha' | 'status' | 'exitCode' | 'durationMs' | 'error'
    >
  >;
}

export function runSummary(run: RunRecord, redactor: Redactor): RunSummary {
  const summary: RunSummary = {
    event: 'run.finished',
    run: {
      id: run.id,
      unit: run.unit,
      trigger: run.trigger,
      status: run.status,
      createdAt: run.createdAt,
      startedAt: run.startedAt,
      finishedAt: run.finishedAt,
      error: run.error,
      attempts: run.attempts,
    },
    jobs: run.jobs.map((job) => ({
      id: job.id,
      repository: job.repository,
      branch: job.branch,
      sha: job.sha,
      previousSha: job.previousSha,
      status: job.status,
      exitCode: job.exitCode,
      durationMs: job.durationMs,
      error: job.error,
    })),
  };
  // Event payloads arrive redacted already; this keeps the body safe for any other caller too.
  return redactor.redactValue(summary);
}

/** Where one summary goes. */
export interface Receiver {
  url: string;
  /** Printable: the key that named the URL and its origin, since a URL's path may be its secret (Slack). */
  label: string;
}

function labelOf(key: string, url: string): string {
  try {
    return `${key} (${new URL(url).origin})`;
  } catch {
    return `${key} (not a URL)`;
  }
}

/**
 * `notifications.urls`, then the `webhook_url` of each repository with a job in the run; a URL
 * named twice gets one POST.
 */
export function receiversOf(run: RunRecord, config: SentryConfig): Receiver[] {
  const receivers = new Map<string, Receiver>();
  const add = (key: string, url: string | undefined) => {
    const trimmed = url?.trim();
    if (trimmed && !receivers.has(trimmed))
      receivers.set(trimmed, { url: trimmed, label: labelOf(key, trimmed) });
  };
  config.notifications.urls.forEach((url, index) => {
    add(`notifications.urls[${index}]`, url);
  });
  const involved = new Set(run.jobs.map((job) => job.repository));
  config.repositories.forEach((repo, index) => {
    if (involved.has(repo.name)) add(`repositories[${index}].webhook_url`, repo.webhook_url);
  });
  return [...receivers.values()];
}
