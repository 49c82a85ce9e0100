import type { Agent, Dispatcher } from 'undici';
import { type Exchange, exchange } from './exchange.js';
import { dropsBody, MAX_REDIRECTS, plainHeaders, REDIRECT_STATUSES } from './redirect-rules.js';

/**
 * The part of the Fetch API's Response that the providers and their SDKs read (octokit's
 * fetch wrapper, gitea-js, the GitLab requester): status, headers, the URL that answered, the
 * body as text, JSON or bytes, and a way to drop it.
 */
export interface PooledResponse {
  readonly status: number;
  readonly statusText: string;
  readonly ok: boolean;
  readonly redirected: boolean;
  readonly url: string;
  readonly headers: Headers;
  readonly body: { cancel(): Promise<void> } | null;
  /** Whether the body was read or cancelled. */
  readonly bodyUsed: boolean;
  text(): Promise<string>;
  json(): Promise<unknown>;
  arrayBuffer(): Promise<ArrayBuffer>;
  /**
   * The body's bytes as they arrived (the Fetch API's newer `Response.bytes()`), without the copy
   * `arrayBuffer()` makes. Absent when a request went through the global fetch (Node 20's has none).
   */
  bytes?(): Promise<Uint8Array>;
}

export interface PooledFetchOptions {
  /** Connections kept per host at most. @default 128 */
  connections?: number;
  /** How long an idle connection is kept, unless the server says less. @default 10 s */
  keepAliveTimeoutMs?: number;
}

const STATUS_TEXT: Record<number, string> = {
  200: 'OK',
  201: 'Created',
  204: 'No Content',
  304: 'Not Modified',
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  409: 'Conflict',
  422: 'Unprocessable Entity',
  429: 'Too Many Requests',
  500: 'Internal Server Error',
  502: 'Bad Gateway',
  503: 'Service Unavailable',
  504: 'Gateway Timeout',
};

/**
 * The reading side of the Fetch API's Headers over undici's plain object (lower-case names,
 * repeated values joined with ", " as Headers does). Building a real Headers per response (a
 * validated append per header) was 3 % of an unchanged Gitea cycle's CPU in the bench profile;
 * `get` and `has` read undici's object as it is, and the sorted list that iteration needs is
 * built only when something iterates.
 */
class ResponseHeaders {
  readonly #raw: Record<string, string | string[] | undefined>;
  #sorted: Map<string, string> | undefined;

  constructor(raw: Record<string, string | string[] | undefined>) {
    this.#raw = raw;
  }

  // undici's parser lower-cases the names it hands over; callers may ask in any case.
  #lookup(name: string): string | string[] | undefined {
    const value = Object.hasOwn(this.#raw, name) ? this.#raw[name] : undefined;
    if (value !== undefined) return value;
    const lower = name.toLowerCase();
    return lower !== name && Object.hasOwn(this.#raw, lower) ? this.#raw[lower] : undefined;
  }

  #all(): Map<string, string> {
    if (!this.#sorted) {
      this.#sorted = new Map();
      for (const name of Object.keys(this.#raw).sort()) {
        const value = this.#raw[name];
        if (value !== undefined) this.#sorted.set(name, Array.isArray(value) ? value.join(', ') : value);
      }
    }
    return this.#sorted;
  }

  get(name: string): string | null {
    const value = this.#lookup(name);
    if (value === undefined) return null;
    return Array.isArray(value) ? value.join(', ') : value;
  }

  has(name: string): boolean {
    return this.#lookup(name) !== undefined;
  }

  getSetCookie(): string[] {
    const value = this.#raw['set-cookie'];
    if (value === undefined) return [];
    return Array.isArray(value) ? [...value] : [value];
  }

  forEach(callback: (value: string, name: string, headers: this) => void): void {
    for (const [name, value] of this.#all()) callback(value, name, this);
  }

  entries(): IterableIterator<[string, string]> {
    return this.#all().entries();
  }

  keys(): IterableIterator<string> {
    return this.#all().keys();
  }

  values(): IterableIterator<string> {
    return this.#all().values();
  }

  [Symbol.iterator](): IterableIterator<[string, string]> {
    return this.#all().entries();
  }
}

/**
 * The request headers as undici takes them. A plain object is handed over as it is (undici reads
 * names in any case; a copy per request showed in the bench profile of unchanged cycles); a
 * Headers or a list of pairs becomes one.
 */
function requestHeaders(init: RequestInit['headers']): Record<string, string> {
  if (init && !(init instanceof Headers) && !Array.isArray(init)) return init as Record<string, string>;
  return plainHeaders(init);
}

/** A body undici can send as it is; anything else (streams, FormData) goes through fetch. */
function simpleBody(body: RequestInit['body']): body is string | Uint8Array | null | undefined {
  return body === undefined || body === null || typeof body === 'string' || body instanceof Uint8Array;
}

/**
 * One answer. A class rather than an object of closures: its methods live on the prototype, so
 * an answer costs one object and its headers, not five functions and their context.
 */
class PooledAnswer implements PooledResponse {
  readonly status: number;
  readonly statusText: string;
  readonly ok: boolean;
  readonly redirected: boolean;
  readonly url: string;
  // Read-only, as a Response's headers are; typed as Headers for the SDKs that take a Response.
  readonly headers: Headers;
  readonly body: { cancel(): Promise<void> } | null;
  readonly #arriving: Exchange['body'];
  #used = false;

  constructor(answer: Exchange, url: string, redirected: boolean, method: string) {
    const { status } = answer;
    this.status = status;
    this.statusText = STATUS_TEXT[status] ?? '';
    this.ok = status >= 200 && status < 300;
    this.redirected = redirected;
    this.url = url;
    this.headers = new ResponseHeaders(answer.headers) as unknown as Headers;
    this.#arriving = answer.body;
    this.body =
      method === 'HEAD' || status === 204 || status === 304 ? null : { cancel: () => this.#cancel() };
  }

  get bodyUsed(): boolean {
    return this.#used;
  }

  async #cancel(): Promise<void> {
    this.#used = true;
    this.#arriving.discard();
  }

  #take(): Promise<Buffer> {
    if (this.#used) return Promise.reject(new TypeError('Body is unusable: Body has already been read'));
    this.#used = true;
    return this.#arriving.bytes();
  }

  bytes(): Promise<Uint8Array> {
    return this.#take();
  }

  text(): Promise<string> {
    return this.#take().then((bytes) => bytes.toString('utf8'));
  }

  json(): Promise<unknown> {
    return this.#take().then((bytes) => JSON.parse(bytes.toString('utf8')) as unknown);
  }

  arrayBuffer(): Promise<ArrayBuffer> {
    return this.#take().then(
      (bytes) => bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer,
    );
  }
}

/**
 * A `fetch` for API polling on an undici Agent: one keep-alive pool per host, no WHATWG
 * Request/Response/stream objects per request, and no Node stream either: the answer's body is
 * gathered in memory as it arrives (exchange.ts), which suits API answers of a few KB. Measured
 * on the bench machine (docs/decisions.md, "HTTP transport") it costs about a third of the CPU
 * of Node's fetch per request. It follows
 * redirects like fetch (same method for 307/308, GET for the others; `Authorization` dropped
 * when the origin changes) unless `redirect: 'manual'`, honours `signal`, and fails with
 * `TypeError('fetch failed', { cause })` on a network error, as fetch does. Bodies other than a
 * string or bytes, and `redirect: 'error'`, are handed to the global fetch. A signal that aborts
 * while the body is read fails the read with its reason.
 *
 * undici is imported on the first request, so creating one costs nothing.
 */
export function createPooledFetch(options: PooledFetchOptions = {}): typeof fetch {
  let agent: Promise<Agent> | undefined;
  const getAgent = () => {
    agent ??= import('undici').then(
      ({ Agent }) =>
        new Agent({
          connections: options.connections ?? 128,
          keepAliveTimeout: options.keepAliveTimeoutMs ?? 10_000,
          keepAliveMaxTimeout: Math.max(options.keepAliveTimeoutMs ?? 10_000, 60_000),
        }),
    );
    return agent;
  };

  async function pooledFetch(input: string | URL | Request, init: RequestInit = {}): Promise<PooledResponse> {
    if (typeof input !== 'string' && !(input instanceof URL)) return fetch(input, init);
    if (!simpleBody(init.body) || init.redirect === 'error') return fetch(input, init);
    const dispatcher = await getAgent();
    // A URL is read, never changed, so the caller's one is used as it is rather than parsed again.
    let url = typeof input === 'string' ? new URL(input) : input;
    let method = init.method === undefined ? 'GET' : init.method.toUpperCase();
    let body = init.body ?? null;
    let headers = requestHeaders(init.headers);
    const signal = init.signal ?? undefined;
    for (let redirects = 0; ; redirects += 1) {
      signal?.throwIfAborted();
      const href = url.href;
      let answer: Exchange;
      try {
        answer = await exchange(
          dispatcher,
          {
            origin: url.origin,
            path: `${url.pathname}${url.search}`,
            method: method as Dispatcher.HttpMethod,
            headers,
            body,
          },
          signal,
        );
      } catch (error) {
        if (signal?.aborted) throw signal.reason;
        throw new TypeError('fetch failed', { cause: error });
      }
      const location = answer.headers.location;
      if (
        init.redirect === 'manual' ||
        !REDIRECT_STATUSES.has(answer.status) ||
        typeof location !== 'string' ||
        redirects >= MAX_REDIRECTS
      ) {
        return new PooledAnswer(answer, href, redirects > 0, method);
      }
      answer.body.discard();
      const next = new URL(location, url);
      // The caller's headers are not changed: the rules below edit a copy.
      if (redirects === 0) headers = plainHeaders(headers);
      if (next.origin !== url.origin) delete headers.authorization;
      if (dropsBody(answer.status, method, headers)) {
        method = method === 'HEAD' ? 'HEAD' : 'GET';
        body = null;
      }
      url = next;
    }
  }
  return pooledFetch as unknown as typeof fetch;
}
