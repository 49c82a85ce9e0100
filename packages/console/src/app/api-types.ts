/**
 * The JSON the console reads from the server's HTTP API (`/api/v1`), as far as it shows it. The
 * server's README and docs/console.md describe the full answers.
 */

export type RunStatus = 'queued' | 'running' | 'succeeded' | 'failed' | 'timed_out' | 'cancelled';
export type JobStatus = RunStatus | 'skipped';
export type Role = 'admin' | 'read' | 'anonymous';

/** Who asked for an action, when, and why. */
export interface ActionStamp {
  by: string;
  at: string;
  reason: string | null;
}

export interface PauseRecord extends ActionStamp {
  unit: string;
}

export interface Job {
  id: string;
  runId: string;
  position: number;
  repository: string;
  branch: string;
  sha: string;
  previousSha: string | null;
  status: JobStatus;
  exitCode: number | null;
  startedAt: string | null;
  finishedAt: string | null;
  durationMs: number | null;
  error: string | null;
  attempt: number;
}

export interface Run {
  id: string;
  /** `repository:<name>` or `group:<name>`. */
  unit: string;
  trigger: string;
  status: RunStatus;
  createdAt: string;
  startedAt: string | null;
  finishedAt: string | null;
  error: string | null;
  attempts: number;
  requestedBy: string | null;
  cancelRequest: ActionStamp | null;
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
    trigger: string;
    createdAt: string;
    finishedAt: string | null;
    /** This repository's job in that run (a group run has one per member). */
    jobStatus: JobStatus | null;
  } | null;
  health: {
    consecutiveFailures: number;
    lastError: string | null;
    lastErrorAt: string | null;
    failingSince: string | null;
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
