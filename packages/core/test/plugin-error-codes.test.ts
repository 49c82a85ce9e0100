import { type ErrorCodeInfo, errorClass, errorCodeInfo, isSentryError, SentryError } from '@sentry-git/core';
import { describe, expect, it } from 'vitest';

// What docs/plugins.md shows a plugin author: add a code by declaration merging. `pnpm typecheck`
// compiles this file, so the example keeps compiling.
declare module '@sentry-git/core' {
  interface SentryErrorCodes {
    ACME_QUOTA_EXCEEDED: ErrorCodeInfo;
  }
}

describe('error codes a plugin adds', () => {
  it('compile once declared, and a misspelt code does not', () => {
    const error = new SentryError('ACME_QUOTA_EXCEEDED', 'The ACME deploy quota is used up.', {
      fix: 'Wait for tomorrow or raise the quota.',
    });
    expect(isSentryError(error) && error.code === 'ACME_QUOTA_EXCEEDED').toBe(true);
    // Not in the built-in catalogue: permanent, answered 500 by the server.
    expect(errorClass(error)).toBe('permanent');
    expect(errorCodeInfo(error.code).status).toBe(500);

    // @ts-expect-error: a typo of PROVIDER_UNREACHABLE is no code
    const typo = new SentryError('PROVIDER_UNREACHABL', 'down');
    expect(typo.code).toBe('PROVIDER_UNREACHABL');
    // @ts-expect-error: comparing with a code that does not exist cannot be true
    expect(error.code === 'ACME_QUOTA_EXCEDED').toBe(false);
  });
});
