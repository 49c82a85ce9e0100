import { abortMessage, outcomeOfAbort } from '../abort.js';
import type { Executor, ExecutorContext } from '../interfaces/executor.js';
import type { GitProvider } from '../interfaces/provider.js';
import { definePlugin, type SentryPlugin } from '../plugins/define.js';
import type { Job, JobResult, TriggerKind } from '../types.js';
import { endedNow } from './ended-now.js';

/** The provider id (`monitor.repo_type`) of a scripted forge. */
export const FORGE_PROVIDER = 'memory-forge';
/** The executor id (`deploy.executor`) of a scripted forge. */
export const SCRIPTED_EXECUTOR = 'scripted';

/** A job the scripted executor started, in the order jobs started. */
export interface Deployed {
  repository: string;
  branch: string;
  sha: string;
  previousSha: string | null;
  trigger: TriggerKind;
  /** The label of the `pluginAs(label)` that ran it; absent when `plugin` ran it. */
  replica?: string;
}

/** How one job runs: what the test scripted for it with `next()`. */
export type JobScript = (job: Job, context: ExecutorContext) => Promise<JobResult>;

export interface ScriptedForgeOptions {
  /**
   * What every job prints to stdout as it starts, before its script runs (a replica test follows
   * it, a test of the event stream makes it long). `replica` is the label of `pluginAs`.
   * @default nothing
   */
  print?: (job: Job, replica: string | undefined) => string;
}

/** A forge in memory and the executor that deploys from it; see {@link scriptedForge}. */
export interface ScriptedForge {
  /** Provider `memory-forge` and executor `scripted`, for one engine. */
  readonly plugin: SentryPlugin;
  /** The same forge for one of several replicas: its jobs are recorded with `replica: label`. */
  pluginAs(label: string): SentryPlugin;
  /** Every job started, by any replica, in order. */
  readonly deployed: Deployed[];
  /** The abort reason of each held job that its signal ended (a `RunCancelledError`, …). */
  readonly reasons: unknown[];
  /** Sets the head of a branch of a repository (by its `name`); `null` deletes the branch. */
  set(repository: string, branch: string, sha: string | null): void;
  /** The next job to start (on any replica) runs `script`. */
  next(script: JobScript): void;
  /**
   * The next job to start runs until `release()` (then it succeeds) or until its signal aborts
   * (then it ends `cancelled` or `timed_out` with the abort's message, and the reason is kept in
   * `reasons`).
   */
  hold(): { release(): void };
}

/** Resolves with the signal's reason once it aborts. */
function aborted(signal: AbortSignal): Promise<{ reason: unknown }> {
  return new Promise((resolve) => {
    if (signal.aborted) resolve({ reason: signal.reason });
    else signal.addEventListener('abort', () => resolve({ reason: signal.reason }), { once: true });
  });
}

/**
 * A forge whose branch heads the test sets, and an executor that records each job and runs it by
 * the next script the test queued (`next`, `hold`), else succeeds at once. Use it to drive a real
 * engine (`createSentry`) with a store or strategy under test; {@link forgeRepository} writes the
 * repository entries. Replicas sharing one forge each take `pluginAs(label)`.
 */
export function scriptedForge(options: ScriptedForgeOptions = {}): ScriptedForge {
  const heads = new Map<string, Map<string, string>>();
  const deployed: Deployed[] = [];
  const reasons: unknown[] = [];
  const scripts: JobScript[] = [];
  const provider: GitProvider = {
    id: FORGE_PROVIDER,
    capabilities: { changedFiles: false, commitStatus: false, webhooks: false },
    async listHeads(target, { match }) {
      const branches = [...(heads.get(target.repository) ?? [])];
      return {
        heads: branches.filter(([branch]) => match(branch)).map(([branch, sha]) => ({ branch, sha })),
      };
    },
  };
  function executor(replica?: string): Executor {
    return {
      id: SCRIPTED_EXECUTOR,
      capabilities: { reattach: false },
      async execute(job, context) {
        const { repository, branch, sha, previousSha, trigger } = job;
        deployed.push({ repository, branch, sha, previousSha, trigger, ...(replica ? { replica } : {}) });
        const printed = options.print?.(job, replica);
        if (printed) context.output('stdout', printed);
        const script = scripts.shift();
        return script ? script(job, context) : endedNow('succeeded');
      },
    };
  }
  const pluginAs = (replica?: string) =>
    definePlugin({ name: 'scripted-forge', providers: [provider], executors: [executor(replica)] });
  return {
    plugin: pluginAs(),
    pluginAs,
    deployed,
    reasons,
    set(repository, branch, sha) {
      const branches = heads.get(repository) ?? new Map<string, string>();
      if (sha === null) branches.delete(branch);
      else branches.set(branch, sha);
      heads.set(repository, branches);
    },
    next(script) {
      scripts.push(script);
    },
    hold() {
      let release = () => {};
      const released = new Promise<null>((resolve) => {
        release = () => resolve(null);
      });
      scripts.push(async (_job, { signal }) => {
        const abort = await Promise.race([released, aborted(signal)]);
        if (abort === null) return endedNow('succeeded');
        reasons.push(abort.reason);
        return endedNow(outcomeOfAbort(signal), abortMessage(signal));
      });
      return { release: () => release() };
    },
  };
}
