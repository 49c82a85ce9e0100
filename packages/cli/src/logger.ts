import { type Redactor, createLogger } from '@sentry-git/core';
import type { LevelWithSilent } from 'pino';
import pretty from 'pino-pretty';

/** pino to stderr: pretty on a terminal, JSON lines otherwise; secrets redacted either way. */
export function cliLogger(level: LevelWithSilent, redactor: Redactor) {
  const destination = process.stderr.isTTY
    ? pretty({ destination: 2, sync: true, colorize: true, ignore: 'pid,hostname,name', translateTime: 'SYS:HH:MM:ss' })
    : undefined;
  return createLogger({ level, redactor, ...(destination ? { destination } : {}) });
}
