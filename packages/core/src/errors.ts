import { ERROR_CATALOGUE, type ErrorClass, errorCodeInfo, type SentryErrorCode } from './error-codes.js';

/**
 * Every error sentry-git raises on purpose carries a stable `code` and a message that says what
 * was wrong, where, and how to fix it (semantic-release style). Callers branch on `code`, people
 * read `message`.
 */
export interface SentryErrorOptions {
  /** What to do about it, appended to the message. */
  fix?: string;
  /** Where the problem is: a config key path, a repository name, a plugin name. */
  path?: string;
  /** Structured context for logs and events; must not contain secrets. */
  details?: Record<string, unknown>;
  cause?: unknown;
}

export class SentryError extends Error {
  override readonly name = 'SentryError';
  /** A code of the catalogue (error-codes.ts), or one a plugin added to `SentryErrorCodes`. */
  readonly code: SentryErrorCode;
  readonly fix: string | undefined;
  readonly path: string | undefined;
  readonly details: Record<string, unknown> | undefined;

  constructor(code: SentryErrorCode, message: string, options: SentryErrorOptions = {}) {
    super(options.fix ? `${message} Fix: ${options.fix}` : message, { cause: options.cause });
    this.code = code;
    this.fix = options.fix;
    this.path = options.path;
    this.details = options.details;
  }
}

/** One problem found in a configuration file; `path` is the key path, e.g. `repositories[0].group`. */
export interface ConfigIssue {
  path: string;
  message: string;
}

/** Raised when a configuration is invalid; lists every problem, not only the first. */
export class ConfigError extends SentryError {
  readonly issues: ConfigIssue[];
  readonly file: string | undefined;

  constructor(issues: ConfigIssue[], file?: string) {
    const where = file ? ` in ${file}` : '';
    const lines = issues.map((issue) => `  - ${issue.path || '(root)'}: ${issue.message}`);
    super(
      'CONFIG_INVALID',
      `Invalid configuration${where} (${issues.length} problem${issues.length === 1 ? '' : 's'}):\n${lines.join('\n')}`,
      { details: { file, issues } },
    );
    this.issues = issues;
    this.file = file;
  }
}

/**
 * A forge said "no more requests until `resetAt`" (403/429 with nothing left, or `retry-after`).
 * The engine polls that repository again after the reset and keeps polling the others.
 */
export class RateLimitError extends SentryError {
  readonly resetAt: Date;
  readonly limit: number | undefined;

  constructor(message: string, options: SentryErrorOptions & { resetAt: Date; limit?: number }) {
    super('RATE_LIMITED', message, {
      fix: ERROR_CATALOGUE.RATE_LIMITED.fix,
      ...options,
      details: { ...options.details, resetAt: options.resetAt.toISOString() },
    });
    this.resetAt = options.resetAt;
    this.limit = options.limit;
  }
}

/**
 * Whether trying again can help, by the catalogue's class of the error's code. Anything that is
 * not a SentryError (a bug, an unexpected throw) is `permanent`: retrying it hides the bug.
 */
export function errorClass(error: unknown): ErrorClass {
  return isSentryError(error) ? errorCodeInfo(error.code).class : 'permanent';
}

export function isSentryError(error: unknown): error is SentryError {
  return error instanceof SentryError;
}

/** A printable message for anything thrown. */
export function errorMessage(error: unknown): string {
  if (error instanceof Error) return error.message;
  return String(error);
}
