import { SentryError, type SentryErrorCode, type SentryErrorOptions } from '@sentry-git/core';

/** An error that answers a request: the HTTP status, a stable `code` and an actionable message. */
export class HttpError extends SentryError {
  readonly status: number;

  constructor(status: number, code: SentryErrorCode, message: string, options: SentryErrorOptions = {}) {
    super(code, message, options);
    this.status = status;
  }
}

/** The body of every error answer: `{ error: { code, message } }`. */
export interface ErrorBody {
  error: { code: string; message: string };
}

export function errorBody(code: string, message: string): ErrorBody {
  return { error: { code, message } };
}
