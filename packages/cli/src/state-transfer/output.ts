import { existsSync } from 'node:fs';
import { link, open, rename, unlink } from 'node:fs/promises';
import path from 'node:path';
import { errorMessage, SentryError } from '@sentry-git/core';

/** Where `state export` writes: written in pieces, then committed or abandoned. */
export interface ExportSink {
  write(text: string): Promise<void>;
  /** Everything is written: flush it, and (a file) put it in place. */
  commit(): Promise<void>;
  /** The export failed: leave nothing that looks complete. */
  abort(): Promise<void>;
}

/** Lines are gathered into pieces of this size: one write per line would be a system call per record. */
const CHUNK_CHARS = 64 * 1024;

function buffered(writeChunk: (chunk: string) => Promise<void>) {
  let pending: string[] = [];
  let size = 0;
  const flush = async () => {
    if (size === 0) return;
    const chunk = pending.join('');
    pending = [];
    size = 0;
    await writeChunk(chunk);
  };
  return {
    async write(text: string) {
      pending.push(text);
      size += text.length;
      if (size >= CHUNK_CHARS) await flush();
    },
    flush,
  };
}

function stdoutClosed(error: Error): SentryError {
  return new SentryError(
    'OUTPUT_UNWRITABLE',
    `Cannot write the export to stdout: ${errorMessage(error)} (the command reading it stopped).`,
    { fix: 'See why the reading command stopped (its error is above), or write to a file with --out FILE.' },
  );
}

/** stdout, honouring back-pressure (a slow `state import` at the other end of a pipe). */
export function stdoutSink(): ExportSink {
  const out = process.stdout;
  let failed: Error | undefined;
  // A reader that goes away (EPIPE) is an error event; without a listener it would end the process.
  out.on('error', (error: Error) => {
    failed = error;
  });
  const written = (chunk: string) =>
    new Promise<void>((resolve, reject) => {
      if (failed) {
        reject(stdoutClosed(failed));
        return;
      }
      out.write(chunk, (error) => (error ? reject(stdoutClosed(error)) : resolve()));
    });
  const buffer = buffered(written);
  return { write: buffer.write, commit: buffer.flush, abort: async () => undefined };
}

/**
 * A file, complete or absent: the export goes to a temporary file beside it (readable by its owner
 * only, as it holds run output), synced, then put in place in one step. Without `force` an
 * existing file is refused before anything is read, and again at the end (a file that appeared
 * meanwhile is not overwritten).
 */
export async function fileSink(file: string, force: boolean): Promise<ExportSink> {
  const exists = () =>
    new SentryError('OUTPUT_EXISTS', `${file} already exists; it was left unchanged.`, {
      path: file,
      fix: 'Pass --force to overwrite it, or choose another --out file.',
    });
  if (!force && existsSync(file)) throw exists();
  const temporary = path.join(path.dirname(file), `.${path.basename(file)}.${process.pid}.partial`);
  const handle = await open(temporary, 'wx', 0o600).catch((error: unknown) => {
    throw new SentryError('OUTPUT_UNWRITABLE', `Cannot write ${file}: ${errorMessage(error)}.`, {
      path: file,
      fix: 'Check that its folder exists and is writable.',
    });
  });
  const buffer = buffered(async (chunk) => {
    await handle.write(chunk);
  });
  return {
    write: buffer.write,
    async commit() {
      await buffer.flush();
      await handle.sync();
      await handle.close();
      if (force) {
        await rename(temporary, file);
        return;
      }
      // link() refuses an existing name: "put in place unless taken" in one step.
      try {
        await link(temporary, file);
      } catch (error) {
        await unlink(temporary);
        if ((error as NodeJS.ErrnoException).code === 'EEXIST') throw exists();
        throw error;
      }
      await unlink(temporary);
    },
    async abort() {
      await handle.close().catch(() => undefined);
      await unlink(temporary).catch(() => undefined);
    },
  };
}
