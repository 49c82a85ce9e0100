import { type FSWatcher, watch } from 'node:fs';
import { type FileHandle, open } from 'node:fs/promises';
import { StringDecoder } from 'node:string_decoder';

const CHUNK_BYTES = 64 * 1024;

export interface FileTail {
  /** Reads what was appended since the last read (reads are queued, never concurrent). */
  poll(): Promise<void>;
  /** Reads to the end of the file once more and closes it; the writer must be done. */
  drain(): Promise<void>;
}

/**
 * Follows a file another process appends to (a job's output), handing new text to `onText`
 * decoded as UTF-8 (a character cut by a read waits for its other bytes). A file that does not
 * exist yet reads as empty.
 */
export function tailFile(file: string, onText: (text: string) => void): FileTail {
  const decoder = new StringDecoder('utf8');
  const buffer = Buffer.alloc(CHUNK_BYTES);
  let handle: FileHandle | undefined;
  let offset = 0;
  let queue: Promise<void> = Promise.resolve();

  async function readNew(): Promise<void> {
    handle ??= await open(file, 'r').catch(() => undefined);
    if (!handle) return;
    for (;;) {
      const { bytesRead } = await handle.read(buffer, 0, CHUNK_BYTES, offset);
      if (bytesRead === 0) return;
      offset += bytesRead;
      const text = decoder.write(buffer.subarray(0, bytesRead));
      if (text) onText(text);
    }
  }

  // A read that fails (the directory removed under us) loses output, never the job's result.
  function enqueue(step: () => Promise<void>): Promise<void> {
    queue = queue.then(step, step).catch(() => {});
    return queue;
  }

  return {
    poll: () => enqueue(readNew),
    drain: () =>
      enqueue(async () => {
        await readNew();
        const rest = decoder.end();
        if (rest) onText(rest);
        await handle?.close();
        handle = undefined;
      }),
  };
}

/**
 * Calls `onChange` when something in `dir` changes (fs.watch), and every `intervalMs` besides:
 * fs.watch may miss events (network file systems) or be unavailable (inotify limits).
 */
export function watchDir(dir: string, onChange: () => void, intervalMs: number): { close(): void } {
  let watcher: FSWatcher | undefined;
  try {
    watcher = watch(dir, { persistent: false }, () => onChange());
    watcher.on('error', () => watcher?.close());
  } catch {
    watcher = undefined;
  }
  const timer = setInterval(onChange, intervalMs);
  return {
    close() {
      clearInterval(timer);
      watcher?.close();
    },
  };
}
