import { createRedactor, type ProviderTarget, type RateLimitInfo, type Redactor } from '@sentry-git/core';
import { followInsideApiRoot, type KnownAnswer } from '@sentry-git/core/internal';
import type { Api, HttpResponse } from 'gitea-js';
import { type ResolvedTarget, resolveTarget, segment } from './address.js';
import { type DirectAnswer, directGet } from './direct-get.js';
import { type CallContext, isFailedResponse, toProviderError } from './errors.js';
import type { ResolvedGiteaOptions } from './options.js';
import { readRateLimit } from './rate-limit.js';
import { createTransport } from './transport.js';

/** One provider call against one repository: the client, its signal, and what it learned. */
export interface Session {
  api: Api<unknown>;
  /**
   * A GET of `path` under the API root (`/repos/...`, already encoded) without gitea-js
   * (direct-get.ts); with `seen`, the answer carries its body's digest and is left unparsed
   * when that is `seen.digest`.
   */
  get<T>(path: string, seen?: { digest: string | undefined }): Promise<DirectAnswer<T>>;
  /** What the repository's last answers gave, kept across calls (see `KnownAnswers`). */
  known: KnownAnswers;
  target: ResolvedTarget;
  /** owner and repo, percent-encoded for gitea-js's paths. */
  owner: string;
  repo: string;
  signal: AbortSignal;
  redactor: Redactor;
  /** The last quota an answer reported. */
  rateLimit(): RateLimitInfo | undefined;
  /**
   * Runs one request: failures become SentryErrors naming the repository (or the signal's
   * reason), a reported quota is kept. With `missingIsNull`, a 404 resolves to null.
   */
  call<R extends HttpResponse<unknown>>(action: string, request: () => Promise<R>): Promise<R>;
  call<R extends HttpResponse<unknown>>(
    action: string,
    request: () => Promise<R>,
    options: { missingIsNull: true },
  ): Promise<R | null>;
  context(action: string): CallContext;
}

/** What a call against one repository reuses from the previous ones: address, redactor, client. */
interface Reusable {
  resolved: ResolvedTarget;
  /** owner and repo, percent-encoded once. */
  owner: string;
  repo: string;
  redactor: Redactor;
  api: Api<unknown>;
  /** The fetch gitea-js sends with (token, timeout, retries), for the direct GETs. */
  transport: typeof fetch;
  known: KnownAnswers;
}

/**
 * What the last answers of a repository gave, beside their bodies' digests, so a poll that gets
 * the same bytes again skips parsing and checking them (core's `readDigested`). Only the branch
 * refs are kept: their list is a repository's whole answer to a regex poll, while a branch read
 * by name is about 1 KB, whose parse costs little more than its digest, and whose kept head,
 * digest and key cost memory per watched branch (with them, the bench's 5,000-repository watch
 * peaked at 127.7 MB against 119.2 MB without, one run each).
 */
export interface KnownAnswers {
  refs: KnownAnswer<Map<string, string>> | undefined;
}

/** What repositories with the same API root and token share. */
type Shared = Pick<Reusable, 'redactor' | 'api' | 'transport'>;

/** Opens a call's session against one repository. */
export type SessionOpener = (target: ProviderTarget, signal: AbortSignal) => Promise<Session>;

/**
 * Opens sessions, keeping what does not change between calls: per repository its parsed
 * address, per API root and token the redactor and the gitea-js client with its transport.
 * Building a client per poll showed as 2 % of a poll's CPU in the bench profile, the address
 * and redactor as another 2 %; a heap snapshot at 1,000 repositories then showed a client and
 * a redactor per repository (with its token's RegExp), so those are shared by API root and token.
 * gitea-js is imported on the first session, not when the provider registers.
 */
export function createSessionOpener(options: ResolvedGiteaOptions): SessionOpener {
  // Promises, so calls that arrive together while gitea-js loads share one entry. Found by the
  // repository URL and used while API root and token are the ones it was made for: a key joining
  // all three, hashed per call, showed in the bench profile of unchanged cycles.
  const targets = new Map<
    string,
    { apiBaseUrl: string | undefined; token: string | undefined; reusable: Promise<Reusable> }
  >();
  const clients = new Map<string, Shared>();

  async function clientFor(resolved: ResolvedTarget): Promise<Shared> {
    const key = `${resolved.apiBase}\n${resolved.token ?? ''}`;
    const known = clients.get(key);
    if (known) return known;
    const { Api } = await import('gitea-js');
    const transport = createTransport({
      token: resolved.token,
      // Redirects keep the token only under the API root (core's http/redirects.ts).
      fetch: followInsideApiRoot(options.fetch, resolved.apiBase),
      retries: options.retries,
      retryDelayMs: options.retryDelayMs,
      requestTimeoutMs: options.requestTimeoutMs,
      userAgent: options.userAgent,
    });
    const made = clients.get(key) ?? {
      redactor: createRedactor([resolved.token]),
      api: new Api<unknown>({
        baseUrl: resolved.apiBase,
        baseApiParams: { format: 'json' },
        customFetch: transport,
      }),
      transport,
    };
    clients.set(key, made);
    return made;
  }

  function reuse(target: ProviderTarget): Promise<Reusable> {
    const known = targets.get(target.url);
    if (known && known.apiBaseUrl === target.apiBaseUrl && known.token === target.auth?.token) {
      return known.reusable;
    }
    const resolved = resolveTarget(target);
    const reusable = clientFor(resolved).then((client) => ({
      resolved,
      owner: segment(resolved.owner),
      repo: segment(resolved.repo),
      known: { refs: undefined },
      ...client,
    }));
    const entry = { apiBaseUrl: target.apiBaseUrl, token: target.auth?.token, reusable };
    // A failure (gitea-js failed to load) is not kept: the next call tries again.
    reusable.catch(() => {
      if (targets.get(target.url) === entry) targets.delete(target.url);
    });
    targets.set(target.url, entry);
    return reusable;
  }

  return async (target, signal) => openSession(await reuse(target), signal, options);
}

function openSession(
  { resolved, owner, repo, redactor, api, transport, known }: Reusable,
  signal: AbortSignal,
  options: ResolvedGiteaOptions,
): Session {
  let quota: RateLimitInfo | undefined;

  function context(action: string): CallContext {
    return { target: resolved, action, redactor, attempts: options.retries + 1 };
  }

  function remember(headers: Headers): void {
    quota = readRateLimit(headers) ?? quota;
  }

  async function call<R extends HttpResponse<unknown>>(
    action: string,
    request: () => Promise<R>,
    callOptions: { missingIsNull?: boolean } = {},
  ): Promise<R | null> {
    signal.throwIfAborted();
    try {
      const response = await request();
      // gitea-js reads the body after fetch resolved; an abort then only shows as a missing body.
      signal.throwIfAborted();
      remember(response.headers);
      return response;
    } catch (error) {
      if (isFailedResponse(error)) {
        remember(error.headers);
        if (callOptions.missingIsNull && error.status === 404 && !signal.aborted) return null;
      }
      throw toProviderError(error, context(action), signal);
    }
  }

  return {
    api,
    get: (path, seen) => directGet(transport, `${resolved.apiBase}${path}`, signal, seen),
    known,
    target: resolved,
    owner,
    repo,
    signal,
    redactor,
    rateLimit: () => quota,
    call: call as Session['call'],
    context,
  };
}
