import { createRedactor, type ProviderTarget, type RateLimitInfo, type Redactor } from '@sentry-git/core';
import type { Api, HttpResponse } from 'gitea-js';
import { type ResolvedTarget, resolveTarget, segment } from './address.js';
import { type CallContext, isFailedResponse, toProviderError } from './errors.js';
import type { ResolvedGiteaOptions } from './options.js';
import { readRateLimit } from './rate-limit.js';
import { createTransport } from './transport.js';

/** One provider call against one repository: the client, its signal, and what it learned. */
export interface Session {
  api: Api<unknown>;
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
  call<T>(action: string, request: () => Promise<HttpResponse<T>>): Promise<HttpResponse<T>>;
  call<T>(
    action: string,
    request: () => Promise<HttpResponse<T>>,
    options: { missingIsNull: true },
  ): Promise<HttpResponse<T> | null>;
  context(action: string): CallContext;
}

/** Opens a call's session; gitea-js is imported on the first one, not when the provider registers. */
export async function openSession(
  target: ProviderTarget,
  signal: AbortSignal,
  options: ResolvedGiteaOptions,
): Promise<Session> {
  const { Api } = await import('gitea-js');
  const resolved = resolveTarget(target);
  const redactor = createRedactor([resolved.token]);
  let quota: RateLimitInfo | undefined;
  const api = new Api<unknown>({
    baseUrl: resolved.apiBase,
    baseApiParams: { format: 'json' },
    customFetch: createTransport({
      token: resolved.token,
      fetch: options.fetch,
      retries: options.retries,
      retryDelayMs: options.retryDelayMs,
      requestTimeoutMs: options.requestTimeoutMs,
      userAgent: options.userAgent,
    }),
  });

  function context(action: string): CallContext {
    return { target: resolved, action, redactor, attempts: options.retries + 1 };
  }

  function remember(headers: Headers): void {
    quota = readRateLimit(headers) ?? quota;
  }

  async function call<T>(
    action: string,
    request: () => Promise<HttpResponse<T>>,
    callOptions: { missingIsNull?: boolean } = {},
  ): Promise<HttpResponse<T> | null> {
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
    target: resolved,
    owner: segment(resolved.owner),
    repo: segment(resolved.repo),
    signal,
    redactor,
    rateLimit: () => quota,
    call: call as Session['call'],
    context,
  };
}
