import type { WebhookResult } from '@sentry-git/core';
import { hmacSha256, safeEqual } from '@sentry-git/core/internal';

type Headers = Record<string, string | string[] | undefined>;

/**
 * Gitea signs the raw body with HMAC-SHA256 of the webhook secret and sends it bare hex in
 * `X-Gitea-Signature` (Forgejo also in `X-Forgejo-Signature`, both also in the Gogs header) and
 * GitHub-style as `sha256=<hex>` in `X-Hub-Signature-256`.
 */
const SIGNATURES = [
  { header: 'x-gitea-signature', prefix: '' },
  { header: 'x-forgejo-signature', prefix: '' },
  { header: 'x-gogs-signature', prefix: '' },
  { header: 'x-hub-signature-256', prefix: 'sha256=' },
] as const;
const EVENTS = ['x-gitea-event', 'x-forgejo-event', 'x-gogs-event', 'x-github-event'] as const;
const OBJECT_ID = /^[0-9a-f]{40}(?:[0-9a-f]{24})?$/;
const ZEROS = /^0+$/;

/** A header by lower-case name; a repeated header counts as malformed (`null`). */
function header(headers: Headers, name: string): string | null | undefined {
  for (const [key, value] of Object.entries(headers)) {
    if (key.toLowerCase() !== name) continue;
    if (Array.isArray(value)) return value.length === 1 ? value[0] : null;
    return value;
  }
  return undefined;
}

function display(name: string): string {
  return name.replace(/(^|-)([a-z])/g, (_, dash: string, letter: string) => dash + letter.toUpperCase());
}

/** Every signature header sent must carry the body's HMAC, and at least one must be sent. */
export function verifySignature(headers: Headers, rawBody: Buffer, secret: string): string | null {
  const expected = hmacSha256(secret, rawBody);
  let checked = 0;
  for (const { header: name, prefix } of SIGNATURES) {
    const value = header(headers, name);
    if (value === undefined) continue;
    checked += 1;
    const text = value?.trim() ?? '';
    // Gitea sends its signature headers even for a webhook without a secret, empty.
    if (value !== null && (text === '' || text === prefix)) {
      return `the ${display(name)} header is empty: the webhook on the forge has no secret; set the same secret there`;
    }
    const hex = text.toLowerCase().startsWith(prefix) ? text.slice(prefix.length) : '';
    const given = /^[0-9a-f]{64}$/i.test(hex) ? Buffer.from(hex, 'hex') : null;
    const same = given !== null && safeEqual(given, expected);
    if (!same) return `the ${display(name)} header does not match the body signed with the webhook secret`;
  }
  if (checked === 0) {
    return 'the request is not signed: no X-Gitea-Signature, X-Forgejo-Signature or X-Hub-Signature-256 header (set the same secret on the Gitea webhook)';
  }
  return null;
}

function text(value: unknown): string | undefined {
  return typeof value === 'string' && value !== '' ? value : undefined;
}

/** `clone_url`, else `html_url`, else `ssh_url` of the payload's repository. */
function repositoryUrl(payload: Record<string, unknown>): string | undefined {
  const repo = payload.repository as Record<string, unknown> | null | undefined;
  if (typeof repo !== 'object' || repo === null) return undefined;
  return text(repo.clone_url) ?? text(repo.html_url) ?? text(repo.ssh_url);
}

function commitId(value: unknown): string | null | undefined {
  if (typeof value !== 'string' || !OBJECT_ID.test(value)) return undefined;
  return ZEROS.test(value) ? null : value;
}

/**
 * A Gitea/Forgejo webhook delivery as a branch move. `push` events give before/after (an all-zero
 * SHA, i.e. a created branch or a deleted tag, becomes null). Gitea reports a deleted branch as
 * a `delete` event (`ref_type: branch`, `ref` the short name), never as a push: that becomes a
 * push with both SHAs null. Tags and other events are accepted and ignored (202).
 */
export function parseGiteaWebhook(
  headers: Headers,
  rawBody: Buffer,
  secret: string | undefined,
): WebhookResult {
  if (secret) {
    const problem = verifySignature(headers, rawBody, secret);
    if (problem) return { ok: false, status: 401, reason: problem };
  }
  const event = EVENTS.map((name) => header(headers, name)).find((value) => typeof value === 'string');
  if (!event) {
    return {
      ok: false,
      status: 400,
      reason: 'no X-Gitea-Event header: not a Gitea or Forgejo webhook delivery',
    };
  }
  const kind = event.trim().toLowerCase();
  if (kind !== 'push' && kind !== 'delete') {
    return {
      ok: false,
      status: 202,
      reason: `"${event}" events are ignored: only push and delete move branches`,
    };
  }

  let payload: Record<string, unknown>;
  try {
    payload = JSON.parse(rawBody.toString('utf8')) as Record<string, unknown>;
  } catch (error) {
    return { ok: false, status: 400, reason: `the body is not valid JSON: ${(error as Error).message}` };
  }
  if (typeof payload !== 'object' || payload === null || Array.isArray(payload)) {
    return { ok: false, status: 400, reason: 'the body is not a JSON object' };
  }
  const repoUrl = repositoryUrl(payload);
  if (!repoUrl)
    return { ok: false, status: 400, reason: 'the payload has no repository.clone_url or html_url' };
  const ref = text(payload.ref);
  if (!ref) return { ok: false, status: 400, reason: 'the payload has no ref' };

  if (kind === 'delete') {
    if (payload.ref_type !== 'branch') {
      return {
        ok: false,
        status: 202,
        reason: `deleting the ${String(payload.ref_type)} "${ref}" is ignored: only branches are watched`,
      };
    }
    return {
      ok: true,
      push: { repoUrl, branch: ref.replace(/^refs\/heads\//, ''), before: null, after: null },
    };
  }

  if (ref.startsWith('refs/tags/')) {
    return { ok: false, status: 202, reason: `tag push ${ref} is ignored: only branches are watched` };
  }
  if (!ref.startsWith('refs/heads/')) {
    return {
      ok: false,
      status: 202,
      reason: `push to ${ref} is ignored: only branches (refs/heads/…) are watched`,
    };
  }
  const before = commitId(payload.before);
  const after = commitId(payload.after);
  if (before === undefined || after === undefined) {
    return { ok: false, status: 400, reason: 'the payload has no valid before/after commit ids' };
  }
  return { ok: true, push: { repoUrl, branch: ref.slice('refs/heads/'.length), before, after } };
}
