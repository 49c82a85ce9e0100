import { SentryError } from './errors.js';

/** Who holds a state store's engine lock, as `ENGINE_LOCKED` names it (and carries in `details`). */
export interface EngineLockHolder {
  pid: number;
  /** The `owner` it gave (`sentry-git watch` passes `watch`); empty when unknown. */
  owner: string;
  /** When it took the lock (ISO 8601); null when the lock file does not say (written by an older version). */
  since: string | null;
  /** Another engine of this very process holds it. */
  sameProcess: boolean;
}

/** What ENGINE_LOCKED carries in `details`, so a caller can rebuild it with its own advice. */
export interface EngineLockedDetails extends EngineLockHolder {
  /** The storage the lock guards (a state file). */
  resource: string;
}

/** The owner `sentry-git watch` gives: a long-running watcher, the only holder that serves an API. */
const WATCH_OWNER = 'watch';

function who(holder: EngineLockHolder): string {
  const since = holder.since ? `since ${holder.since}` : 'since an unknown time';
  if (holder.sameProcess)
    return `another engine in this process (${holder.owner || 'unknown owner'}, ${since})`;
  return `pid ${holder.pid} (${holder.owner ? `${holder.owner}, ` : ''}${since})`;
}

/**
 * What to do about a held lock, most useful first: hand a trigger to a running watch, stop or
 * wait for the holder, read beside it, and only then another state file.
 */
export function engineLockAdvice(holder: EngineLockHolder): string[] {
  if (holder.sameProcess) {
    return [
      'close() the other engine (sentry.close()) before creating this one, or give each engine its own state.path.',
    ];
  }
  const advice: string[] = [];
  if (holder.owner === WATCH_OWNER) {
    advice.push(
      'To deploy by hand while it runs, use `sentry-git trigger`: it hands the trigger to the running watch through its API when the configuration sets server.port and an API token (server.token or SENTRY_GIT_API_TOKEN).',
      `Or stop it first: kill ${holder.pid} (SIGTERM; running jobs get global.shutdown_grace to finish).`,
    );
  } else {
    advice.push(
      `It stops by itself once its runs finish: try again then, or stop it with kill ${holder.pid}.`,
    );
  }
  advice.push(
    '`sentry-git status` and `sentry-git runs` only read the state: they are safe beside it.',
    'Only as a last resort, point state.path at another file: the two processes would then deploy independently, each with its own history.',
  );
  return advice;
}

/** `ENGINE_LOCKED`: names the holder (pid, owner, since) and says what to do, one option a line. */
export function engineLockedError(input: {
  resource: string;
  holder: EngineLockHolder;
  /** Replaces the default advice (e.g. `trigger` says why it could not hand off). */
  advice?: readonly string[];
}): SentryError {
  const { resource, holder } = input;
  const advice = input.advice ?? engineLockAdvice(holder);
  return new SentryError(
    'ENGINE_LOCKED',
    `Another sentry-git process holds the engine lock of ${resource}: ${who(holder)}. Only one process at a time may deploy from a state file.`,
    {
      fix: `one of these:\n${advice.map((line) => `  - ${line}`).join('\n')}`,
      details: { resource, ...holder } satisfies EngineLockedDetails,
    },
  );
}

/** The holder an ENGINE_LOCKED error names, or null for any other error. */
export function engineLockedDetails(error: unknown): EngineLockedDetails | null {
  if (!(error instanceof SentryError) || error.code !== 'ENGINE_LOCKED') return null;
  const details = error.details as Partial<EngineLockedDetails> | undefined;
  if (typeof details?.resource !== 'string' || typeof details.pid !== 'number') return null;
  return {
    resource: details.resource,
    pid: details.pid,
    owner: details.owner ?? '',
    since: details.since ?? null,
    sameProcess: details.sameProcess === true,
  };
}
