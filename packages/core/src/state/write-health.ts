import { isSentryError, SentryError } from '../errors.js';
import type { EventBus } from '../events.js';
import type { Coordination } from '../interfaces/coordination.js';
import type { Logger } from '../interfaces/executor.js';
import type { StateStore } from '../interfaces/state-store.js';

/*
 * A state store that cannot write (disk full, a read-only file, an I/O error) must not look
 * healthy: the engine would go on polling while no head, run or result is recorded, so nothing
 * deploys. This wrapper watches every write's outcome, turns a storage failure into
 * STATE_WRITE_FAILED (saying what could not be recorded), emits `state:write-failed` for each one
 * and `state:write-recovered` on the first success after them; the server's /readyz and
 * `sentry_git_state_write_errors_total` read those events.
 */

// Methods that only read or manage the store: anything else writes (a new write method is
// observed without being listed here). `exportState` reads, and hands out its records as it
// reads them (an async iterable, not a promise the wrapper could await).
const NOT_WRITES = /^(get|list|next|find|count|has|is)[A-Z]|^(close|acquireEngineLock|exportState)$/;

/** Where the store stands, as the wrapper saw its writes. */
export interface StateWriteHealth {
  /** False from a failed write until a write succeeds. */
  writable: boolean;
  /** Failed writes since the last success. */
  failedWrites: number;
  /** When the streak of failures began (ISO time), null while writable. */
  failingSince: string | null;
  /** The last failure's message, null while writable. */
  lastError: string | null;
}

/** What a write was about, for the message: the repository, run or job it names. */
function subjectOf(operation: string, args: readonly unknown[]): string {
  const [first, second] = args;
  if (operation.startsWith('coordination.')) return 'the leases and claims of this replica';
  if (typeof first === 'string') {
    if (operation === 'updateRun') return `run ${first}`;
    if (operation === 'updateJob') return `job ${first}`;
    return typeof second === 'string' ? `${first} ${second}` : `repository ${first}`;
  }
  const input = first as
    | { repositories?: unknown; changes?: unknown; run?: { id?: unknown } | null }
    | undefined;
  const changes = Array.isArray(input?.changes) ? (input.changes as { repository?: unknown }[]) : [];
  const named = [
    ...(Array.isArray(input?.repositories) ? input.repositories : []),
    ...changes.map((change) => change.repository),
  ].filter((name): name is string => typeof name === 'string');
  const run = typeof input?.run?.id === 'string' ? ` and run ${input.run.id}` : '';
  return named.length > 0 ? `the heads of ${[...new Set(named)].join(', ')}${run}` : 'the state';
}

/**
 * A storage failure, not a refusal by the store's rules (a SentryError such as STATE_NOT_FOUND or
 * STATE_INVALID_RUN says the store works and the request was wrong).
 */
function isStorageFailure(error: unknown): boolean {
  return !isSentryError(error) || error.code === 'STATE_WRITE_FAILED';
}

/** The store as the engine uses it, plus the health of its writes. */
export type ObservedStateStore<T extends StateStore = StateStore> = T & {
  writeHealth(): StateWriteHealth;
};

/**
 * Wraps `store` so that every write's outcome is observed. Reads and `close()` pass through
 * untouched; a failed write rejects with STATE_WRITE_FAILED (the store's error as its cause).
 */
export function observeStateWrites<T extends StateStore>(
  store: T,
  input: { bus: EventBus; logger?: Logger | undefined; now?: () => Date },
): ObservedStateStore<T> {
  const now = input.now ?? (() => new Date());
  let health: StateWriteHealth = { writable: true, failedWrites: 0, failingSince: null, lastError: null };

  function failed(operation: string, subject: string, cause: unknown): SentryError {
    const reason = cause instanceof Error ? cause.message : String(cause);
    const error = new SentryError(
      'STATE_WRITE_FAILED',
      `The state store (${store.id}) could not record ${subject} (${operation}): ${reason}`,
      {
        fix: 'Free disk space or make the state database writable; sentry-git is ready again after the next successful write.',
        details: { operation, store: store.id },
        cause,
      },
    );
    const first = health.writable;
    health = {
      writable: false,
      failedWrites: health.failedWrites + 1,
      failingSince: health.failingSince ?? now().toISOString(),
      lastError: error.message,
    };
    if (first) input.logger?.error({ operation, store: store.id }, error.message);
    input.bus.emit('state:write-failed', { operation, subject, error, health: { ...health } });
    return error;
  }

  function succeeded(operation: string): void {
    if (health.writable) return;
    const previous = health;
    health = { writable: true, failedWrites: 0, failingSince: null, lastError: null };
    input.logger?.info(
      { operation, store: store.id, failedWrites: previous.failedWrites },
      `The state store (${store.id}) records again after ${previous.failedWrites} failed write${previous.failedWrites === 1 ? '' : 's'} since ${previous.failingSince}.`,
    );
    input.bus.emit('state:write-recovered', {
      operation,
      failedWrites: previous.failedWrites,
      failingSince: previous.failingSince ?? now().toISOString(),
    });
  }

  function observe(operation: string, write: (...args: unknown[]) => Promise<unknown>) {
    return async (...args: unknown[]) => {
      let result: unknown;
      try {
        result = await write(...args);
      } catch (error) {
        throw isStorageFailure(error) ? failed(operation, subjectOf(operation, args), error) : error;
      }
      succeeded(operation);
      return result;
    };
  }

  const wrapped = new Map<PropertyKey, unknown>();
  // A shared store's coordination writes too (registrations, leases, claims): a replica that
  // cannot renew is not ready, and one that renews again is, even when it has nothing to record.
  const coordination = store.coordination && observeCoordination(store.coordination, observe);
  return new Proxy(store, {
    get(target, property, receiver) {
      if (property === 'writeHealth') return () => ({ ...health });
      if (property === 'coordination') return coordination;
      const value = Reflect.get(target, property, receiver);
      if (typeof value !== 'function') return value;
      // Bound once per method: a poll that changes nothing allocates nothing here.
      let method = wrapped.get(property);
      if (!method) {
        const bound = value.bind(target) as (...args: unknown[]) => Promise<unknown>;
        method =
          typeof property === 'string' && !NOT_WRITES.test(property) ? observe(property, bound) : bound;
        wrapped.set(property, method);
      }
      return method;
    },
  }) as ObservedStateStore<T>;
}

/** `coordination` with each method's outcome observed as a write (methods bound once). */
function observeCoordination(
  coordination: Coordination,
  observe: (
    operation: string,
    write: (...args: unknown[]) => Promise<unknown>,
  ) => (...args: unknown[]) => Promise<unknown>,
): Coordination {
  const methods = new Map<PropertyKey, unknown>();
  return new Proxy(coordination, {
    get(target, property, receiver) {
      const value = Reflect.get(target, property, receiver);
      if (typeof value !== 'function' || typeof property !== 'string') return value;
      let method = methods.get(property);
      if (!method) {
        method = observe(`coordination.${property}`, value.bind(target));
        methods.set(property, method);
      }
      return method;
    },
  });
}

/** The write health of an engine's store (`sentry.store`), or undefined for a store nobody observes. */
export function stateWriteHealth(store: StateStore): StateWriteHealth | undefined {
  const observed = store as Partial<ObservedStateStore>;
  return typeof observed.writeHealth === 'function' ? observed.writeHealth() : undefined;
}
