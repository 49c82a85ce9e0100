import type { SentryConfig } from '../config/schema.js';
import type { StateStore } from '../interfaces/state-store.js';
import type { Registry } from '../plugins/registry.js';
import type { Redactor } from '../redact.js';
import { type PauseRecord, type RunRecord, type TriggerKind, unitKeyOf } from '../types.js';
import { intervalBounds } from './adaptive.js';
import type { HealthBook } from './health.js';
import { targetOf } from './poll.js';

export interface RepositoryStatus {
  name: string;
  group: string | null;
  repoType: string;
  provider: string;
  url: string;
  branches: string[];
  seen: boolean;
  heads: Array<{ branch: string; sha: string; updatedAt: string }>;
  /** Its unit's pause (the repository's, or its group's): nothing of it deploys until resumed. */
  paused: PauseRecord | null;
  /**
   * Seconds between this repository's polls now: its `polling_interval`, stretched up to its
   * `max_polling_interval` while idle. Without an engine (the `status` command) it is the base.
   */
  effectiveInterval: number;
  /**
   * How much the quota budget stretches that interval now (1 = not at all): the repositories
   * sharing this one's API quota would otherwise spend it before it resets (`global.quota_reserve`).
   */
  quotaStretch: number;
  lastRun: {
    id: string;
    status: RunRecord['status'];
    trigger: TriggerKind;
    createdAt: string;
    finishedAt: string | null;
    jobStatus: string | null;
  } | null;
  /**
   * How polling goes. The failures in a row come from the state store (the engine records each
   * failure there), so the `status` command and the server's /api/v1/status show the same.
   */
  health: {
    /** Polls that failed in a row; 0 once one succeeds. */
    consecutiveFailures: number;
    /** The last failure's message (redacted); null when the last poll succeeded. */
    lastError: string | null;
    /** When the last failure happened (ISO 8601); null when not failing. */
    lastErrorAt: string | null;
    /** When the first failure in a row happened (ISO 8601); null when not failing. */
    failingSince: string | null;
    /**
     * The last poll, failed or not, of the engine running here; null without an engine. With
     * several replicas, each answers for its own polls (the store does not keep poll times).
     */
    lastPollAt: string | null;
    nextPollAt: string | null;
  };
}

function providerLabel(registry: Registry, type: string): string {
  try {
    const resolved = registry.provider(type);
    return resolved.fallback ? `${resolved.provider.id} (fallback)` : resolved.provider.id;
  } catch {
    return 'not installed';
  }
}

/** Every repository with its heads, last run and polling health; reads only. */
export async function repositoryStatus(input: {
  config: SentryConfig;
  store: StateStore;
  registry: Registry;
  redactor: Redactor;
  /** The engine's polling health; omitted when no engine runs here (e.g. the `status` command). */
  health?: HealthBook;
  scheduled?: boolean;
}): Promise<RepositoryStatus[]> {
  const { config, store, registry, redactor, health } = input;
  const report: RepositoryStatus[] = [];
  const pauses = new Map((await store.listPauses()).map((pause) => [pause.unit, pause]));
  for (const repo of config.repositories) {
    const heads = await store.getHeads(repo.name);
    const [lastRun] = await store.listRuns({ repository: repo.name, limit: 1 });
    const polls = await store.getPollHealth(repo.name);
    // Failures come from the store; the engine's book adds only what it schedules.
    const state = health?.get(repo.name) ?? {
      lastPolledAt: null,
      nextDueAt: 0,
      effectiveInterval: intervalBounds(repo, { interval: config.polling_interval }).base,
      quotaStretch: 1,
    };
    report.push({
      name: repo.name,
      group: repo.group ?? null,
      repoType: repo.monitor.repo_type,
      provider: providerLabel(registry, repo.monitor.repo_type),
      url: redactor.redact(targetOf(repo).url),
      branches: repo.monitor.branches,
      seen: heads.seen,
      heads: heads.heads.map(({ branch, sha, updatedAt }) => ({ branch, sha, updatedAt })),
      paused: pauses.get(unitKeyOf(repo)) ?? null,
      effectiveInterval: state.effectiveInterval,
      quotaStretch: state.quotaStretch,
      lastRun: lastRun
        ? {
            id: lastRun.id,
            status: lastRun.status,
            trigger: lastRun.trigger,
            createdAt: lastRun.createdAt,
            finishedAt: lastRun.finishedAt,
            jobStatus: lastRun.jobs.find((job) => job.repository === repo.name)?.status ?? null,
          }
        : null,
      health: {
        consecutiveFailures: polls.consecutiveFailures,
        lastError: polls.lastError === null ? null : redactor.redact(polls.lastError),
        lastErrorAt: polls.lastErrorAt,
        failingSince: polls.failingSince,
        lastPollAt: state.lastPolledAt === null ? null : new Date(state.lastPolledAt).toISOString(),
        // Null too for a repository another replica polls: this one has no poll of it planned.
        nextPollAt:
          input.scheduled === true && state.nextDueAt && health?.schedules(repo.name) !== false
            ? new Date(state.nextDueAt).toISOString()
            : null,
      },
    });
  }
  return report;
}
