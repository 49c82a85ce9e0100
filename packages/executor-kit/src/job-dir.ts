import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import path from 'node:path';

/** A fresh directory for one job under `tmpDir`, named after the project so it is recognisable. */
export async function createJobDir(tmpDir: string, projectName: string): Promise<string> {
  await mkdir(tmpDir, { recursive: true });
  // project_name is a DNS label, but the fallback (the repository name) may hold anything.
  const prefix = projectName.replace(/[^A-Za-z0-9._-]+/g, '-').slice(0, 63) || 'job';
  return mkdtemp(path.join(tmpDir, `${prefix}-`));
}

export async function removeJobDir(dir: string): Promise<void> {
  await rm(dir, { recursive: true, force: true, maxRetries: 2 });
}
