/**
 * What someone asks of a running engine, beside polling: trigger, cancel, re-run, deploy a chosen
 * commit, pause and resume, the dry run, following a job's output, and the status. Runs someone
 * asks for enter the pipeline at the detection recorder, like any run, so dispatching, events and
 * replicas treat them the same; cancelling reaches the dispatcher (a run running here) or the
 * store (a run another engine runs: it finds the request there). Every action is recorded with
 * who asked and emitted as an `action` event.
 */
import type { SentryConfig } from '../config/schema.js';
import { SentryError } from '../errors.js';
import type { EventBus } from '../events.js';
import type { StateStore } from '../interfaces/state-store.js';
import type { Registry } from '../plugins/registry.js';
import type { Redactor } from '../redact.js';
import { type RunRecord, unitKeyOf } from '../types.js';
import { actionStamp, emitAction } from './actions.js';
import type { Sentry } from './api.js';
import type { DetectionRecorder } from './detection-recorder.js';
import type { Dispatcher } from './dispatcher.js';
import { followJob } from './follow-job.js';
import { createPauseControl } from './pause-control.js';
import { planDeploys } from './plan.js';
import type { Poller } from './poll-cycle.js';
import type { ActorOptions, CancelResult, DeployRequest, TriggerOptions } from './requests.js';
import type { Scheduler } from './scheduler.js';
import { selectForTrigger } from './select.js';
import { repositoryStatus } from './status.js';
import { deployTarget } from './targets.js';
import { groupByUnit } from './units.js';

export interface ControlInput {
  config: SentryConfig;
  store: StateStore;
  registry: Registry;
  bus: EventBus;
  redactor: Redactor;
  matchers: ReadonlyMap<string, (branch: string) => boolean>;
  recorder: DetectionRecorder;
  poller: Poller;
  scheduler: Scheduler;
  dispatcher: Dispatcher;
  /**
   * Resolves once this engine may queue and run work (recovered, its lock held); throws
   * `ENGINE_STOPPED` (`Cannot <what>: …`) while it stops.
   */
  ready(what: string): Promise<void>;
  /** Whether this engine runs work now (a resumed unit then starts here at once). */
  working(): boolean;
  /** Whether `start()` was called (status then tells the next poll times). */
  scheduled(): boolean;
}

export type Control = Pick<
  Sentry,
  'trigger' | 'cancel' | 'rerun' | 'deploy' | 'pause' | 'resume' | 'pauses' | 'plan' | 'followJob' | 'status'
>;

function runNotFound(runId: string): SentryError {
  return new SentryError('RUN_NOT_FOUND', `No run ${JSON.stringify(runId)}.`, {
    fix: 'Use a run id from `sentry-git runs` (or GET /api/v1/runs).',
  });
}

export function createControl(input: ControlInput): Control {
  const { config, store, bus, recorder, poller, scheduler, dispatcher } = input;
  const readFresh = (repo: Parameters<Poller['poll']>[0]) => poller.poll(repo, true);

  async function trigger(request: TriggerOptions = {}): Promise<RunRecord[]> {
    await input.ready('trigger');
    const runs: RunRecord[] = [];
    const by = request.by ?? null;
    for (const [unit, members] of groupByUnit(selectForTrigger(config, request), (repo) => repo)) {
      const run = await recorder.recordTrigger(unit, members, request.trigger ?? 'manual', readFresh, by);
      if (run) runs.push(run);
      // Someone deploying by hand expects activity: poll these at their base interval again.
      for (const repo of members) scheduler.activity(repo);
      const stamp = { by: by ?? 'unknown', at: new Date().toISOString(), reason: null };
      emitAction(bus, 'trigger', stamp, unit, run ? [run.id] : []);
    }
    scheduler.reschedule();
    return runs;
  }

  async function cancel(runId: string, options: ActorOptions): Promise<CancelResult> {
    const stamp = actionStamp('cancel', options);
    const done = await store.cancelRun(runId, stamp);
    if (!done) throw runNotFound(runId);
    const { run, outcome } = done;
    // A queued run ended here and now; a running one ends where it runs (here at once, else its
    // engine finds the request in the store within a few seconds).
    if (outcome === 'cancelled') bus.emit('run:finish', { run });
    if (outcome === 'requested') dispatcher.cancel(run.id, run.cancelRequest ?? stamp);
    emitAction(bus, 'cancel', stamp, `run:${run.id}`, outcome === 'finished' ? [] : [run.id]);
    return { run, outcome };
  }

  async function rerun(runId: string, options: ActorOptions): Promise<RunRecord> {
    const stamp = actionStamp('re-run', options);
    const old = await store.getRun(runId);
    if (!old) throw runNotFound(runId);
    if (old.status === 'queued' || old.status === 'running') {
      throw new SentryError('RUN_NOT_FINISHED', `Cannot re-run ${old.id}: it is ${old.status}.`, {
        fix: 'Wait for it to finish (or cancel it), then re-run it.',
      });
    }
    await input.ready('re-run');
    const jobs = old.jobs.map(({ repository, branch, sha }) => ({ repository, branch, sha }));
    const run = await recorder.recordRequested(old.unit, 'rerun', jobs, readFresh, stamp.by);
    emitAction(bus, 'rerun', stamp, `run:${old.id}`, [run.id]);
    return run;
  }

  async function deploy(request: DeployRequest): Promise<RunRecord> {
    const stamp = actionStamp('deploy', request);
    const { repo, branch, sha } = deployTarget(config, input.matchers, request);
    await input.ready('deploy');
    const job = { repository: repo.name, branch, config: repo, ...(sha === undefined ? {} : { sha }) };
    const run = await recorder.recordRequested(unitKeyOf(repo), 'deploy', [job], readFresh, stamp.by);
    scheduler.activity(repo);
    emitAction(bus, 'deploy', stamp, `repository:${repo.name}@${branch}`, [run.id]);
    return run;
  }

  const pauses = createPauseControl({
    config,
    store,
    bus,
    kick(unit) {
      if (input.working()) dispatcher.kick(unit);
    },
  });

  return {
    trigger,
    cancel,
    rerun,
    deploy,
    ...pauses,
    plan: (options) => planDeploys({ config, store, redactor: input.redactor, poller }, options),
    followJob: (runId, jobId, options) =>
      followJob({ store, bus, outputOf: dispatcher.outputOf }, runId, jobId, options),
    status: () =>
      repositoryStatus({
        config,
        store,
        registry: input.registry,
        redactor: input.redactor,
        health: scheduler.health,
        scheduled: input.scheduled(),
      }),
  };
}
