import { randomUUID } from 'node:crypto';

/** Run and job ids: time-ordered prefix (readable in listings) plus randomness. */
export function newId(prefix: 'run' | 'job'): string {
  const time = Date.now().toString(36).padStart(9, '0');
  return `${prefix}_${time}${randomUUID().replaceAll('-', '').slice(0, 10)}`;
}
