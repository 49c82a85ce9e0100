import path from 'node:path';
import pLimit from 'p-limit';
import { ShutdownError } from '../abort.js';
import { collectSecrets, resolveConfig, resolveRelativePaths } from '../config/load.js';
import {
  defaultTmpDir,
  type RepositoryConfig,
  type SentryConfig,
  type SentryConfigInput,
} from '../config/schema.js';
import { type KnownIds, validateConfig } from '../config/validate.js';
import { errorMessage, RateLimitError, SentryError } from '../errors.js';
import { createEventBus, type EventBus, type SentryEventHandler, type SentryEventName } from '../events.js';
import type { Logger } from '../interfaces/executor.js';
import type { DetectionInput, StateStore } from '../interfaces/state-store.js';
import { createKeyedQueue } from '../keyed-queue.js';
import { attachEventLogger, silentLogger } from '../logging.js';
import { corePlugin } from '../plugins/core-plugin.js';
import type { SentryPlugin } from '../plugins/define.js';
import { loadPlugins } from '../plugins/load.js';
import { createRegistry, type Registry } from '../plugins/registry.js';
import { plural } from '../plural.js';
import { createRedactor, type Redactor } from '../redact.js';
import { observeStateWrites } from '../state/write-health.js';
import { timerDelay } from '../timer-delay.js';
import type { BranchHead, HeadChange, JobSpec, RunRecord, TriggerKind, UnitKey } from '../types.js';
import { attachCommitStatusReporter } from './commit-status.js';
import { createDetectionOrder, type PollTicket, rebaseChanges } from './detection-order.js';
import { isDeployable } from './detector.js';
import { createHealthBook } from './health.js';
import { jobSpec, newId } from './ids.js';
import { createLanes } from './lanes.js';
import { compileBranchMatcher } from './matcher.js';
import { attachNotifier } from './notify.js';
import type { PollOutcome } from './poll.js';
import { createPollHealthRecorder } from './poll-health.js';
import { type PollPolicyContext, pollWithPolicies } from './polling.js';
import { createQuotaBudget, quotaKey } from './quota-budget.js';
import { executeRun } from './runner.js';
import { type RepositoryStatus, repositoryStatus } from './status.js';
import { groupByUnit } from './units.js';
import { waitForRuns } from './wait.js';

export interface CreateSentryOptions {
  /** The configuration: already validated (from `loadConfig`) or an object to validate. */
  config: SentryConfig | SentryConfigInput;
  /** Folder relative paths (plugins, state file) resolve against. @default process.cwd() */
  configDir?: string;
  /** Plugins registered before those listed in the config (first-party adapters, your own). */
  plugins?: SentryPlugin[];
  /** Use this store instead of creating `config.state.driver`. */
  stateStore?: StateStore;
  /** @default a silent logger */
  logger?: Logger;
  /** Log every event through `logger`. @default true */
  logEvents?: boolean;
  /** Extra secret values to redact. */
  secrets?: string[];
  /** Variables for `${VAR}` expansion when `config` is a raw object. @default process.env */
  env?: Readonly<Record<string, string | undefined>>;
  /**
   * Load the plugins listed in `config.plugins`. Set false when the caller already loaded them
   * (with `loadPlugins()`) and passes them in `plugins`.
   * @default true
   */
  loadPlugins?: boolean;
  /** Who holds the state store's engine lock, named when another engine finds it taken. @default 'sentry-git' */
  owner?: string;
  /** `config` was already expanded (it comes from `loadConfig`): validate it, do not expand it again. @default false */
  expanded?: boolean;
}

export interface PollResult {
  cycle: number;
  checked: number;
  changed: number;
  errors: number;
  /** Runs queued (or merged into) by this cycle. */
  runs: RunRecord[];
}

export interface TriggerOptions {
  /** Repository names; default every repository of the selected group(s). */
  repositories?: string[];
  /** Only this group's members. */
  group?: string;
  /** @default 'manual' */
  trigger?: TriggerKind;
}

export type { RepositoryStatus };

export interface StopOptions {
  /** How long running jobs may go on before they are cancelled. @default global.shutdown_grace × 1000 */
  graceMs?: number;
  /**
   * Why the engine stops, named in the log line and the cancelled runs' error when jobs are
   * cancelled (e.g. `second SIGTERM`).
   */
  reason?: string;
}

export interface Sentry {
  readonly config: SentryConfig;
  readonly store: StateStore;
  readonly registry: Registry;
  readonly logger: Logger;
  readonly redactor: Redactor;
  readonly bus: EventBus;
  on<K extends SentryEventName>(name: K, handler: SentryEventHandler<K>): () => void;
  once<K extends SentryEventName>(name: K, handler: SentryEventHandler<K>): () => void;
  off<K extends SentryEventName>(name: K, handler: SentryEventHandler<K>): void;
  /** Recovers runs a crash left behind, dispatches queued runs, and polls on schedule until `stop()`. */
  start(): Promise<void>;
  /** Stops polling, lets running jobs finish within the grace period, then cancels them. */
  stop(options?: StopOptions): Promise<void>;
  /** `stop()`, plugin teardown, and closes the state store. */
  close(options?: StopOptions): Promise<void>;
  /**
   * One poll cycle over every repository (or the named ones); queued runs start at once. Runs it
   * queues are recorded with `trigger` (a webhook receiver passes `webhook`). @default 'poll'
   */
  pollOnce(options?: { repositories?: string[]; trigger?: TriggerKind }): Promise<PollResult>;
  /** Deploys now at the last known heads (read fresh where none are known). */
  trigger(options?: TriggerOptions): Promise<RunRecord[]>;
  /** Resolves with the runs once each has finished. */
  waitForRuns(ids: readonly string[]): Promise<RunRecord[]>;
  /** Resolves when no run is running or waiting to start. */
  idle(): Promise<void>;
  status(): Promise<RepositoryStatus[]>;
}

/** Assembles an engine: registry, state store, event bus, scheduler, lanes and runner. */
export async function createSentry(options: CreateSentryOptions): Promise<Sentry> {
  const configDir = options.configDir ?? process.cwd();
  const registry = createRegistry([corePlugin, ...(options.plugins ?? [])]);
  const resolve = (known?: KnownIds) =>
    options.expanded
      ? { config: validateConfig(options.config, { known }), secrets: collectSecrets(options.config) }
      : resolveConfig(options.config, { env: options.env, known });
  if (options.loadPlugins !== false) {
    for (const plugin of await loadPlugins(resolve().config.plugins, { configDir }))
      registry.register(plugin);
  }
  // Validate again now that every plugin is known (executor ids, repo types, strategies).
  const { config, secrets } = resolve(registry.known());
  resolveRelativePaths(config, configDir);

  const redactor = createRedactor([...secrets, ...(options.secrets ?? [])]);
  const bus = createEventBus(redactor);
  const logger = options.logger ?? silentLogger();
  const detachLogger = options.logEvents === false ? () => {} : attachEventLogger(bus, logger);
  const statusReporter = attachCommitStatusReporter({
    bus,
    config,
    registry,
    timeoutSeconds: config.global.poll_timeout,
  });
  const notifier = attachNotifier({ bus, config, redactor, logger });
  const store = observeStateWrites(
    options.stateStore ??
      (await registry.stateStore(config.state.driver).create({ configDir, path: config.state.path })),
    { bus, logger },
  );

  const repositories = new Map(config.repositories.map((repo) => [repo.name, repo]));
  const order = new Map(config.repositories.map((repo, index) => [repo.name, index]));
  const compiledPatterns = new Map<string, (branch: string) => boolean>();
  const matchers = new Map(
    config.repositories.map((repo) => [
      repo.name,
      compileBranchMatcher(repo.monitor.branches, compiledPatterns),
    ]),
  );
  const quotaBudget = createQuotaBudget({ reserve: config.global.quota_reserve });
  const quotaKeys = new Map(config.repositories.map((repo) => [repo.name, quotaKey(repo)]));
  const health = createHealthBook(config.repositories, {
    interval: config.polling_interval,
    jitter: config.global.jitter,
    maxInterval: config.global.max_polling_interval,
    quota: { budget: quotaBudget, keyOf: (repo) => quotaKeys.get(repo.name)! },
  });
  const pollHealth = createPollHealthRecorder({
    store,
    redactor,
    health,
    repositories: config.repositories,
    onError: (error, repository) =>
      bus.emit('error', {
        error: error instanceof Error ? error : new Error(String(error)),
        context: `recording the poll health of ${repository}`,
      }),
  });
  const warnedFallback = new Set<string>();
  const detectionOrder = createDetectionOrder();
  const unitMutex = createKeyedQueue();

  // Jobs started and not finished, so that a stop can say how many it cancels.
  const runningJobs = new Set<string>();
  const untrackJobs = [
    bus.on('job:start', ({ job }) => runningJobs.add(job.id)),
    bus.on('job:finish', ({ job }) => runningJobs.delete(job.id)),
  ];
  const stopController = new AbortController();
  const shutdownController = new AbortController();
  const teardowns: Array<() => void | Promise<void>> = [];
  let stopping = false;
  let started = false;
  let cycle = 0;
  let timer: NodeJS.Timeout | undefined;
  let ready: Promise<void> | undefined;
  let releaseLock: (() => Promise<void>) | undefined;
  const inFlight = new Set<Promise<unknown>>();

  const runnerDeps = {
    config,
    store,
    registry,
    bus,
    logger,
    redactor,
    shutdownSignal: shutdownController.signal,
  };

  async function drain(unit: UnitKey): Promise<void> {
    while (!stopping) {
      const queued = await store.listRuns({ unit, status: 'queued', limit: 100 });
      const next = queued[queued.length - 1];
      if (!next) return;
      await executeRun(runnerDeps, next.id);
    }
  }
  const lanes = createLanes(drain, (unit, error) =>
    bus.emit('error', {
      error: error instanceof Error ? error : new Error(String(error)),
      context: `run of ${unit}`,
    }),
  );

  function ensureReady(): Promise<void> {
    ready ??= (async () => {
      if (store.acquireEngineLock) releaseLock = await store.acquireEngineLock(options.owner ?? 'sentry-git');
      await pollHealth.restore();
      const recovery = await store.recoverInterrupted({ policy: config.global.recover });
      for (const run of recovery.requeued)
        logger.warn(
          { runId: run.id, unit: run.unit },
          `run ${run.id} left unfinished by an earlier process (crash or stop) is queued again`,
        );
      for (const run of recovery.failed)
        logger.warn(
          { runId: run.id, unit: run.unit },
          `run ${run.id} left unfinished by an earlier process (crash or stop) is marked failed`,
        );
      const queued = await store.listRuns({ status: 'queued', limit: 1000 });
      for (const unit of new Set(queued.map((run) => run.unit))) lanes.kick(unit);
    })();
    return ready;
  }

  function providerFor(repo: RepositoryConfig) {
    const resolved = registry.provider(repo.monitor.repo_type);
    if (resolved.fallback && !warnedFallback.has(repo.monitor.repo_type)) {
      warnedFallback.add(repo.monitor.repo_type);
      logger.warn(
        `no "${repo.monitor.repo_type}" provider is installed: polling those repositories with git ls-remote`,
      );
    }
    return resolved.provider;
  }

  const pollContext: PollPolicyContext = {
    store,
    registry,
    logger,
    stopSignal: stopController.signal,
    timeoutSeconds: config.global.poll_timeout,
    cacheDir: path.join(config.global.tmp_dir ?? defaultTmpDir(), 'cache'),
    providerFor,
    onRateLimit: (repo, rateLimit, provider) => {
      quotaBudget.observe(quotaKeys.get(repo.name)!, rateLimit);
      bus.emit('ratelimit', { provider, repository: repo.name, rateLimit });
    },
  };

  interface Polled {
    outcome: PollOutcome;
    ticket: PollTicket;
  }

  /** `urgent`: someone asked for this poll (a webhook, a person), so providers do not queue it behind routine ones. */
  async function poll(repo: RepositoryConfig, urgent: boolean): Promise<Polled> {
    const ticket = detectionOrder.ticket(repo.name);
    return { outcome: await pollWithPolicies(pollContext, repo, matchers.get(repo.name)!, urgent), ticket };
  }

  /** Health (kept in the store too), rate-limit and error bookkeeping of one poll; false when it failed. */
  async function notePoll(outcome: PollOutcome, trigger: TriggerKind, thisCycle: number): Promise<boolean> {
    const limited = !outcome.ok && outcome.error instanceof RateLimitError ? outcome.error : undefined;
    const error = outcome.ok ? null : errorMessage(outcome.error);
    const failuresBefore = health.get(outcome.repo.name).consecutiveFailures;
    const now = Date.now();
    const state = health.record(outcome.repo, error, now, {
      retryAt: limited?.resetAt.getTime(),
      // A poll someone asked for (a webhook) is activity even when it finds nothing new.
      active:
        trigger !== 'poll' || (outcome.ok && outcome.changes.some((change) => change.kind !== 'baseline')),
    });
    if (limited) {
      bus.emit('ratelimit', {
        provider: outcome.provider,
        repository: outcome.repo.name,
        rateLimit: {
          remaining: 0,
          resetAt: limited.resetAt.toISOString(),
          ...(limited.limit === undefined ? {} : { limit: limited.limit }),
        },
      });
    }
    // A poll cut short by stop() says nothing about the repository.
    if (stopController.signal.aborted) return outcome.ok;
    if (!outcome.ok) {
      bus.emit('poll:error', {
        cycle: thisCycle,
        repository: outcome.repo.name,
        provider: outcome.provider,
        error: outcome.error,
        consecutiveFailures: state.consecutiveFailures,
        nextPollAt: new Date(state.nextDueAt).toISOString(),
      });
    }
    await pollHealth.persist(outcome.repo.name, error, failuresBefore, now);
    return outcome.ok;
  }

  async function pollAll(repos: RepositoryConfig[], trigger: TriggerKind): Promise<PollResult> {
    cycle += 1;
    const thisCycle = cycle;
    const startedAt = Date.now();
    bus.emit('poll:start', { cycle: thisCycle, repositories: repos.map((repo) => repo.name) });
    const limit = pLimit(config.global.poll_concurrency);
    const units = [...groupByUnit(repos, (repo) => repo)];
    const runsByUnit = new Map<UnitKey, RunRecord>();
    let errors = 0;
    let changed = 0;
    // Each unit is recorded as soon as its members are polled: a change found early in a long
    // cycle deploys without waiting for the thousands of polls behind it.
    await Promise.all(
      units.map(async ([unit, members]) => {
        const polled = await Promise.all(members.map((repo) => limit(() => poll(repo, trigger !== 'poll'))));
        for (const { outcome } of polled) if (!(await notePoll(outcome, trigger, thisCycle))) errors += 1;
        const recorded = await recordUnit(unit, polled, trigger);
        changed += recorded.changed;
        if (recorded.run) runsByUnit.set(unit, recorded.run);
      }),
    );
    quotaBudget.settle();
    bus.emit('poll:finish', {
      cycle: thisCycle,
      checked: repos.length,
      changed,
      errors,
      durationMs: Date.now() - startedAt,
    });
    const runs = units.flatMap(([unit]) => runsByUnit.get(unit) ?? []);
    return { cycle: thisCycle, checked: repos.length, changed, errors, runs };
  }

  interface SettledMember {
    repo: RepositoryConfig;
    changes: HeadChange[];
    wasSeen: boolean;
    heads: BranchHead[];
    ticket: PollTicket;
  }

  /**
   * The successful polls of a unit as they stand against the store now (inside the unit's
   * mutex): a poll overtaken by a later one is dropped, one that missed a record is compared again.
   */
  async function settle(polled: readonly Polled[]): Promise<SettledMember[]> {
    const members: SettledMember[] = [];
    for (const { outcome, ticket } of polled) {
      if (!outcome.ok) continue;
      const name = outcome.repo.name;
      const verdict = detectionOrder.judge(name, ticket);
      if (verdict === 'stale') continue;
      const member = { repo: outcome.repo, ticket, heads: outcome.heads };
      if (verdict === 'current') {
        members.push({ ...member, changes: outcome.changes, wasSeen: outcome.wasSeen });
        continue;
      }
      const stored = await store.getHeads(name);
      const changes = rebaseChanges(name, stored, outcome.heads, matchers.get(name)!, outcome.changes);
      members.push({ ...member, changes, wasSeen: stored.seen });
    }
    return members;
  }

  /** One unit's polls: heads and the group run that deploys them, in one transaction. */
  function recordUnit(
    unit: UnitKey,
    polled: readonly Polled[],
    trigger: TriggerKind,
  ): Promise<{ run: RunRecord | null; changed: number }> {
    return unitMutex.run(unit, async () => {
      const members = await settle(polled);
      const changes = members.flatMap((member) => member.changes);
      const newlySeen = members.filter((member) => !member.wasSeen).map((member) => member.repo.name);
      const wrote = changes.length > 0 || newlySeen.length > 0;
      let result: { run: RunRecord | null; changed: number } = { run: null, changed: 0 };
      if (wrote) {
        const deployable = changes
          .filter((change) => isDeployable(change, config.global.deploy_on_first_sight))
          .sort(
            (a, b) =>
              (order.get(a.repository) ?? 0) - (order.get(b.repository) ?? 0) ||
              a.branch.localeCompare(b.branch),
          );
        const run =
          deployable.length > 0
            ? {
                id: newId('run'),
                unit,
                trigger,
                createdAt: new Date().toISOString(),
                jobs: deployable.map((change) =>
                  jobSpec(change.repository, change.branch, change.after!, change.before),
                ),
              }
            : undefined;
        try {
          const queued = await commit(unit, { repositories: newlySeen, changes, run });
          result = { run: queued, changed: changes.filter((change) => change.kind !== 'baseline').length };
        } catch (error) {
          bus.emit('error', {
            error: error instanceof Error ? error : new Error(String(error)),
            context: `recording changes of ${unit}`,
          });
          return result;
        }
      }
      for (const member of members) detectionOrder.recorded(member.repo.name, member.ticket, wrote);
      return result;
    });
  }

  /** Writes heads and the run in one transaction, then tells subscribers and wakes the unit's lane. */
  async function commit(unit: UnitKey, input: DetectionInput): Promise<RunRecord | null> {
    const result = await store.recordDetection(input);
    for (const repository of input.repositories) emitBaseline(repository, input.changes);
    for (const change of input.changes) emitChange(change);
    if (!result.run) return null;
    bus.emit('run:queued', { run: result.run, coalesced: result.coalesced });
    if (!stopping) lanes.kick(unit);
    return result.run;
  }

  /** A repository seen for the first time: the heads its baseline holds (maybe none). */
  function emitBaseline(repository: string, changes: readonly HeadChange[]): void {
    const heads = changes
      .filter((change) => change.repository === repository && change.kind === 'baseline' && change.after)
      .map((change) => ({ branch: change.branch, sha: change.after! }))
      .sort((a, b) => a.branch.localeCompare(b.branch));
    bus.emit('baseline', {
      repository,
      group: repositories.get(repository)?.group ?? null,
      heads,
      deploy: config.global.deploy_on_first_sight && heads.length > 0,
    });
  }

  function emitChange(change: HeadChange): void {
    if (change.kind === 'baseline') return;
    const repo = repositories.get(change.repository);
    bus.emit('change', {
      repository: change.repository,
      group: repo?.group ?? null,
      branch: change.branch,
      before: change.before,
      after: change.after,
      kind: change.kind,
      ...(change.skipped ? { skipped: change.skipped } : {}),
    });
  }

  /**
   * Polls in progress, so that stop() can wait for them. Cycles may overlap (a webhook's poll
   * does not wait for a scheduled cycle of thousands of repositories); recording one unit at a
   * time, in the order the polls started, keeps that safe.
   */
  function tracked<T>(work: Promise<T>): Promise<T> {
    inFlight.add(work);
    const forget = () => inFlight.delete(work);
    work.then(forget, forget);
    return work;
  }

  function scheduleNext(): void {
    if (stopping) return;
    const now = Date.now();
    const earliest = health.earliest();
    // A due time past setTimeout's limit (a long interval stretched by jitter, backoff or the quota
    // budget) wakes the loop early instead of at once; it finds nothing due and waits again.
    timer = setTimeout(runScheduledCycle, timerDelay((Number.isFinite(earliest) ? earliest : now) - now));
  }

  /** A poll moved earlier than the timer was set for (activity reset its interval): wake up in time for it. */
  function reschedule(): void {
    if (!timer) return;
    clearTimeout(timer);
    scheduleNext();
  }

  function runScheduledCycle(): void {
    timer = undefined;
    void tracked(
      (async () => {
        if (stopping) return;
        const due = health.due(Date.now());
        if (due.length > 0) await pollAll(due, 'poll');
      })(),
    )
      .catch((error) =>
        bus.emit('error', {
          error: error instanceof Error ? error : new Error(String(error)),
          context: 'poll cycle',
        }),
      )
      .finally(scheduleNext);
  }

  function selectRepositories(names: readonly string[] | undefined): RepositoryConfig[] {
    if (!names || names.length === 0) return config.repositories;
    const unknown = names.filter((name) => !repositories.has(name));
    if (unknown.length > 0) {
      throw new SentryError(
        'UNKNOWN_REPOSITORY',
        `Unknown repositor${unknown.length > 1 ? 'ies' : 'y'} ${unknown.map((n) => `"${n}"`).join(', ')}.`,
        {
          fix: `Use a name from the configuration: ${[...repositories.keys()].join(', ')}.`,
        },
      );
    }
    return names.map((name) => repositories.get(name)!);
  }

  async function trigger(triggerOptions: TriggerOptions = {}): Promise<RunRecord[]> {
    await ensureReady();
    if (stopping) throw new SentryError('ENGINE_STOPPED', 'Cannot trigger: sentry-git is stopping.');
    let selected = selectRepositories(triggerOptions.repositories);
    if (triggerOptions.group !== undefined) {
      if (!(triggerOptions.group in config.groups)) {
        throw new SentryError('UNKNOWN_GROUP', `Unknown group "${triggerOptions.group}".`, {
          fix: `Use a group from the configuration: ${Object.keys(config.groups).join(', ') || 'none defined'}.`,
        });
      }
      selected = selected.filter((repo) => repo.group === triggerOptions.group);
    }
    const kind = triggerOptions.trigger ?? 'manual';
    const byUnit = groupByUnit(selected, (repo) => repo);
    const runs: RunRecord[] = [];
    for (const [unit, members] of byUnit) {
      // Inside the unit's mutex: a poll cycle recording the same repositories waits, so the heads
      // read here are the ones the run is recorded against.
      const queued = await unitMutex.run(unit, async () => {
        const changes: HeadChange[] = [];
        const newlySeen: string[] = [];
        const jobs: JobSpec[] = [];
        const polledMembers: SettledMember[] = [];
        for (const repo of members) {
          const stored = await store.getHeads(repo.name);
          let heads: BranchHead[] = stored.heads.filter((head) => matchers.get(repo.name)!(head.branch));
          if (!stored.seen || heads.length === 0) {
            const polled = await poll(repo, true);
            if (!polled.outcome.ok) throw polled.outcome.error;
            const [member] = await settle([polled]);
            if (member) {
              polledMembers.push(member);
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
        const run = await commit(unit, {
          repositories: newlySeen,
          changes,
          run: { id: newId('run'), unit, trigger: kind, createdAt: new Date().toISOString(), jobs },
        });
        for (const member of polledMembers) detectionOrder.recorded(member.repo.name, member.ticket, true);
        return run;
      });
      if (queued) runs.push(queued);
      // Someone deploying by hand expects activity: poll these at their base interval again.
      for (const repo of members) health.activity(repo);
    }
    reschedule();
    return runs;
  }

  async function stop(stopOptions: StopOptions = {}): Promise<void> {
    if (!stopping) {
      stopping = true;
      if (timer) clearTimeout(timer);
      stopController.abort(new ShutdownError());
    }
    await Promise.allSettled([...inFlight]);
    const graceMs = stopOptions.graceMs ?? config.global.shutdown_grace * 1000;
    if (lanes.size > 0 && !shutdownController.signal.aborted) {
      let graceTimer: NodeJS.Timeout | undefined;
      const graceOver = new Promise<'grace'>((resolve) => {
        graceTimer = setTimeout(() => resolve('grace'), timerDelay(graceMs));
      });
      const outcome =
        graceMs > 0 ? await Promise.race([lanes.idle().then(() => 'idle' as const), graceOver]) : 'grace';
      clearTimeout(graceTimer);
      // An earlier or later stop() may have cancelled them meanwhile.
      if (outcome === 'grace' && !shutdownController.signal.aborted)
        cancelRunningJobs(graceMs, stopOptions.reason);
    }
    await lanes.idle();
  }

  /** Aborts every running run, saying why: the grace period ran out, or there was none. */
  function cancelRunningJobs(graceMs: number, reason: string | undefined): void {
    const count = runningJobs.size;
    const what = count > 0 ? plural(count, 'running job', 'running jobs') : 'the runs in progress';
    const why =
      reason ??
      (graceMs > 0 ? `grace period of ${graceMs / 1000} s over` : 'stopping without a grace period');
    logger.warn(
      { graceMs, runningJobs: count, ...(reason ? { reason } : {}) },
      `${why}: cancelling ${what} now`,
    );
    shutdownController.abort(
      new ShutdownError(
        graceMs > 0
          ? `sentry-git stopped${reason ? ` (${reason})` : ''}: jobs still running after the ${graceMs / 1000} s grace period were cancelled`
          : `sentry-git stopped${reason ? ` (${reason})` : ''}: running jobs were cancelled without a grace period`,
      ),
    );
  }

  let closed = false;
  async function close(closeOptions: StopOptions = {}): Promise<void> {
    await stop(closeOptions);
    if (closed) return;
    closed = true;
    await statusReporter.flush();
    statusReporter.detach();
    // Summaries of the last runs get one attempt's time to arrive; the rest are reported as failed.
    await notifier.detach({ graceMs: config.notifications.timeout * 1000 });
    for (const teardown of teardowns.reverse()) await teardown();
    detachLogger();
    for (const off of untrackJobs) off();
    await releaseLock?.();
    await store.close();
  }

  const sentry: Sentry = {
    config,
    store,
    registry,
    logger,
    redactor,
    bus,
    on: bus.on,
    once: bus.once,
    off: bus.off,
    async start() {
      if (started) return;
      if (stopping)
        throw new SentryError('ENGINE_STOPPED', 'Cannot start: this engine was stopped; create a new one.');
      started = true;
      await ensureReady();
      scheduleNext();
    },
    stop,
    close,
    async pollOnce(pollOptions = {}) {
      await ensureReady();
      const repos = selectRepositories(pollOptions.repositories);
      const result = await tracked(pollAll(repos, pollOptions.trigger ?? 'poll'));
      reschedule();
      return result;
    },
    trigger,
    waitForRuns: (ids) => waitForRuns(bus, store, ids),
    idle: () => lanes.idle(),
    status: () => repositoryStatus({ config, store, registry, redactor, health, scheduled: started }),
  };

  for (const plugin of registry.plugins) {
    if (!plugin.setup) continue;
    try {
      const teardown = await plugin.setup(sentry);
      if (typeof teardown === 'function') teardowns.push(teardown);
    } catch (error) {
      await store.close();
      throw new SentryError(
        'PLUGIN_SETUP_FAILED',
        `Plugin "${plugin.name}" failed in setup(): ${errorMessage(error)}`,
        { cause: error, path: plugin.name },
      );
    }
  }
  return sentry;
}
