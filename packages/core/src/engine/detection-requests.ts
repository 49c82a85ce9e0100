/**
 * The detection recorder's part for runs someone asked for rather than a poll found: a trigger
 * (every matching branch of a unit at its stored head) and a run of chosen commits (a re-run, a
 * deploy of one branch at a SHA). Both record inside the unit's lock, like polls, and read fresh
 * heads through the poller only where none are stored; what such a read finds is recorded too, so
 * a later poll does not deploy it again.
 */
import type { RepositoryConfig } from '../config/schema.js';
import { SentryError } from '../errors.js';
import type { Logger } from '../interfaces/executor.js';
import type { DetectionInput, DetectionResult, StateStore } from '../interfaces/state-store.js';
import type { BranchHead, HeadChange, JobSpec, RunRecord, RunSpec, TriggerKind, UnitKey } from '../types.js';
import type { Polled, PollTicket, SettledMember } from './detection-order.js';
import { jobSpec, newId } from './ids.js';

/** One branch of a run of chosen commits. */
export interface RequestedJob {
  repository: string;
  branch: string;
  /** The commit; without it, the branch's head as last polled, read fresh (through `config`) when none is stored. */
  sha?: string;
  config?: RepositoryConfig;
}

/** What the recorder lends: its lock per unit, its settling and its commit. */
export interface RequestRecorderParts {
  store: StateStore;
  logger: Logger;
  matchers: ReadonlyMap<string, (branch: string) => boolean>;
  exclusive<T>(unit: UnitKey, work: () => Promise<T>): Promise<T>;
  settle(polled: readonly Polled[]): Promise<SettledMember[]>;
  commit(unit: UnitKey, detection: DetectionInput): Promise<DetectionResult>;
  recorded(repository: string, ticket: PollTicket, wrote: boolean): void;
}

export type ReadFresh = (repo: RepositoryConfig) => Promise<Polled>;

export interface RequestRecorder {
  /**
   * A deploy of the unit's members at their stored heads; `readFresh` polls a member with no
   * stored matching head. Null when no branch matches. Throws when a fresh read fails.
   */
  recordTrigger(
    unit: UnitKey,
    members: readonly RepositoryConfig[],
    trigger: TriggerKind,
    readFresh: ReadFresh,
    requestedBy?: string | null,
  ): Promise<RunRecord | null>;
  /**
   * A run of exactly these commits (a re-run, a deploy of a chosen SHA), never merged with
   * another; each job's `previousSha` is what its branch last deployed. A job without a SHA takes
   * its branch's stored head, read fresh where none is stored (`BRANCH_HAS_NO_HEAD` when the
   * branch has none). Throws when a fresh read fails.
   */
  recordRequested(
    unit: UnitKey,
    trigger: TriggerKind,
    jobs: readonly RequestedJob[],
    readFresh: ReadFresh,
    requestedBy: string | null,
  ): Promise<RunRecord>;
}

export function newRun(
  unit: UnitKey,
  trigger: TriggerKind,
  jobs: JobSpec[],
  requestedBy: string | null = null,
): RunSpec {
  return { id: newId('run'), unit, trigger, createdAt: new Date().toISOString(), jobs, requestedBy };
}

export function createRequestRecorder(parts: RequestRecorderParts): RequestRecorder {
  const { store, logger, matchers } = parts;

  /** A fresh read of a repository settled against the store; throws when the read failed. */
  async function readSettled(
    repo: RepositoryConfig,
    readFresh: ReadFresh,
  ): Promise<SettledMember | undefined> {
    const polled = await readFresh(repo);
    if (!polled.outcome.ok) throw polled.outcome.error;
    const [member] = await parts.settle([polled]);
    return member;
  }

  function recordTrigger(
    unit: UnitKey,
    members: readonly RepositoryConfig[],
    trigger: TriggerKind,
    readFresh: ReadFresh,
    requestedBy: string | null = null,
  ): Promise<RunRecord | null> {
    // Inside the unit's lock: polls recording the same repositories wait, so the heads read
    // here are the ones the run is recorded against.
    return parts.exclusive(unit, async () => {
      const changes: HeadChange[] = [];
      const newlySeen: string[] = [];
      const jobs: JobSpec[] = [];
      const read: SettledMember[] = [];
      for (const repo of members) {
        const stored = await store.getHeads(repo.name);
        let heads: BranchHead[] = stored.heads.filter((head) => matchers.get(repo.name)!(head.branch));
        if (!stored.seen || heads.length === 0) {
          const member = await readSettled(repo, readFresh);
          if (member) {
            read.push(member);
            if (!member.wasSeen) newlySeen.push(repo.name);
            changes.push(...member.changes);
            heads = member.heads;
          }
        }
        for (const head of heads) jobs.push(jobSpec(repo.name, head.branch, head.sha, null));
      }
      if (jobs.length === 0) {
        logger.warn({ unit }, `nothing to deploy for ${unit}: no branch matches its patterns`);
        return null;
      }
      const { run } = await parts.commit(unit, {
        repositories: newlySeen,
        changes,
        run: newRun(unit, trigger, jobs, requestedBy),
      });
      for (const member of read) parts.recorded(member.repo.name, member.ticket, true);
      return run;
    });
  }

  function recordRequested(
    unit: UnitKey,
    trigger: TriggerKind,
    requested: readonly RequestedJob[],
    readFresh: ReadFresh,
    requestedBy: string | null,
  ): Promise<RunRecord> {
    return parts.exclusive(unit, async () => {
      const changes: HeadChange[] = [];
      const newlySeen: string[] = [];
      const jobs: JobSpec[] = [];
      const read: SettledMember[] = [];
      for (const { repository, branch, sha, config } of requested) {
        const stored = (await store.getHeads(repository)).heads.find((head) => head.branch === branch);
        let deploy = sha ?? stored?.sha;
        if (deploy === undefined && config) {
          const member = await readSettled(config, readFresh);
          if (member) {
            read.push(member);
            if (!member.wasSeen) newlySeen.push(repository);
            // A first sighting records every head as the baseline; otherwise only this branch
            // moves, so that what the other branches did is still deployed by the next poll.
            changes.push(...member.changes.filter((change) => !member.wasSeen || change.branch === branch));
            deploy = member.heads.find((head) => head.branch === branch)?.sha;
          }
        }
        if (deploy === undefined) throw noHead(repository, branch);
        // What the branch runs now is what this run replaces (SENTRY_PREVIOUS_COMMIT).
        jobs.push(jobSpec(repository, branch, deploy, stored?.deployedSha ?? null));
      }
      const { run } = await parts.commit(unit, {
        repositories: newlySeen,
        changes,
        run: newRun(unit, trigger, jobs, requestedBy),
      });
      for (const member of read) parts.recorded(member.repo.name, member.ticket, true);
      // A run of chosen commits is never merged (SEPARATE_TRIGGERS): the store queued it.
      return run!;
    });
  }

  return { recordTrigger, recordRequested };
}

function noHead(repository: string, branch: string): SentryError {
  return new SentryError(
    'BRANCH_HAS_NO_HEAD',
    `Cannot deploy ${repository} ${branch}: the branch has no head (it does not exist on the remote).`,
    {
      fix: `Push the branch first, or name the commit to deploy (\`sha\`, \`sentry-git deploy ${repository} --branch ${branch} --sha SHA\`).`,
    },
  );
}
