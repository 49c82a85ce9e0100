import { createLogger, type Redactor } from '@sentry-git/core';
import type { LevelWithSilent } from 'pino';
import pretty from 'pino-pretty';
import { jobMessageFormat } from './pretty-format.js';

/**
 * pino to stderr, secrets redacted: pretty on a terminal, JSON lines otherwise.
 * `SENTRY_GIT_LOG_FORMAT=pretty|json` overrides the guess (e.g. pretty logs through a pipe);
 * pretty lines show the message only, a job's lines prefixed with `[repository@branch]`;
 * `SENTRY_GIT_LOG_FIELDS=1` adds the structured fields.
 */
export function cliLogger(level: LevelWithSilent, redactor: Redactor) {
  const format = process.env.SENTRY_GIT_LOG_FORMAT ?? (process.stderr.isTTY ? 'pretty' : 'json');
  const destination =
    format === 'pretty'
      ? pretty({
          destination: 2,
          sync: true,
          colorize: process.stderr.isTTY && !process.env.NO_COLOR,
          ignore: 'pid,hostname,name',
          translateTime: 'SYS:HH:MM:ss',
          hideObject: !process.env.SENTRY_GIT_LOG_FIELDS,
          messageFormat: jobMessageFormat,
        })
      : undefined;
  return createLogger({ level, redactor, ...(destination ? { destination } : {}) });
}
