import { open } from 'node:fs/promises';
import path from 'node:path';
import { createInterface } from 'node:readline';
import type { Readable } from 'node:stream';
import { errorMessage, SentryError } from '@sentry-git/core';

export interface ExportInput {
  /** The lines, without their line ends, read as they are needed. */
  lines: AsyncIterable<string>;
  /** Names the input in errors: the file, or `stdin`. */
  source: string;
  close(): Promise<void>;
}

/**
 * The lines of `stream`, read once iteration begins: readline starts reading as soon as it is
 * created, and lines read before anyone listens would be lost (the store opens in between).
 */
function linesOf(stream: Readable): AsyncIterable<string> {
  return {
    [Symbol.asyncIterator]: () =>
      createInterface({ input: stream, crlfDelay: Number.POSITIVE_INFINITY })[Symbol.asyncIterator](),
  };
}

/**
 * What `state import` reads: the file `--in` names, or stdin for `-`. A file that cannot be
 * read is refused before any store is opened; so is a terminal on stdin, which would only wait.
 */
export async function openExportInput(name: string): Promise<ExportInput> {
  if (name === '-') {
    if (process.stdin.isTTY) {
      throw new SentryError('INPUT_UNREADABLE', 'Nothing to import: stdin is a terminal, not an export.', {
        fix: 'Pipe an export in (sentry-git state export -c old.yaml | sentry-git state import -c new.yaml), or pass --in FILE.',
      });
    }
    return { lines: linesOf(process.stdin), source: 'stdin', close: async () => undefined };
  }
  const file = path.resolve(name);
  const unreadable = (reason: string) =>
    new SentryError('INPUT_UNREADABLE', `Cannot read ${file}: ${reason}.`, {
      path: file,
      fix: 'Check the path given with --in: a file written by `sentry-git state export`.',
    });
  const handle = await open(file, 'r').catch((error: unknown) => {
    throw unreadable(errorMessage(error));
  });
  if ((await handle.stat()).isDirectory()) {
    await handle.close();
    throw unreadable('it is a folder');
  }
  const stream = handle.createReadStream({ encoding: 'utf8' });
  return {
    lines: linesOf(stream),
    source: file,
    close: async () => {
      stream.destroy();
      await handle.close().catch(() => undefined);
    },
  };
}
