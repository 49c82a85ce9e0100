import {
  type EngineLockedDetails,
  engineLockedError,
  type SentryConfig,
  type SentryError,
} from '@sentry-git/core';
import { engineLockAdvice } from '@sentry-git/core/internal';

/** Where the running `watch` serves its API, and the bearer token the CLI shows it. */
export interface ServerTarget {
  url: string;
  token: string;
}

/**
 * The token the CLI presents to a running watch's server: `SENTRY_GIT_TOKEN` (an operator's own
 * named token, so the server records who acted), else the admin token (`server.token`, else
 * `SENTRY_GIT_API_TOKEN`), as the watch itself reads it.
 */
export function clientToken(config: SentryConfig, env: NodeJS.ProcessEnv): string | undefined {
  return env.SENTRY_GIT_TOKEN || config.server.token || env.SENTRY_GIT_API_TOKEN || undefined;
}

/**
 * Where the `watch` of this configuration serves its API, when it does: the configured port on
 * loopback (a wildcard bind address is reached through 127.0.0.1), with the CLI's token.
 */
export function serverTarget(config: SentryConfig, env: NodeJS.ProcessEnv): ServerTarget | null {
  const { port, host } = config.server;
  const token = clientToken(config, env);
  if (port === undefined || port === 0 || !token) return null;
  const reachable = host === '0.0.0.0' || host === '::' ? '127.0.0.1' : host;
  return { url: `http://${reachable.includes(':') ? `[${reachable}]` : reachable}:${port}`, token };
}

/** Why a command cannot hand its work to a running watch with this configuration, or null when it can. */
export function handOffProblem(config: SentryConfig, env: NodeJS.ProcessEnv, command: string): string | null {
  const { port } = config.server;
  if (port === undefined || port === 0) {
    return `this configuration sets no server.port, so ${command} cannot find the running watch’s API (a port given only as watch --port is not known to ${command})`;
  }
  if (!clientToken(config, env)) {
    return `server.port is ${port}, but no API token is set (SENTRY_GIT_TOKEN, server.token or SENTRY_GIT_API_TOKEN), so ${command} cannot call the running watch’s API`;
  }
  return null;
}

/**
 * ENGINE_LOCKED as a command that needs the engine says it when it cannot hand off to the
 * running watch: why not, and how to make the watch take the work, before the other ways out.
 */
export function lockedError(
  locked: EngineLockedDetails,
  config: SentryConfig,
  env: NodeJS.ProcessEnv,
  command: string,
): SentryError {
  const problem = handOffProblem(config, env, command);
  const { resource, ...holder } = locked;
  if (!problem || holder.sameProcess || holder.owner !== 'watch')
    return engineLockedError({ resource, holder });
  const [, ...rest] = engineLockAdvice(holder);
  return engineLockedError({
    resource,
    holder,
    advice: [
      `Hand the ${command} to the running watch: ${problem}. Set server.port (e.g. 8080) and server.token (or export SENTRY_GIT_API_TOKEN) in the configuration, restart the watch with it, and run ${command} again: it then goes through the watch.`,
      ...rest,
    ],
  });
}
