import { mkdirSync, mkdtempSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import path from 'node:path';

/**
 * A fresh directory for one job under `tmpDir`, named after the project so it is recognisable.
 * Synchronous on purpose: it is on the way from a detected change to the job's first command,
 * and two tiny local calls cost microseconds where a thread-pool round trip each waits for the
 * scheduler on a busy machine (docs/decisions.md, "A job's files are prepared synchronously").
 */
export async function createJobDir(tmpDir: string, projectName: string): Promise<string> {
  mkdirSync(tmpDir, { recursive: true });
  // project_name is a DNS label, but the fallback (the repository name) may hold anything.
  const prefix = projectName.replace(/[^A-Za-z0-9._-]+/g, '-').slice(0, 63) || 'job';
  return mkdtempSync(path.join(tmpDir, `${prefix}-`));
}

export async function removeJobDir(dir: string): Promise<void> {
  await rm(dir, { recursive: true, force: true, maxRetries: 2 });
}
