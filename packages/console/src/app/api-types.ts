/**
 * The JSON the console reads from the server's HTTP API (`/api/v1`), as far as it shows it. The
 * server's README and docs/console.md describe the full answers. The records are core's own
 * types (type-only: nothing of core reaches the bundle); the answers around them are the server's.
 */

import type {
  JobRecord,
  JobStatus,
  PauseRecord,
  PollHealth,
  RunRecord,
  RunStatus,
  TriggerKind,
} from '@sentry-git/core';

export type { ActionStamp, JobStatus, PauseRecord, RunStatus } from '@sentry-git/core';

/** Who the server knows the token as: the server's `Role`, or anonymous when it has no tokens. */
export type Role = 'admin' | 'read' | 'anonymous';

/** A job as lists and the event stream carry it: without its output (the log route has that). */
export type Job = Omit<JobRecord, 'output'>;

/** A run as `GET /api/v1/runs` and the event stream carry it. */
export interface Run extends Omit<RunRecord, 'jobs'> {
  jobs: Job[];
}

export interface RepositoryStatus {
  name: string;
  group: string | null;
  repoType: string;
  provider: string;
  url: string;
  branches: string[];
  seen: boolean;
  heads: Array<{ branch: string; sha: string; updatedAt: string }>;
  lastRun: {
    id: string;
    status: RunStatus;
    trigger: TriggerKind;
    createdAt: string;
    finishedAt: string | null;
    /** This repository's job in that run (a group run has one per member). */
    jobStatus: JobStatus | null;
  } | null;
  health: PollHealth & {
    lastPollAt: string | null;
    nextPollAt: string | null;
  };
  paused: PauseRecord | null;
}

export interface GroupStatus {
  name: string;
  strategy: string;
  maxParallel?: number;
  continueOnError?: boolean;
  repositories: string[];
  paused: PauseRecord | null;
}

export interface StatusAnswer {
  repositories: RepositoryStatus[];
  groups: GroupStatus[];
  stateStore: { id: string; writable: boolean; lastError?: string | null };
  replica?: { id: string; live: number };
}

export interface RunsAnswer {
  runs: Run[];
  limit: number;
  offset: number;
  next: string | null;
}

export interface WhoAmI {
  name: string;
  role: Role;
}

/** The body of every error answer. */
export interface ErrorAnswer {
  error: { code: string; message: string; fix?: string };
}
