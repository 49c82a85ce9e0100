import { SentryError } from '../errors.js';
import { CONFIG_LIMITS } from './limits.js';

/** A file that cannot be read as a configuration: what is wrong with it, and what to do. */
export function unreadable(file: string, problem: string, fix: string): SentryError {
  return new SentryError('CONFIG_UNREADABLE', `Cannot read ${file}: ${problem}`, { path: file, fix });
}

/** Refuses a configuration or `.env` file over `CONFIG_LIMITS.maxBytes`, before anything parses it. */
export function checkFileSize(file: string, bytes: number): void {
  if (bytes <= CONFIG_LIMITS.maxBytes) return;
  throw unreadable(
    file,
    `it is ${(bytes / 1024 / 1024).toFixed(1)} MB, more than the ${CONFIG_LIMITS.maxBytes / 1024 / 1024} MB a configuration file may be.`,
    'Check that the path names the configuration file.',
  );
}

/** `line 3, column 7`: where an offset into a file's text is, as an editor counts. */
export function lineAndColumn(text: string, offset: number): string {
  const before = text.slice(0, offset);
  const line = before.split('\n').length;
  return `line ${line}, column ${offset - before.lastIndexOf('\n')}`;
}
