import { createOutputTail, type ExecutorContext, OUTPUT_TAIL_BYTES } from '@sentry-git/core';

export type OutputStream = 'stdout' | 'stderr' | 'system';

/** Where a job's output goes: the engine (as it arrives; its log subscriber writes it out) and the result's tail. */
export interface OutputSink {
  write(stream: OutputStream, text: string): void;
  /** The last OUTPUT_TAIL_BYTES of everything written. */
  tail(): string;
}

export function createOutputSink(context: ExecutorContext): OutputSink {
  const tail = createOutputTail(OUTPUT_TAIL_BYTES);
  return {
    write(stream, text) {
      tail.push(text);
      context.output(stream, text);
    },
    tail: () => tail.toString(),
  };
}
