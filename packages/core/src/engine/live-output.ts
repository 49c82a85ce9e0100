/**
 * The output of the jobs running here while they run. Each keeps its tail in memory (what
 * `followJob` starts from for a job of this engine) and saves it, redacted, to the store about
 * every second while it grows, so that `followJob` on another replica, or a CLI reading the store,
 * sees a running job's output too. The final output is the runner's to record: `close()` stops
 * saving (and waits for a save in flight) before it does.
 */
import { createOutputTail } from '../abort.js';
import { errorMessage } from '../errors.js';
import type { Logger } from '../interfaces/executor.js';
import type { Redactor } from '../redact.js';
import { timerDelay } from '../timer-delay.js';
import { OUTPUT_TAIL_BYTES } from '../types.js';

/** How long new output may wait before the tail is saved to the store. */
export const OUTPUT_SAVE_MS = 1000;

export interface LiveOutput {
  push(text: string): void;
  /** The tail so far, as the executor wrote it (not redacted). */
  toString(): string;
  /** Stops saving; resolves once no save is in flight. */
  close(): Promise<void>;
}

export interface LiveOutputs {
  /** Starts keeping a job's output; `save` writes the redacted tail to the store. */
  open(jobId: string, save: (output: string) => Promise<void>, log: Logger): LiveOutput;
  /** The redacted tail so far of a job running here; undefined when none runs here under that id. */
  tail(jobId: string): string | undefined;
}

/** As the store keeps output: redacted, NUL characters (binary output) as U+FFFD (PostgreSQL text cannot hold them). */
export function storableOutput(redactor: Redactor, text: string): string {
  return redactor.redact(text).replaceAll('\0', '\uFFFD');
}

export function createLiveOutputs(redactor: Redactor, saveMs = OUTPUT_SAVE_MS): LiveOutputs {
  const live = new Map<string, LiveOutput>();

  function open(jobId: string, save: (output: string) => Promise<void>, log: Logger): LiveOutput {
    const tail = createOutputTail(OUTPUT_TAIL_BYTES);
    let timer: NodeJS.Timeout | undefined;
    let saving: Promise<void> | undefined;
    let dirty = false;
    let closed = false;
    let warned = false;

    function schedule(): void {
      if (closed || timer || saving || !dirty) return;
      timer = setTimeout(flush, timerDelay(saveMs));
    }

    function flush(): void {
      timer = undefined;
      dirty = false;
      saving = save(storableOutput(redactor, tail.toString()))
        .catch((error: unknown) => {
          // The job goes on; its final output is recorded when it ends.
          if (!warned)
            log.warn(
              { error: errorMessage(error) },
              `could not save the job's output so far: ${errorMessage(error)}`,
            );
          warned = true;
        })
        .finally(() => {
          saving = undefined;
          schedule();
        });
    }

    const output: LiveOutput = {
      push(text) {
        tail.push(text);
        dirty = true;
        schedule();
      },
      toString: () => tail.toString(),
      async close() {
        closed = true;
        clearTimeout(timer);
        timer = undefined;
        if (live.get(jobId) === output) live.delete(jobId);
        await saving;
      },
    };
    live.set(jobId, output);
    return output;
  }

  return {
    open,
    tail(jobId) {
      const output = live.get(jobId);
      return output === undefined ? undefined : storableOutput(redactor, output.toString());
    },
  };
}
