import { createHash } from 'node:crypto';

/** A fixed namespace so the same job id always maps to the same delivery id (RFC 9562 UUIDv5). */
const DELIVERY_NAMESPACE = Buffer.from('5b0f6c1e8d3a4f7e9c2b1a0d3e4f5a6b', 'hex');

/**
 * The delivery id of a job's event: a UUID, as GitHub's `X-GitHub-Delivery` and GitLab's
 * `X-Gitlab-Event-UUID` are. Derived from the job id rather than random, so a job re-queued
 * after a crash re-sends the same delivery and receivers can recognise the duplicate.
 */
export function deliveryIdFor(jobId: string): string {
  const hash = createHash('sha1').update(DELIVERY_NAMESPACE).update(jobId, 'utf8').digest();
  hash[6] = ((hash[6] ?? 0) & 0x0f) | 0x50;
  hash[8] = ((hash[8] ?? 0) & 0x3f) | 0x80;
  const hex = hash.subarray(0, 16).toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}
