import { Writable } from 'node:stream';
import { createLogger, type Redactor } from '@sentry-git/core';
import type { DestinationStream, LevelWithSilent } from 'pino';
import { jobMessageFormat } from './pretty-format.js';

/**
 * pino to stderr, secrets redacted: pretty on a terminal, JSON lines otherwise.
 * `SENTRY_GIT_LOG_FORMAT=pretty|json` overrides the guess (e.g. pretty logs through a pipe);
 * pretty lines show the message only, a job's lines prefixed with `[repository@branch]`;
 * `SENTRY_GIT_LOG_FIELDS=1` adds the structured fields.
 *
 * pino-pretty (and its colour, clone and date helpers) is imported only for pretty output: a
 * watch logging JSON lines, as under a service manager, never needs it and would keep its code
 * for the life of the process.
 *
 * `sink` takes each line instead of stderr: a progress display clears its status line first.
 */
export async function cliLogger(level: LevelWithSilent, redactor: Redactor, sink?: (text: string) => void) {
  const format = process.env.SENTRY_GIT_LOG_FORMAT ?? (process.stderr.isTTY ? 'pretty' : 'json');
  const pretty = format === 'pretty' ? (await import('pino-pretty')).default : undefined;
  const destination =
    pretty !== undefined
      ? pretty({
          destination: sink ? sinkStream(sink) : 2,
          sync: true,
          colorize: process.stderr.isTTY && !process.env.NO_COLOR,
          ignore: 'pid,hostname,name',
          translateTime: 'SYS:HH:MM:ss',
          hideObject: !process.env.SENTRY_GIT_LOG_FIELDS,
          messageFormat: jobMessageFormat,
        })
      : sink
        ? ({ write: (line: string) => sink(line) } satisfies DestinationStream)
        : undefined;
  return createLogger({ level, redactor, ...(destination ? { destination } : {}) });
}

/** A writable stream (what pino-pretty pipes into) that hands each chunk to `sink`. */
function sinkStream(sink: (text: string) => void): Writable {
  return new Writable({
    write(chunk: Buffer | string, _encoding, callback) {
      sink(chunk.toString());
      callback();
    },
  });
}
