import type { WebhookResult } from '@sentry-git/core';
import { safeEqual } from '@sentry-git/core/internal';

type Headers = Record<string, string | string[] | undefined>;

const ZERO_SHA = /^0+$/;
const OBJECT_ID = /^[0-9a-f]{40}(?:[0-9a-f]{24})?$/;

/** A header by name, whatever its case; the first value when it was sent twice. */
function header(headers: Headers, name: string): string | undefined {
  const wanted = name.toLowerCase();
  for (const [key, value] of Object.entries(headers)) {
    if (key.toLowerCase() !== wanted) continue;
    return Array.isArray(value) ? value[0] : value;
  }
  return undefined;
}

function refused(status: number, reason: string): WebhookResult {
  return { ok: false, status, reason };
}

function commitOf(value: unknown, field: string): string | null | Error {
  if (typeof value !== 'string' || !OBJECT_ID.test(value)) {
    return new Error(`"${field}" is not a commit SHA`);
  }
  return ZERO_SHA.test(value) ? null : value;
}

function stringAt(value: unknown, ...path: string[]): string | undefined {
  let current: unknown = value;
  for (const key of path) {
    if (!current || typeof current !== 'object') return undefined;
    current = (current as Record<string, unknown>)[key];
  }
  return typeof current === 'string' && current !== '' ? current : undefined;
}

/** Which payload an `X-Gitlab-Event` announces: a branch push, a tag push, or something else. */
function kindOf(event: string, body: Record<string, unknown> | undefined): 'push' | 'tag' | 'other' {
  if (event === 'Push Hook') return 'push';
  if (event === 'Tag Push Hook') return 'tag';
  // System hooks carry the same payloads, told apart by object_kind / event_name.
  if (event === 'System Hook' && body) {
    const kind = body.object_kind ?? body.event_name;
    if (kind === 'push') return 'push';
    if (kind === 'tag_push') return 'tag';
  }
  return 'other';
}

/**
 * Parses a GitLab push webhook (`X-Gitlab-Event: Push Hook`, secret in `X-Gitlab-Token`).
 *
 * - With a secret configured, a missing or different `X-Gitlab-Token` → 401.
 * - No `X-Gitlab-Event` → 400 (not a GitLab webhook); a body that is not JSON → 400.
 * - Tag pushes and every other event → 202 with the reason: accepted, nothing to deploy. GitLab
 *   counts 4xx/5xx answers as failures and disables a hook that keeps failing, so events the hook
 *   was (mis)configured to send must not look like failures.
 * - A push: branch from `ref` (`refs/heads/...`), `before`/`after` (all zeros → null: the branch was
 *   created or deleted), and the repository's clone URL `project.git_http_url` (falling back to
 *   the older duplicate `repository.git_http_url`, then `project.http_url` and `project.web_url`).
 */
export function parseGitlabWebhook(
  headers: Headers,
  rawBody: Buffer,
  secret: string | undefined,
): WebhookResult {
  if (secret) {
    const token = header(headers, 'x-gitlab-token');
    if (token === undefined || token === '') {
      return refused(401, 'missing X-Gitlab-Token header: set the secret token of the GitLab webhook');
    }
    if (!safeEqual(token, secret)) {
      return refused(401, 'X-Gitlab-Token does not match the configured webhook secret');
    }
  }
  const event = header(headers, 'x-gitlab-event');
  if (!event) return refused(400, 'not a GitLab webhook: the X-Gitlab-Event header is missing');

  let body: unknown;
  try {
    body = JSON.parse(rawBody.toString('utf8'));
  } catch {
    return refused(400, `the ${event} body is not valid JSON`);
  }
  if (!body || typeof body !== 'object' || Array.isArray(body)) {
    return refused(400, `the ${event} body is not a JSON object`);
  }
  const payload = body as Record<string, unknown>;
  const kind = kindOf(event, payload);
  const ref = typeof payload.ref === 'string' ? payload.ref : undefined;
  if (kind === 'tag')
    return refused(202, `tag push${ref ? ` (${ref})` : ''} ignored: only branch pushes deploy`);
  if (kind === 'other') return refused(202, `"${event}" event ignored: only push events deploy`);

  if (!ref) return refused(400, 'the push payload has no "ref"');
  if (!ref.startsWith('refs/heads/')) {
    return refused(202, `push to ${ref} ignored: only branches (refs/heads/...) deploy`);
  }
  const before = commitOf(payload.before, 'before');
  const after = commitOf(payload.after, 'after');
  if (before instanceof Error) return refused(400, `the push payload's ${before.message}`);
  if (after instanceof Error) return refused(400, `the push payload's ${after.message}`);
  const repoUrl =
    stringAt(payload, 'project', 'git_http_url') ??
    stringAt(payload, 'repository', 'git_http_url') ??
    stringAt(payload, 'project', 'http_url') ??
    stringAt(payload, 'project', 'web_url');
  if (!repoUrl) return refused(400, 'the push payload names no repository URL (project.git_http_url)');
  return { ok: true, push: { repoUrl, branch: ref.slice('refs/heads/'.length), before, after } };
}
