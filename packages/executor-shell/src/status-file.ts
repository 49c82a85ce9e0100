import { readFile } from 'node:fs/promises';
import path from 'node:path';

/** How the wrapper ended, as it wrote it to `<jobDir>/status`. */
export type WrapperStatus = { started: true; exitCode: number } | { started: false };

export const STATUS_FILE = 'status';

/** The status the wrapper wrote, or null while it has not written one (still running, or killed). */
export async function readWrapperStatus(jobDir: string): Promise<WrapperStatus | null> {
  const text = await readFile(path.join(jobDir, STATUS_FILE), 'utf8').catch(() => null);
  if (text === null) return null;
  const value = text.trim();
  if (value === 'not-started') return { started: false };
  const exitCode = Number.parseInt(value, 10);
  // Written with a rename, so a partial file is not expected; an odd one counts as unreadable.
  return Number.isInteger(exitCode) && exitCode >= 0 ? { started: true, exitCode } : null;
}
