import { createHash } from 'node:crypto';
import type { Octokit } from '@octokit/rest';
import { createPooledFetch, createRedactor } from '@sentry-git/core';
import { followInsideApiRoot } from '@sentry-git/core/internal';
import type { OctokitLog, ResolvedOptions } from './options.js';

/** What the provider calls: the REST client (the plugins add no methods it uses). */
export type GitHubClient = Octokit;

/**
 * Statuses plugin-retry must not retry: the 4xx answers that will not change by asking again,
 * plus 429, which is a rate limit (the engine waits for the reset instead of burning requests).
 * 304 is below 400 and never retried.
 */
const DO_NOT_RETRY = [400, 401, 403, 404, 410, 422, 429, 451];

/**
 * A fetch whose abort surfaces as an `AbortError`. Node's fetch rejects with the signal's reason,
 * which octokit would wrap as a network error (status 500) and plugin-retry would then retry; an
 * error named AbortError is passed through untouched. The caller rejects with `signal.reason`.
 */
function abortAwareFetch(base: typeof globalThis.fetch): typeof globalThis.fetch {
  return async (input, init) => {
    try {
      return await base(input, init);
    } catch (error) {
      if (init?.signal?.aborted)
        throw Object.assign(new Error('The request was aborted.'), { name: 'AbortError' });
      throw error;
    }
  };
}

function ignore(): void {}

/**
 * Octokit's logger. By default only warnings (deprecations) reach the console: the request-log
 * plugin reports every 304 and 404 through `error`, yet those are normal answers here and real
 * failures reach the caller as SentryErrors. A logger given in the options sees everything, with
 * the token removed (debug lines carry the request headers).
 */
function octokitLog(log: OctokitLog | undefined, token: string | undefined): OctokitLog {
  if (!log) return { debug: ignore, info: ignore, warn: console.warn.bind(console), error: ignore };
  const redactor = createRedactor([token]);
  const clean = (args: unknown[]) => args.map((arg) => redactor.redactValue(arg));
  return {
    debug: (message, ...rest) => log.debug(redactor.redactValue(message), ...clean(rest)),
    info: (message, ...rest) => log.info(redactor.redactValue(message), ...clean(rest)),
    warn: (message, ...rest) => log.warn(redactor.redactValue(message), ...clean(rest)),
    error: (message, ...rest) => log.error(redactor.redactValue(message), ...clean(rest)),
  };
}

export interface ClientRequest {
  baseUrl: string;
  token: string | undefined;
  /** `tokenDigest(token)`, when the caller keeps it (per repository) rather than hashing per call. */
  tokenDigest?: string;
  /**
   * For polls someone asked for (a webhook): a client of its own, so its requests do not wait in
   * the throttling queue behind a scheduled cycle's. Same token, same quota.
   */
  urgent?: boolean;
}

/** The digest a client is keyed by: the token's SHA-256, or '' without one. */
export function tokenDigest(token: string | undefined): string {
  return token ? createHash('sha256').update(token).digest('hex') : '';
}

/**
 * Creates and keeps one octokit per API root and token, so throttling and connections are shared.
 * The first client loads octokit (a dynamic import): registering the provider costs nothing.
 */
export function createClientCache(
  options: ResolvedOptions,
): (request: ClientRequest) => Promise<GitHubClient> {
  const clients = new Map<string, GitHubClient>();
  // Keep-alive pools per host on undici: about a third of fetch's CPU per request
  // (docs/decisions.md, "HTTP transport"). A fetch given in the options is used as it is.
  const fetch = abortAwareFetch(options.fetch ?? createPooledFetch());
  return async ({ baseUrl, token, tokenDigest: digest, urgent }) => {
    // A digest, so the key does not hold the token itself.
    const key = `${baseUrl}\n${digest ?? tokenDigest(token)}${urgent ? '\nurgent' : ''}`;
    let client = clients.get(key);
    if (!client) {
      const { Bottleneck, GitHubOctokit } = await import('./octokit.js');
      // Another call may have created it while the SDK loaded.
      client = clients.get(key);
      if (client) return client;
      client = new GitHubOctokit({
        baseUrl,
        ...(token ? { auth: token } : {}),
        userAgent: options.userAgent,
        // Redirects followed here, so the token never leaves the API root (core's http/redirects.ts).
        request: { fetch: followInsideApiRoot(fetch, baseUrl) },
        log: octokitLog(options.log, token),
        throttle: {
          // plugin-throttling keeps its limiters in module-level groups keyed by this id: without
          // one of its own, every client in the process (any host, any token) would share one
          // limiter of 10 requests in flight and one pace for commit statuses.
          id: `sentry-git ${key}`,
          // Its own limit of requests in flight (plugin-throttling's shared group allows 10). The
          // plugin takes `global` from these options (state.global ?? its group); its types omit it.
          ...({
            global: new Bottleneck.Group({
              id: `sentry-git ${key} global`,
              maxConcurrent: options.maxInFlight,
            }),
          } as object),
          // Never wait inside a call: the error becomes a RateLimitError and the engine polls this
          // repository again after the reset while it keeps polling the others.
          onRateLimit: () => false,
          onSecondaryRateLimit: () => false,
        },
        retry: {
          retries: options.retries,
          retryAfterBaseValue: options.retryBaseMs,
          doNotRetry: DO_NOT_RETRY,
        },
      });
      clients.set(key, client);
    }
    return client;
  };
}
