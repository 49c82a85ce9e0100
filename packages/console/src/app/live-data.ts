import { type Api, describeError } from './api.js';
import type { Run, RunsAnswer, StatusAnswer } from './api-types.js';
import { type FeedState, followEvents } from './events.js';

/** Runs the first page lists (the API's largest page). */
const PAGE = 50;
/** Events that carry a run (its jobs without output). */
const RUN_EVENTS = new Set(['run:queued', 'run:start', 'job:start', 'job:finish', 'run:finish']);
/** Events after which the repositories' heads, health, last run or pause state may read differently. */
const STATUS_EVENTS = new Set([
  'change',
  'baseline',
  'poll:error',
  'action',
  'run:queued',
  'run:finish',
  'replica:assigned',
]);

export interface LiveState {
  status: StatusAnswer | null;
  /** Every run the console knows, by id: listed ones, and ones opened by their id. */
  runs: ReadonlyMap<string, Run>;
  /** The ids of the runs list, newest first. */
  listed: readonly string[];
  /** The path of the next page of runs; null when the list is complete. */
  next: string | null;
  /** Why the last load failed; null once one succeeds. */
  error: string | null;
  feed: FeedState;
}

export interface LiveData {
  get(): LiveState;
  subscribe(listener: () => void): () => void;
  /** Loads, then follows the event stream until `signal` aborts. */
  start(signal: AbortSignal): void;
  loadMore(): Promise<void>;
  /**
   * Reads one run again (with its jobs) into the state; resolves with it. `list`: show it in the
   * runs list too (a run an action just queued, before its event comes).
   */
  refreshRun(id: string, options?: { list?: boolean }): Promise<Run>;
  /** Reads the status again (after an action, not to wait for its event). */
  refreshStatus(): Promise<void>;
}

/**
 * A poll cycle that changed nothing only moves the "polled … ago" times and clears recovered
 * failures: with thousands of repositories polled every few seconds, reading the whole status
 * after each would cost more than it shows, so those reloads are this far apart at least.
 */
const QUIET_POLL_RELOAD_MS = 15_000;

/** How far a run got: a snapshot never replaces a later one (an event may overtake a load). */
function progress(run: Run): number {
  const stage = (status: string) => (status === 'queued' ? 0 : status === 'running' ? 1 : 2);
  const jobs = run.jobs.reduce((sum, job) => sum + stage(job.status), 0);
  return stage(run.status) * 100_000 + jobs * 10 + run.jobs.length + (run.cancelRequest ? 5 : 0);
}

function isRun(value: unknown): value is Run {
  return typeof value === 'object' && value !== null && typeof (value as Run).id === 'string';
}

function newestFirst(runs: ReadonlyMap<string, Run>, ids: Iterable<string>): string[] {
  return [...new Set(ids)].sort((a, b) =>
    (runs.get(b)?.createdAt ?? '').localeCompare(runs.get(a)?.createdAt ?? ''),
  );
}

/**
 * The console's data: the status and the runs, loaded once and then kept current by the event
 * stream. Status reloads are coalesced (one in flight, one more queued at most), so a burst of
 * events costs two requests.
 */
export function createLiveData(api: Api): LiveData {
  let state: LiveState = {
    status: null,
    runs: new Map(),
    listed: [],
    next: null,
    error: null,
    feed: { state: 'connecting' },
  };
  const listeners = new Set<() => void>();
  let statusBusy = false;
  let statusAgain = false;
  let statusReadAt = 0;
  let loaded = false;

  function set(patch: Partial<LiveState>): void {
    state = { ...state, ...patch };
    for (const listener of listeners) listener();
  }

  function merged(runs: Run[]): Map<string, Run> {
    const next = new Map(state.runs);
    for (const run of runs) {
      const known = next.get(run.id);
      if (!known || progress(run) >= progress(known)) next.set(run.id, run);
    }
    return next;
  }

  function upsert(run: Run, list: boolean): void {
    const runs = merged([run]);
    set({ runs, listed: list ? newestFirst(runs, [run.id, ...state.listed]) : state.listed });
  }

  async function reloadStatus(): Promise<void> {
    if (statusBusy) {
      statusAgain = true;
      return;
    }
    statusBusy = true;
    try {
      do {
        statusAgain = false;
        statusReadAt = Date.now();
        const status = await api.get<StatusAnswer>('api/v1/status');
        set({ status: { ...status, groups: status.groups ?? [] }, error: null });
      } while (statusAgain);
    } catch (error) {
      set({ error: describeError(error) });
    } finally {
      statusBusy = false;
    }
  }

  async function reloadRuns(): Promise<void> {
    try {
      const page = await api.get<RunsAnswer>(`api/v1/runs?limit=${PAGE}`);
      const runs = merged(page.runs);
      set({
        runs,
        listed: newestFirst(
          runs,
          page.runs.map((run) => run.id),
        ),
        next: page.next,
        error: null,
      });
    } catch (error) {
      set({ error: describeError(error) });
    }
  }

  function reloadAll(): void {
    loaded = true;
    void reloadStatus();
    void reloadRuns();
  }

  async function refreshRun(id: string, options: { list?: boolean } = {}): Promise<Run> {
    const run = await api.get<Run>(`api/v1/runs/${encodeURIComponent(id)}`);
    upsert(run, options.list === true || state.listed.includes(id));
    return run;
  }

  function onEvent(name: string, data: unknown): void {
    if (name === 'reset') {
      reloadAll();
      return;
    }
    const payload = (typeof data === 'object' && data !== null ? data : {}) as Record<string, unknown>;
    if (RUN_EVENTS.has(name) && isRun(payload.run)) upsert(payload.run, true);
    if (STATUS_EVENTS.has(name)) void reloadStatus();
    if (name === 'poll:finish' && Date.now() - statusReadAt >= QUIET_POLL_RELOAD_MS) void reloadStatus();
    // A cancel request or a re-run changes runs no run event tells about yet.
    if (name === 'action' && Array.isArray(payload.runs)) {
      for (const id of payload.runs.slice(0, 10)) {
        if (typeof id === 'string') refreshRun(id).catch(() => undefined);
      }
    }
  }

  return {
    get: () => state,
    subscribe(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    start(signal) {
      followEvents(
        api,
        {
          // Without Last-Event-ID the stream starts now: load what came before it.
          onOpen: (resumed) => {
            if (!resumed) reloadAll();
          },
          onEvent,
          onState: (feed) => {
            set({ feed });
            // No stream (yet): still show what there is.
            if (feed.state === 'reconnecting' && !loaded) reloadAll();
          },
        },
        signal,
      );
    },
    async loadMore() {
      if (state.next === null) return;
      const page = await api.get<RunsAnswer>(state.next.replace(/^\//, ''));
      const runs = merged(page.runs);
      set({
        runs,
        listed: newestFirst(runs, [...state.listed, ...page.runs.map((run) => run.id)]),
        next: page.next,
      });
    },
    refreshRun,
    refreshStatus: reloadStatus,
  };
}
