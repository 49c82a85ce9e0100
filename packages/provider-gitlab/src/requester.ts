import type { Branches } from '@gitbeaker/rest';
import {
  isRetryableStatus,
  isSentryError,
  type RateLimitInfo,
  rateLimitResetAt,
  redactUrl,
} from '@sentry-git/core';
import {
  deadlineSignal,
  insideApiRoot,
  MAX_REDIRECTS,
  REDIRECT_STATUSES,
  readDigested,
  retry,
} from '@sentry-git/core/internal';
import {
  badResponseError,
  type ErrorScope,
  httpError,
  type RequestLabel,
  rateLimitError,
  unreachableError,
} from './errors.js';
import type { ResolvedGitlabOptions } from './options.js';
import { rateLimitOf } from './rate-limit.js';

/*
 * gitbeaker's own requester (43.x) does not fit a poller: it retries 429 and 502 ten times with
 * 0.25 ms to 128 ms pauses (burning quota instead of waiting for the reset), has no per-call abort
 * signal (only a `queryTimeout` per client), and turns an abort into a GitbeakerTimeoutError that
 * loses `signal.reason`. Its documented `requesterFn` option swaps the transport while keeping its
 * endpoint definitions, path encoding and Link-header pagination, so that is what this file is.
 */

type ResourceOptions = ConstructorParameters<typeof Branches>[0];
/** gitbeaker's requester factory type, read off its constructor options. */
export type RequesterFn = NonNullable<ResourceOptions['requesterFn']>;
type ServiceOptions = Parameters<RequesterFn>[0];
type Requester = ReturnType<RequesterFn>;
type RequestOptions = NonNullable<Parameters<Requester['get']>[1]>;

/** Rate-limit knowledge shared by every call of one provider instance. */
export interface RateLimitBook {
  /** Until when a quota (API root + token, see `quotaKey`) is known to be spent. */
  exhausted: Map<string, { resetAt: Date; limit: number | undefined }>;
}

export interface CallContext {
  scope: ErrorScope;
  apiBaseUrl: string;
  /** Which quota the requests spend: GitLab counts per user (token) or, without one, per IP. */
  quotaKey: string;
  signal: AbortSignal;
  options: ResolvedGitlabOptions;
  book: RateLimitBook;
  /** What sends the requests: the provider's keep-alive pools (createPooledFetch). */
  fetch: typeof fetch;
  /** Called with the quota each response reports. */
  onRateLimit(info: RateLimitInfo): void;
}

export interface FormattedResponse {
  /** The parsed JSON; undefined when the body was the one the caller had seen (`unchanged`). */
  body: unknown;
  /** The body's digest, when the request asked for one (see `send`'s `seen`). */
  readonly digest?: string | undefined;
  /** The body had the digest the caller had seen, so it was not parsed. */
  readonly unchanged?: boolean;
  /** The URL asked (before any redirect), for a caller that asks it again (`send`'s `seen.url`). */
  readonly asked?: URL | undefined;
  /** Every header, lower-case names (gitbeaker reads its pagination here); built when first read. */
  readonly headers: Record<string, string>;
  status: number;
  /** One header, read without building `headers`. */
  header(name: string): string | null;
}

/**
 * The answer as gitbeaker expects it. Polls read one header (`Link`), so the record of every
 * header is built only if something reads it: building it per answer (a sorted copy, then an
 * object) showed in the bench profile of unchanged GitLab cycles.
 */
class Formatted implements FormattedResponse {
  readonly #response: Response;
  #headers: Record<string, string> | undefined;

  constructor(
    readonly body: unknown,
    response: Response,
    readonly status = response.status,
    readonly digest?: string,
    readonly unchanged = false,
    readonly asked?: URL,
  ) {
    this.#response = response;
  }

  get headers(): Record<string, string> {
    this.#headers ??= Object.fromEntries(this.#response.headers.entries());
    return this.#headers;
  }

  header(name: string): string | null {
    return this.#response.headers.get(name);
  }
}

function snakeCase(key: string): string {
  return key.replace(/([a-z0-9])([A-Z])/g, '$1_$2').toLowerCase();
}

/** gitbeaker hands over camelCase parameters; GitLab wants snake_case. */
function snakeKeys(value: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(value).map(([key, item]) => [snakeCase(key), item]));
}

export function queryString(params: Record<string, unknown> | undefined): string {
  if (!params) return '';
  const search = new URLSearchParams();
  for (const [key, value] of Object.entries(snakeKeys(params ?? {}))) {
    if (value === undefined || value === null) continue;
    if (Array.isArray(value)) for (const item of value) search.append(`${key}[]`, String(item));
    else search.append(key, String(value));
  }
  return search.toString();
}

/** `endpoint` under the API root with `query` as its query, parsed once (not parsed, then given a search). */
function requestUrl(apiBaseUrl: string, endpoint: string, query: string): URL {
  if (!query) return new URL(endpoint, `${apiBaseUrl}/`);
  if (!/[?#]/.test(endpoint)) return new URL(`${endpoint}?${query}`, `${apiBaseUrl}/`);
  const url = new URL(endpoint, `${apiBaseUrl}/`);
  url.search = query;
  return url;
}

/** A body cut off after the answer began: reported, but not retried like a failed request. */
class BodyLost extends Error {
  constructor(readonly error: Error) {
    super(error.message);
  }
}

function isJson(response: Response): boolean {
  return (response.headers.get('content-type') ?? '').includes('json');
}

function parseBody(text: string, response: Response, label: RequestLabel, context: CallContext): unknown {
  if (!isJson(response)) return text;
  if (text.trim() === '') return null;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    if (!response.ok) return text;
    throw badResponseError(context.scope, label, `the body is not valid JSON: ${text.slice(0, 80)}`);
  }
}

async function readBody(response: Response, label: RequestLabel, context: CallContext): Promise<unknown> {
  if (response.status === 204) return null;
  return parseBody(await response.text(), response, label, context);
}

/** A body read with its digest: parsed unless it is the one `seen` digested. */
async function readDigestedBody(
  response: Response,
  label: RequestLabel,
  context: CallContext,
  seen: string | undefined,
): Promise<{ parsed: unknown; digest: string; unchanged: boolean }> {
  const { digest, text } = await readDigested(response, seen);
  if (text === undefined) return { parsed: undefined, digest, unchanged: true };
  return { parsed: parseBody(text, response, label, context), digest, unchanged: false };
}

/**
 * One request with retries (core's `retry()`): 5xx and network errors back off exponentially
 * (bounded by the signal), a rate limit throws RateLimitError at once, other errors throw the SentryError for
 * their status. Redirects are followed only under the API root, so the token never travels to
 * another host or another path of the same one.
 */
export async function send(
  context: CallContext,
  method: string,
  endpoint: string,
  headers: Record<string, string>,
  options: RequestOptions,
  /** The query, when the caller has it ready (polls ask the same one every cycle); else built from `searchParams`. */
  query = queryString(options.searchParams),
  /**
   * Set to read a 200 JSON answer with its digest (`FormattedResponse.digest`), and leave it
   * unparsed when the digest is `seen.digest` (core's `readDigested`). `seen.url` is the URL
   * the same endpoint and query gave last time (`FormattedResponse.asked`): parsing it again per
   * poll was about 4 % of an unchanged gitlab-regex cycle's busy time in the bench profile.
   */
  seen?: { digest: string | undefined; url?: URL | undefined },
): Promise<FormattedResponse> {
  const { signal, options: settings, scope, book } = context;
  const label: RequestLabel = { method, endpoint };
  const asked = seen?.url ?? requestUrl(context.apiBaseUrl, endpoint, query);
  let url = asked;
  const body =
    options.body && !(options.body instanceof FormData)
      ? JSON.stringify(snakeKeys(options.body as Record<string, unknown>))
      : undefined;
  const requestHeaders = body ? { ...headers, 'content-type': 'application/json' } : headers;

  let redirects = 0;
  return retry(
    async ({ attempt, retriesLeft }) => {
      for (;;) {
        signal.throwIfAborted();
        const spent = book.exhausted.get(context.quotaKey);
        if (spent && spent.resetAt.getTime() > Date.now()) {
          // The last answer said the quota is gone: asking again before the reset only earns a 429.
          throw rateLimitError(scope, label, spent.resetAt, spent.limit);
        }

        // The timeout covers the answer and its body; a redirect starts a new one.
        const deadline = deadlineSignal(signal, settings.requestTimeoutMs);
        try {
          let response: Response;
          try {
            response = await context.fetch(url, {
              method,
              headers: requestHeaders,
              body,
              redirect: 'manual',
              signal: deadline.signal,
            });
          } catch (error) {
            signal.throwIfAborted();
            const reason =
              error instanceof Error ? ((error.cause as Error)?.message ?? error.message) : String(error);
            throw unreachableError(scope, label, `failed after ${attempt} attempts: ${reason}`, error);
          }

          const info = rateLimitOf(response.headers);
          if (info) {
            context.onRateLimit(info);
            if (info.remaining <= 0 && info.resetAt) {
              book.exhausted.set(context.quotaKey, { resetAt: new Date(info.resetAt), limit: info.limit });
            } else book.exhausted.delete(context.quotaKey);
          }

          if (REDIRECT_STATUSES.has(response.status)) {
            await response.body?.cancel();
            const location = response.headers.get('location');
            const next = location ? new URL(location, url) : undefined;
            // The token goes only under the API root: another host, or another path of the same
            // host (`/other/…` beside `/api/v4`), is refused rather than asked.
            if (!next || !insideApiRoot(context.apiBaseUrl, next.href) || redirects >= MAX_REDIRECTS) {
              throw badResponseError(
                scope,
                label,
                `redirected to ${next ? redactUrl(`${next.origin}${next.pathname}`) : 'nowhere'}, outside the API root ${context.apiBaseUrl}; the token is sent only under it, so set monitor.api_base_url to the final API root`,
              );
            }
            // A redirect is no attempt: the same attempt goes on at the new address.
            redirects += 1;
            url = next;
            continue;
          }

          const resetAt = rateLimitResetAt(response.status, response.headers);
          if (resetAt) {
            await response.body?.cancel();
            const limit = info?.limit;
            book.exhausted.set(context.quotaKey, { resetAt, limit });
            throw rateLimitError(scope, label, resetAt, limit);
          }

          if (isRetryableStatus(response.status) && retriesLeft > 0) {
            await response.body?.cancel();
            throw unreachableError(scope, label, `answered ${response.status} ${attempt} times`);
          }

          let parsed: unknown;
          let digest: string | undefined;
          let unchanged = false;
          try {
            if (seen && response.status === 200 && isJson(response)) {
              ({ parsed, digest, unchanged } = await readDigestedBody(response, label, context, seen.digest));
            } else parsed = await readBody(response, label, context);
          } catch (error) {
            signal.throwIfAborted();
            if (isSentryError(error)) throw error;
            // Not retried: the request may have taken effect.
            throw new BodyLost(unreachableError(scope, label, 'stopped answering mid-body', error));
          }
          if (!response.ok) {
            if (isRetryableStatus(response.status)) {
              throw unreachableError(scope, label, `answered ${response.status} ${attempt} times`);
            }
            throw httpError(scope, label, response.status, parsed, response.headers);
          }
          return new Formatted(
            parsed,
            response,
            response.status,
            digest,
            unchanged,
            seen ? asked : undefined,
          );
        } finally {
          deadline.dispose();
        }
      }
    },
    {
      retries: settings.retries,
      baseMs: settings.retryBaseMs,
      maxMs: settings.retryMaxMs,
      signal,
      // PROVIDER_UNREACHABLE (network, 5xx) is transient and retried; a rate limit waits for its
      // reset instead, and the rest is permanent.
    },
  ).catch((error: unknown) => {
    throw error instanceof BodyLost ? error.error : error;
  });
}

/**
 * A gitbeaker `requesterFn` bound to one call: its signal, error scope and quota bookkeeping.
 * Authentication headers come from gitbeaker (`token` → PRIVATE-TOKEN, `oauthToken` → Bearer).
 */
export function createRequesterFn(context: CallContext): RequesterFn {
  return (service: ServiceOptions) => {
    async function headersFor(): Promise<Record<string, string>> {
      const headers: Record<string, string> = { accept: 'application/json', ...service.headers };
      for (const [name, value] of Object.entries(service.authHeaders)) headers[name] = await value();
      return headers;
    }
    function method(name: string) {
      return async (endpoint: string, options: RequestOptions = {}) =>
        send(context, name, endpoint, await headersFor(), options);
    }
    // gitbeaker types each method generically over the body it expects; ours returns the parsed
    // JSON as unknown and the resource methods give it their schema type.
    return {
      get: method('GET'),
      post: method('POST'),
      put: method('PUT'),
      patch: method('PATCH'),
      delete: method('DELETE'),
    } as unknown as Requester;
  };
}
