import { safeEqual } from '@sentry-git/core/internal';
import { HttpError } from './http-error.js';
import { TOKEN_ENV } from './options.js';

/**
 * Checks `Authorization: Bearer <token>` against the configured token in constant time. No token
 * configured refuses every request (403): an open trigger endpoint would let anyone deploy.
 */
export function assertBearer(header: string | undefined, token: string | undefined): void {
  if (token === undefined) {
    throw new HttpError(
      403,
      'TRIGGER_DISABLED',
      'Triggering over HTTP is disabled: no API token is configured.',
      {
        fix: `Set server.token in the configuration or the ${TOKEN_ENV} environment variable, and send it as "Authorization: Bearer <token>".`,
      },
    );
  }
  const match = /^Bearer[ \t]+(\S+)[ \t]*$/i.exec(header ?? '');
  if (!match) {
    throw new HttpError(401, 'UNAUTHORIZED', 'Missing bearer token.', {
      fix: 'Send the configured API token as "Authorization: Bearer <token>".',
    });
  }
  if (!safeEqual(match[1]!, token)) {
    throw new HttpError(401, 'UNAUTHORIZED', 'The bearer token is not the configured API token.', {
      fix: `Send server.token (or ${TOKEN_ENV}) as "Authorization: Bearer <token>".`,
    });
  }
}
