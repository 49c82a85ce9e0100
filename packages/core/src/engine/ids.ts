import { randomUUID } from 'node:crypto';
import type { JobSpec } from '../types.js';

/** Run and job ids: time-ordered prefix (readable in listings) plus randomness. */
export function newId(prefix: 'run' | 'job'): string {
  const time = Date.now().toString(36).padStart(9, '0');
  return `${prefix}_${time}${randomUUID().replaceAll('-', '').slice(0, 10)}`;
}

/** A job to queue: one repository branch at one SHA, with a fresh id. */
export function jobSpec(
  repository: string,
  branch: string,
  sha: string,
  previousSha: string | null,
): JobSpec {
  return { id: newId('job'), repository, branch, sha, previousSha };
}
