import { type EventPayloadFormat, type Job, SentryError } from '@sentry-git/core';
import { EVENT_PAYLOADS, hmacSha256Hex } from '@sentry-git/core/internal';
import { repositoryCloudEvent } from './cloudevents.js';
import { githubPushPayload } from './github.js';
import { gitlabPushPayload } from './gitlab.js';
import { describeRepository } from './repository.js';
import type { BuildEventRequestOptions, EventRequest } from './types.js';

const USER_AGENT = 'sentry-git';

/** `sha256=<hex>` over the exact body bytes: what Tekton's GitHub interceptor recomputes. */
function githubSignature(secret: string, body: string): string {
  return `sha256=${hmacSha256Hex(secret, body)}`;
}

/**
 * The headers and body of the event for `job`, in the layout the stock interceptor for `format`
 * expects. The body is serialised once here; the signature covers exactly these bytes.
 */
export function buildEventRequest(
  format: EventPayloadFormat,
  job: Job,
  options: BuildEventRequestOptions,
): EventRequest {
  const { secret, deliveryId } = options;
  const now = options.now ?? new Date();
  const repo = describeRepository(job.repoUrl, job.repoType);
  const base = { 'Content-Type': 'application/json', 'User-Agent': USER_AGENT };

  if (format === 'github') {
    const body = JSON.stringify(githubPushPayload(job, repo, now));
    const headers: Record<string, string> = {
      ...base,
      'X-GitHub-Event': 'push',
      'X-GitHub-Delivery': deliveryId,
    };
    if (secret) headers['X-Hub-Signature-256'] = githubSignature(secret, body);
    return { headers, body };
  }

  if (format === 'gitlab') {
    const body = JSON.stringify(gitlabPushPayload(job, repo, now));
    const headers: Record<string, string> = {
      ...base,
      'X-Gitlab-Event': 'Push Hook',
      'X-Gitlab-Event-UUID': deliveryId,
      'Idempotency-Key': deliveryId,
    };
    if (secret) headers['X-Gitlab-Token'] = secret;
    return { headers, body };
  }

  if (format !== 'cloudevents') {
    // Reachable from JavaScript callers and hand-built jobs; the config schema rejects it earlier.
    throw new SentryError(
      'EVENTLISTENER_PAYLOAD_UNKNOWN',
      `Unknown EventListener payload "${String(format)}".`,
      {
        fix: `Set tekton.payload to one of ${EVENT_PAYLOADS.join(', ')}.`,
        path: 'tekton.payload',
      },
    );
  }
  const event = repositoryCloudEvent(job, repo, deliveryId, now);
  const body = JSON.stringify(event.data);
  // RepoSentry always sent X-GitHub-Event: push, and listeners built for it may filter on it.
  const headers: Record<string, string> = { ...base, ...event.attributes, 'X-GitHub-Event': 'push' };
  // Signed like GitHub so a github interceptor in front of the listener can verify it.
  if (secret) headers['X-Hub-Signature-256'] = githubSignature(secret, body);
  return { headers, body };
}
