import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';

export type InterceptorKind = 'github' | 'gitlab' | 'cloudevents';

export interface InterceptorOptions {
  secret?: string;
  /** Event types let through: `X-GitHub-Event` (default `['push']`) or `X-Gitlab-Event` (default `['Push Hook']`). */
  eventTypes?: string[];
}

/** An interceptor's verdict: `reason` says why an event was dropped (worded like Tekton Triggers). */
export interface InterceptorVerdict {
  accepted: boolean;
  reason: string;
}

// The fake re-implements the checks with node:crypto rather than importing the code under
// test, so a signing mistake in the executor cannot be mirrored here and go unnoticed.
function sameSecret(a: Buffer | string, b: Buffer | string): boolean {
  const digest = (value: Buffer | string) => createHash('sha256').update(value).digest();
  return timingSafeEqual(digest(a), digest(b));
}

function header(headers: IncomingHttpHeaders, name: string): string | undefined {
  const value = headers[name.toLowerCase()];
  return Array.isArray(value) ? value[0] : value;
}

const ACCEPT: InterceptorVerdict = { accepted: true, reason: 'accepted' };
const reject = (reason: string): InterceptorVerdict => ({ accepted: false, reason });

/** `X-Hub-Signature-256` must be `sha256=` + hex HMAC-SHA256 of the raw body, compared in constant time. */
function signature(headers: IncomingHttpHeaders, body: Buffer, secret: string): InterceptorVerdict {
  const given = header(headers, 'X-Hub-Signature-256');
  if (!given) return reject('no X-Hub-Signature-256 header set');
  const expected = `sha256=${createHmac('sha256', secret).update(body).digest('hex')}`;
  return sameSecret(given, expected) ? ACCEPT : reject('payload signature check failed');
}

/** Tekton Triggers' GitHub interceptor: event type, then the signature when a secret is set. */
function github(headers: IncomingHttpHeaders, body: Buffer, options: InterceptorOptions): InterceptorVerdict {
  const event = header(headers, 'X-GitHub-Event') ?? '';
  if (!(options.eventTypes ?? ['push']).includes(event)) return reject(`event type ${event} is not allowed`);
  return options.secret === undefined ? ACCEPT : signature(headers, body, options.secret);
}

/** Tekton Triggers' GitLab interceptor: event type, then `X-Gitlab-Token` equal to the secret. */
function gitlab(headers: IncomingHttpHeaders, options: InterceptorOptions): InterceptorVerdict {
  const event = header(headers, 'X-Gitlab-Event') ?? '';
  if (!(options.eventTypes ?? ['Push Hook']).includes(event))
    return reject(`event type ${event} is not allowed`);
  if (options.secret === undefined) return ACCEPT;
  const token = header(headers, 'X-Gitlab-Token');
  if (!token) return reject('no X-GitLab-Token header set');
  return sameSecret(token, options.secret) ? ACCEPT : reject('Invalid X-GitLab-Token');
}

/**
 * A CloudEvents binary-mode check: the four required context attributes as `ce-*` headers;
 * with a secret, the GitHub signature too (a GitHub interceptor chained in front).
 */
function cloudevents(
  headers: IncomingHttpHeaders,
  body: Buffer,
  options: InterceptorOptions,
): InterceptorVerdict {
  for (const name of ['ce-specversion', 'ce-type', 'ce-source', 'ce-id']) {
    if (!header(headers, name)) return reject(`missing CloudEvents header ${name}`);
  }
  return options.secret === undefined ? ACCEPT : signature(headers, body, options.secret);
}

export function intercept(
  kind: InterceptorKind,
  headers: IncomingHttpHeaders,
  body: Buffer,
  options: InterceptorOptions,
): InterceptorVerdict {
  if (kind === 'github') return github(headers, body, options);
  if (kind === 'gitlab') return gitlab(headers, options);
  return cloudevents(headers, body, options);
}
