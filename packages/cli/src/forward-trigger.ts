import {
  type EngineLockedDetails,
  engineLockedError,
  type RunRecord,
  type SentryConfig,
  SentryError,
} from '@sentry-git/core';
import { engineLockAdvice } from '@sentry-git/core/internal';

/** How often a forwarded trigger asks the running `watch` whether its runs have finished. */
const FOLLOW_INTERVAL_MS = 500;
const FINISHED = new Set(['succeeded', 'failed', 'timed_out', 'cancelled']);

export interface ForwardTarget {
  url: string;
  token: string;
}

/**
 * Where the `watch` that holds the engine lock serves its API, when it does: the configured
 * port on loopback (a wildcard bind address is reached through 127.0.0.1), with the API token.
 */
export function forwardTarget(config: SentryConfig, env: NodeJS.ProcessEnv): ForwardTarget | null {
  const { port, host } = config.server;
  const token = config.server.token ?? env.SENTRY_GIT_API_TOKEN;
  if (port === undefined || port === 0 || !token) return null;
  const reachable = host === '0.0.0.0' || host === '::' ? '127.0.0.1' : host;
  return { url: `http://${reachable.includes(':') ? `[${reachable}]` : reachable}:${port}`, token };
}

/** Why `trigger` cannot hand off to a running watch with this configuration, or null when it can. */
export function handOffProblem(config: SentryConfig, env: NodeJS.ProcessEnv): string | null {
  const { port } = config.server;
  if (port === undefined || port === 0) {
    return 'this configuration sets no server.port, so trigger cannot find the running watch’s API (a port given only as watch --port is not known to trigger)';
  }
  if (!(config.server.token ?? env.SENTRY_GIT_API_TOKEN)) {
    return `server.port is ${port}, but no API token is set (server.token or SENTRY_GIT_API_TOKEN), so trigger cannot call the running watch’s API`;
  }
  return null;
}

/**
 * ENGINE_LOCKED as `trigger` says it when it cannot hand off: why not, and how to make the
 * running watch take triggers, before the other ways out.
 */
export function triggerLockedError(
  locked: EngineLockedDetails,
  config: SentryConfig,
  env: NodeJS.ProcessEnv,
): SentryError {
  const problem = handOffProblem(config, env);
  const { resource, ...holder } = locked;
  if (!problem || holder.sameProcess || holder.owner !== 'watch')
    return engineLockedError({ resource, holder });
  const [, ...rest] = engineLockAdvice(holder);
  return engineLockedError({
    resource,
    holder,
    advice: [
      `Hand the trigger to the running watch: ${problem}. Set server.port (e.g. 8080) and server.token (or export SENTRY_GIT_API_TOKEN) in the configuration, restart the watch with it, and run trigger again: it then deploys through the watch.`,
      ...rest,
    ],
  });
}

async function api<T>(target: ForwardTarget, path: string, init: RequestInit = {}): Promise<T> {
  let response: Response;
  try {
    response = await fetch(`${target.url}${path}`, {
      ...init,
      headers: {
        ...init.headers,
        authorization: `Bearer ${target.token}`,
        'content-type': 'application/json',
      },
      signal: AbortSignal.timeout(30_000),
    });
  } catch (error) {
    throw new SentryError(
      'TRIGGER_FORWARD_FAILED',
      `Another sentry-git process holds the engine lock, and its server at ${target.url} cannot be reached: ${(error as Error).message}.`,
      { fix: 'Check that `sentry-git watch` runs with server.port set, or stop it and trigger again.' },
    );
  }
  const body = (await response.json().catch(() => ({}))) as T & { error?: { code: string; message: string } };
  if (!response.ok) {
    throw new SentryError(
      'TRIGGER_FORWARD_FAILED',
      `The running sentry-git server refused the trigger (${response.status} ${body.error?.code ?? ''}): ${body.error?.message ?? response.statusText}`,
      { fix: 'Check server.token / SENTRY_GIT_API_TOKEN and the names given.' },
    );
  }
  return body;
}

/**
 * Asks the running `watch` to deploy (POST /api/v1/trigger) and follows the runs through its API
 * until they finish, so `trigger` behaves the same whether or not a watcher is running.
 */
export async function forwardTrigger(
  target: ForwardTarget,
  selection: { repositories: string[]; group?: string | undefined },
): Promise<RunRecord[]> {
  const body = JSON.stringify({
    ...(selection.repositories.length > 0 ? { repositories: selection.repositories } : {}),
    ...(selection.group ? { group: selection.group } : {}),
  });
  const queued = await api<{ runs: Array<{ id: string }> }>(target, '/api/v1/trigger', {
    method: 'POST',
    body,
  });
  const ids = [...new Set(queued.runs.map((run) => run.id))];
  const finished = new Map<string, RunRecord>();
  while (finished.size < ids.length) {
    for (const id of ids) {
      if (finished.has(id)) continue;
      const run = await api<RunRecord>(target, `/api/v1/runs/${encodeURIComponent(id)}`);
      if (FINISHED.has(run.status)) finished.set(id, run);
    }
    if (finished.size < ids.length) await new Promise((resolve) => setTimeout(resolve, FOLLOW_INTERVAL_MS));
  }
  return ids.map((id) => finished.get(id) as RunRecord);
}
