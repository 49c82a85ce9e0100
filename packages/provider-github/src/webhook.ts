import type { WebhookResult } from '@sentry-git/core';
import { hmacSha256Hex, safeEqual } from '@sentry-git/core/internal';

type Headers = Record<string, string | string[] | undefined>;

const ZERO_SHA = /^0+$/;
const BRANCH_PREFIX = 'refs/heads/';

/** A header by name, whatever its case; the first value when it was sent more than once. */
function headerValue(headers: Headers, name: string): string | undefined {
  const wanted = name.toLowerCase();
  for (const [key, value] of Object.entries(headers)) {
    if (key.toLowerCase() !== wanted || value === undefined) continue;
    return Array.isArray(value) ? value[0] : value;
  }
  return undefined;
}

/** `sha256=` and the hex HMAC-SHA256 of the raw body: the `X-Hub-Signature-256` GitHub sends. */
export function signPayload(secret: string, rawBody: Buffer | string): string {
  return `sha256=${hmacSha256Hex(secret, rawBody)}`;
}

/** Compares a received `X-Hub-Signature-256` with the expected one in constant time. */
export function verifySignature(
  secret: string,
  rawBody: Buffer | string,
  signature: string | undefined,
): boolean {
  if (!signature) return false;
  return safeEqual(signature.trim(), signPayload(secret, rawBody));
}

/**
 * The JSON of a delivery: GitHub sends it as the body (content type application/json) or as the
 * `payload` form field (application/x-www-form-urlencoded), depending on the webhook's setting.
 */
function payloadText(headers: Headers, rawBody: Buffer): string | undefined {
  const text = rawBody.toString('utf8');
  const contentType = headerValue(headers, 'content-type') ?? '';
  if (/application\/x-www-form-urlencoded/i.test(contentType)) {
    return new URLSearchParams(text).get('payload') ?? undefined;
  }
  return text;
}

function sha(value: unknown): string | null {
  return typeof value === 'string' && value !== '' && !ZERO_SHA.test(value) ? value : null;
}

/**
 * A GitHub push delivery: signature first (when a secret is set, nothing is read before it
 * checks out), then the event, the JSON and the ref. Other events are acknowledged with 202 so
 * GitHub records the delivery as received; tag pushes are acknowledged and ignored the same way.
 */
export function parseGitHubWebhook(
  headers: Headers,
  rawBody: Buffer,
  secret: string | undefined,
): WebhookResult {
  if (secret) {
    const signature = headerValue(headers, 'x-hub-signature-256');
    if (!signature) {
      const sha1 = headerValue(headers, 'x-hub-signature')
        ? ' (the SHA-1 X-Hub-Signature is not accepted)'
        : '';
      return { ok: false, status: 401, reason: `missing X-Hub-Signature-256 header${sha1}` };
    }
    if (!verifySignature(secret, rawBody, signature)) {
      return { ok: false, status: 401, reason: 'X-Hub-Signature-256 does not match the body and the secret' };
    }
  }
  const event = headerValue(headers, 'x-github-event');
  if (!event)
    return { ok: false, status: 400, reason: 'missing X-GitHub-Event header: not a GitHub delivery' };
  if (event !== 'push')
    return { ok: false, status: 202, reason: `"${event}" event ignored: only push events deploy` };

  const text = payloadText(headers, rawBody);
  let payload: unknown;
  try {
    payload = JSON.parse(text ?? '');
  } catch {
    return { ok: false, status: 400, reason: 'the push payload is not valid JSON' };
  }
  if (typeof payload !== 'object' || payload === null) {
    return { ok: false, status: 400, reason: 'the push payload is not a JSON object' };
  }
  const push = payload as {
    ref?: unknown;
    before?: unknown;
    after?: unknown;
    repository?: { html_url?: unknown; clone_url?: unknown; url?: unknown };
  };
  if (typeof push.ref !== 'string')
    return { ok: false, status: 400, reason: 'the push payload has no "ref"' };
  if (!push.ref.startsWith(BRANCH_PREFIX)) {
    return { ok: false, status: 202, reason: `push to ${push.ref} ignored: only branch pushes deploy` };
  }
  const repository = push.repository;
  const repoUrl = [repository?.html_url, repository?.clone_url, repository?.url].find(
    (value): value is string => typeof value === 'string' && value !== '',
  );
  if (!repoUrl) return { ok: false, status: 400, reason: 'the push payload names no repository URL' };
  return {
    ok: true,
    push: {
      repoUrl,
      branch: push.ref.slice(BRANCH_PREFIX.length),
      before: sha(push.before),
      after: sha(push.after),
    },
  };
}
