import { onTestFinished } from 'vitest';
import {
  abortMessage,
  createSentry,
  definePlugin,
  type ExecutorContext,
  type Job,
  type JobResult,
  type Logger,
  outcomeOfAbort,
  type Sentry,
  type SentryEventName,
  type SentryEvents,
  type StateStore,
} from '../src/index.js';
import { endedNow, memoryProvider } from './memory-plugin.js';

export const SHA = (digit: string) => digit.repeat(40);

/** What a job did, in the order jobs started. */
export interface Deployed {
  repository: string;
  branch: string;
  sha: string;
  previousSha: string | null;
  trigger: string;
}

type Script = (job: Job, context: ExecutorContext) => Promise<JobResult>;

/** Resolves with the signal's reason once it aborts. */
export function aborted(signal: AbortSignal): Promise<unknown> {
  return new Promise((resolve) => {
    if (signal.aborted) resolve(signal.reason);
    else signal.addEventListener('abort', () => resolve(signal.reason), { once: true });
  });
}

/**
 * A forge whose heads the test sets (repository → branch → SHA), and an executor `hold` that
 * records each job and runs it by the next script the test queued (`next`, `hold`), else succeeds
 * at once. `hold()` keeps the next job running until the returned function is called or its
 * signal aborts (then it ends `cancelled` with the signal's message, and the reason is kept).
 */
export function controlForge() {
  const heads = new Map<string, Map<string, string>>();
  const deployed: Deployed[] = [];
  const reasons: unknown[] = [];
  const scripts: Script[] = [];
  const plugin = definePlugin({
    name: 'control-forge',
    providers: [
      memoryProvider(async (target) => ({
        heads: [...(heads.get(target.repository) ?? new Map<string, string>())].map(([branch, sha]) => ({
          branch,
          sha,
        })),
      })),
    ],
    executors: [
      {
        id: 'hold',
        capabilities: { reattach: false },
        async execute(job, context) {
          const { repository, branch, sha, previousSha, trigger } = job;
          deployed.push({ repository, branch, sha, previousSha, trigger });
          const script = scripts.shift();
          return script ? script(job, context) : endedNow('succeeded');
        },
      },
    ],
  });
  return {
    plugin,
    deployed,
    reasons,
    set(repository: string, branch: string, sha: string | null) {
      const branches = heads.get(repository) ?? new Map<string, string>();
      if (sha === null) branches.delete(branch);
      else branches.set(branch, sha);
      heads.set(repository, branches);
    },
    /** The next job that starts runs `script`. */
    next(script: Script) {
      scripts.push(script);
    },
    /** The next job that starts prints a line and runs until `release()` or until it is cancelled. */
    hold(): { release(): void } {
      let release = () => {};
      const released = new Promise<void>((resolve) => {
        release = resolve;
      });
      scripts.push(async (job, { signal, output }) => {
        output('stdout', `deploying ${job.repository} ${job.branch}\n`);
        const outcome = await Promise.race([released.then(() => 'released' as const), aborted(signal)]);
        if (outcome === 'released') return endedNow('succeeded');
        reasons.push(outcome);
        return endedNow(outcomeOfAbort(signal), abortMessage(signal));
      });
      return { release };
    },
  };
}

export type ControlForge = ReturnType<typeof controlForge>;

/** One standalone repository `app` (main, release/*) and a sequential group `site` of `web` and `api`. */
export async function controlEngine(
  forge: ControlForge,
  options: { stateStore?: StateStore; secrets?: string[]; logger?: Logger } = {},
): Promise<Sentry> {
  const monitor = (name: string) => ({
    repo_url: `https://forge.invalid/${name}.git`,
    repo_type: 'memory-forge',
    branches: ['main', 'release/.*'],
  });
  const sentry = await createSentry({
    config: {
      polling_interval: 3600,
      state: { driver: 'memory' },
      groups: { site: { execution_strategy: 'sequential', continue_on_error: true } },
      repositories: [
        { name: 'app', monitor: monitor('app'), deploy: { executor: 'hold' } },
        { name: 'web', group: 'site', monitor: monitor('web'), deploy: { executor: 'hold' } },
        { name: 'api', group: 'site', monitor: monitor('api'), deploy: { executor: 'hold' } },
      ],
    },
    plugins: [forge.plugin],
    env: {},
    ...(options.stateStore ? { stateStore: options.stateStore } : {}),
    ...(options.secrets ? { secrets: options.secrets } : {}),
    ...(options.logger ? { logger: options.logger } : {}),
  });
  onTestFinished(() => sentry.close({ graceMs: 0 }));
  return sentry;
}

/** The first `name` event whose payload passes `accept`. */
export function nextEvent<K extends SentryEventName>(
  sentry: Sentry,
  name: K,
  accept: (payload: SentryEvents[K]) => boolean = () => true,
): Promise<SentryEvents[K]> {
  return new Promise((resolve) => {
    const off = sentry.on(name, (payload) => {
      if (!accept(payload)) return;
      off();
      resolve(payload);
    });
  });
}

/** Every `name` event from now on. */
export function recordEvents<K extends SentryEventName>(sentry: Sentry, name: K): SentryEvents[K][] {
  const seen: SentryEvents[K][] = [];
  const off = sentry.on(name, (payload) => seen.push(payload));
  onTestFinished(off);
  return seen;
}
