import { EventEmitter } from 'eventemitter3';
import type { RateLimitInfo } from './interfaces/provider.js';
import type { Redactor } from './redact.js';
import type { BranchHead, ChangeKind, Job, JobRecord, JobResult, RunRecord } from './types.js';

/** Every event the engine emits, with its payload. Subscribers get copies with secrets redacted. */
export interface SentryEvents {
  'poll:start': { cycle: number; repositories: string[] };
  'poll:finish': { cycle: number; checked: number; changed: number; errors: number; durationMs: number };
  'poll:error': {
    cycle: number;
    repository: string;
    provider: string;
    error: Error;
    consecutiveFailures: number;
    nextPollAt: string;
  };
  change: {
    repository: string;
    group: string | null;
    branch: string;
    before: string | null;
    after: string | null;
    kind: ChangeKind;
    /** Set when path filters or a skip marker keep the change from deploying: the reason. */
    skipped?: string;
  };
  /**
   * The first successful poll of a repository recorded its matching heads: later polls compare
   * with them. They are deployed only with `global.deploy_on_first_sight` (then `deploy` is true).
   */
  baseline: { repository: string; group: string | null; heads: BranchHead[]; deploy: boolean };
  'run:queued': { run: RunRecord; coalesced: boolean };
  'run:start': { run: RunRecord };
  'job:start': { run: RunRecord; job: Job };
  'job:output': {
    runId: string;
    jobId: string;
    repository: string;
    branch: string;
    stream: 'stdout' | 'stderr' | 'system';
    text: string;
  };
  'job:finish': { run: RunRecord; job: JobRecord; result: JobResult };
  'run:finish': { run: RunRecord };
  ratelimit: { provider: string; repository: string; rateLimit: RateLimitInfo };
  /** A run summary did not reach a notification receiver: retries exhausted, refused, or closed. */
  'notification:failed': {
    runId: string;
    /** The configuration key and the URL's origin (never the whole URL: a path may hold a token). */
    receiver: string;
    /** The `X-Sentry-Delivery` id every attempt carried. */
    deliveryId: string;
    attempts: number;
    /** HTTP status of the last answer; null when there was none (connection error, timeout). */
    status: number | null;
    error: Error;
  };
  /** The state store could not record a write (disk full, read-only file): nothing new is recorded. */
  'state:write-failed': {
    /** The store method that failed, e.g. `recordDetection`. */
    operation: string;
    /** What could not be recorded: the heads of a repository, a run, a job. */
    subject: string;
    /** STATE_WRITE_FAILED, the store's own error as its cause. */
    error: Error;
    health: {
      writable: boolean;
      failedWrites: number;
      failingSince: string | null;
      lastError: string | null;
    };
  };
  /** The first successful write after failed ones: the store records again. */
  'state:write-recovered': { operation: string; failedWrites: number; failingSince: string };
  /**
   * On a store several replicas share: this replica's part of the polls changed (it joined, a
   * replica came or went, it lost the store). `polled` repositories of `repositories`; `live`
   * replicas counted at its last renewal.
   */
  'replica:assigned': { replica: string; polled: number; repositories: number; live: number };
  /**
   * An operator's action (`cancel`, `rerun`, `deploy`, `pause`, `resume`, `trigger`): who asked,
   * when, on what (`run:<id>`, a unit key, `repository:<name>@<branch>`), why, and the runs it
   * queued or cancelled. Logged by the event logger; the server's event stream carries it.
   */
  action: {
    action: 'cancel' | 'rerun' | 'deploy' | 'pause' | 'resume' | 'trigger';
    by: string;
    at: string;
    target: string;
    reason: string | null;
    runs: string[];
  };
  error: { error: Error; context: string };
}

export type SentryEventName = keyof SentryEvents;

/**
 * Another replica's events as this one rebuilds them from the store (`ReplicaView.onShared`):
 * the runs as stored, a job as its stored record (not the configuration its executor got), a
 * job's result without its output (follow the job's log for that).
 */
export interface SharedEvents {
  change: SentryEvents['change'];
  'run:queued': SentryEvents['run:queued'];
  'run:start': SentryEvents['run:start'];
  'job:start': { run: RunRecord; job: JobRecord };
  'job:finish': { run: RunRecord; job: JobRecord; result: JobResult };
  'run:finish': SentryEvents['run:finish'];
  action: SentryEvents['action'];
}

/** One event of another replica: its name, the replica, the payload. */
export type SharedEvent = {
  [K in keyof SharedEvents]: { name: K; replica: string; payload: SharedEvents[K] };
}[keyof SharedEvents];
export type SentryEventHandler<K extends SentryEventName> = (payload: SentryEvents[K]) => void;

type EventMap = { [K in SentryEventName]: (payload: SentryEvents[K]) => void };

/**
 * The typed event bus. Payloads are redacted once, at emit, so no subscriber (logger, metrics,
 * server, notifier) can leak a secret. A throwing handler is reported as an `error` event and
 * never breaks the engine.
 */
export interface EventBus {
  on<K extends SentryEventName>(name: K, handler: SentryEventHandler<K>): () => void;
  once<K extends SentryEventName>(name: K, handler: SentryEventHandler<K>): () => void;
  off<K extends SentryEventName>(name: K, handler: SentryEventHandler<K>): void;
  emit<K extends SentryEventName>(name: K, payload: SentryEvents[K]): void;
  listenerCount(name: SentryEventName): number;
}

export function createEventBus(redactor: Redactor): EventBus {
  const emitter = new EventEmitter<EventMap>();

  function guard<K extends SentryEventName>(name: K, handler: SentryEventHandler<K>): SentryEventHandler<K> {
    return (payload) => {
      try {
        handler(payload);
      } catch (error) {
        if (name === 'error') return;
        emit('error', {
          error: error instanceof Error ? error : new Error(String(error)),
          context: `handler of "${name}"`,
        });
      }
    };
  }

  const wrapped = new WeakMap<object, SentryEventHandler<never>>();

  function on<K extends SentryEventName>(name: K, handler: SentryEventHandler<K>): () => void {
    const safe = guard(name, handler);
    wrapped.set(handler, safe as SentryEventHandler<never>);
    // eventemitter3's generic signatures cannot follow K through the mapped type.
    (emitter.on as (n: string, h: unknown) => void)(name, safe);
    return () => off(name, handler);
  }

  function once<K extends SentryEventName>(name: K, handler: SentryEventHandler<K>): () => void {
    const off = on(name, (payload) => {
      off();
      handler(payload);
    });
    return off;
  }

  function off<K extends SentryEventName>(name: K, handler: SentryEventHandler<K>): void {
    const safe = wrapped.get(handler);
    if (safe) (emitter.off as (n: string, h: unknown) => void)(name, safe);
  }

  function emit<K extends SentryEventName>(name: K, payload: SentryEvents[K]): void {
    if (emitter.listenerCount(name) === 0) return;
    (emitter.emit as (n: string, p: unknown) => boolean)(name, redactor.redactValue(payload));
  }

  return { on, once, off, emit, listenerCount: (name) => emitter.listenerCount(name) };
}
