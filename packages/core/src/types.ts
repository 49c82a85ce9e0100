import type { DeployConfig, RepositoryConfig } from './config/schema.js';

/**
 * How a run came to be: a poll, a webhook, a trigger (`manual` from the CLI or a plugin, `api`
 * over HTTP), a re-run of a finished run (`rerun`) or a deploy of a chosen commit (`deploy`).
 */
export type TriggerKind = 'poll' | 'manual' | 'webhook' | 'api' | 'rerun' | 'deploy';

/** A job's outcome; `queued` and `running` are the states before one. */
export type JobStatus = 'queued' | 'running' | 'succeeded' | 'failed' | 'skipped' | 'timed_out' | 'cancelled';
export type JobOutcome = Exclude<JobStatus, 'queued' | 'running'>;
export type RunStatus = 'queued' | 'running' | 'succeeded' | 'failed' | 'timed_out' | 'cancelled';

export const FINISHED_JOB_STATUSES: readonly JobOutcome[] = [
  'succeeded',
  'failed',
  'skipped',
  'timed_out',
  'cancelled',
];

/**
 * What deploys together: a group, or a repository without a group. Runs of one unit never
 * overlap. Written `group:<name>` or `repository:<name>`.
 */
export type UnitKey = `group:${string}` | `repository:${string}`;

export function unitKeyOf(repository: Pick<RepositoryConfig, 'name' | 'group'>): UnitKey {
  return repository.group ? `group:${repository.group}` : `repository:${repository.name}`;
}

/** A branch head as a provider reports it. */
export interface BranchHead {
  branch: string;
  sha: string;
}

/** A head as the state store keeps it. */
export interface HeadRecord extends BranchHead {
  repository: string;
  updatedAt: string;
  /**
   * The last commit of this branch deployed successfully, or the baseline seen at the first poll;
   * null for a branch created since and not deployed yet. Path filters judge everything since.
   */
  deployedSha: string | null;
}

export type ChangeKind = 'created' | 'updated' | 'deleted';

/**
 * A head that moved. `baseline` marks the first sighting of a repository's branches: it is
 * recorded, not deployed (unless `global.deploy_on_first_sight`).
 */
export interface HeadChange {
  repository: string;
  branch: string;
  before: string | null;
  after: string | null;
  kind: ChangeKind | 'baseline';
  /** Set when path filters or a skip marker keep this change from deploying: the reason. */
  skipped?: string;
}

/** One deploy of one repository branch inside a run, as stored. Holds no configuration (and so no secret). */
export interface JobRecord {
  id: string;
  runId: string;
  /** Order inside the run (strategies run sequential groups in this order). */
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
  /** The last 64 KiB of output, secrets redacted. */
  output: string;
  /** Why it failed, timed out, was cancelled or skipped. */
  error: string | null;
  /**
   * How many times the runner started this job: 0 while never started, 1 from its first start,
   * 2 when it ran it again after a crash. Recovery keeps it, so a re-run knows it is one.
   */
  attempt: number;
  /**
   * What the executor started for this job, so that after a crash the runner can ask the same
   * executor to adopt it instead of starting a second copy; null until an executor reports one.
   * Recovery keeps it.
   */
  handle: JobHandle | null;
}

/**
 * An executor's own record of the work a job started: a process group (`{ executor: 'shell',
 * pgid, startTime, stateDir }`), a PipelineRun (`{ executor: 'tekton', namespace, name }`).
 * It must be plain JSON (stores keep it as JSON text; dates as ISO strings). Executors declare
 * their handle as `interface ShellHandle extends JobHandle { ... }` or as a type alias.
 */
export interface JobHandle {
  /** The id of the executor that started the work: only that executor can adopt it. */
  executor: string;
  [key: string]: unknown;
}

export interface RunRecord {
  id: string;
  unit: UnitKey;
  trigger: TriggerKind;
  status: RunStatus;
  createdAt: string;
  startedAt: string | null;
  finishedAt: string | null;
  error: string | null;
  /** How many times a crash interrupted it and it was re-queued. */
  attempts: number;
  /**
   * Who asked for it (a trigger, re-run or deploy): the API token's name, or the CLI's
   * `user@host`; null for runs a poll or a webhook queued.
   */
  requestedBy: string | null;
  /**
   * Someone asked to cancel it while it was running; the engine that runs it cancels its jobs
   * (within a few seconds on another replica). Null when nobody did.
   */
  cancelRequest: ActionStamp | null;
  jobs: JobRecord[];
}

/** Who asked for an operator's action, when, and why. */
export interface ActionStamp {
  /** The API token's name, or the CLI's `user@host`. */
  by: string;
  /** ISO 8601. */
  at: string;
  reason: string | null;
}

/**
 * A unit held from deploying: its repositories are still polled and their changes recorded
 * (queued runs merge into one), but no run of it starts until it is resumed.
 */
export interface PauseRecord extends ActionStamp {
  unit: UnitKey;
}

/** A job to add to a run: one repository branch at one SHA. */
export interface JobSpec {
  id: string;
  repository: string;
  branch: string;
  sha: string;
  previousSha: string | null;
}

/** A run to queue; `id` is used when the store creates a new run rather than merging. */
export interface RunSpec {
  id: string;
  unit: UnitKey;
  trigger: TriggerKind;
  jobs: JobSpec[];
  createdAt: string;
  /** Who asked for it (`RunRecord.requestedBy`). @default null */
  requestedBy?: string | null;
}

/**
 * Runs that deploy exactly the SHAs they were asked for: a detection never merges into them, and
 * they never merge into a queued run (`planDetection`).
 */
export const SEPARATE_TRIGGERS: readonly TriggerKind[] = ['rerun', 'deploy'];

/** What a job carries to an executor: the stored job plus the repository's configuration. */
export interface Job {
  id: string;
  runId: string;
  repository: string;
  group: string | null;
  branch: string;
  sha: string;
  previousSha: string | null;
  trigger: TriggerKind;
  /** The watched repository's URL (credentials never embedded). */
  repoUrl: string;
  /** `monitor.repo_type` of the watched repository: github, gitlab, gitea, git or a plugin's id. */
  repoType: string;
  /** `deploy.project_name`, or the repository name. */
  projectName: string;
  deploy: DeployConfig;
  /** Job timeout in seconds (`deploy.timeout`, else `global.timeout`); the signal enforces it. */
  timeoutSeconds: number;
  /** Global settings an executor needs. */
  settings: { tmpDir: string; cleanup: boolean };
}

export interface JobResult {
  status: JobOutcome;
  exitCode: number | null;
  startedAt: string;
  finishedAt: string;
  durationMs: number;
  /** The last 64 KiB of output. */
  output: string;
  error: string | null;
}

/** The size of the output tail kept with a job result. */
export const OUTPUT_TAIL_BYTES = 64 * 1024;
