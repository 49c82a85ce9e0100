import { SentryError } from '@sentry-git/core';

export interface PostgresStateStoreOptions {
  /**
   * The connection string (`postgres://user:password@host:5432/database`; a unix socket as
   * `postgres://user@/database?host=/run/postgresql`). The password is never printed.
   * @default none (required)
   */
  url: string;
  /**
   * Connections the store keeps open at most (one more is held while it owns the engine lock).
   * @default 10
   */
  poolSize?: number;
}

export interface ResolvedPostgresOptions {
  url: string;
  poolSize: number;
  /** The URL without its password, for messages. */
  where: string;
}

/**
 * The URL as messages name it: user, host, port, database and a unix socket's folder, never the
 * password. Parsed by hand: a socket URL (`postgres://user@/db?host=/run/postgresql`) has an empty
 * host, which the WHATWG URL parser refuses for this scheme.
 */
export function describeUrl(url: string): string {
  const match = /^(postgres(?:ql)?:\/\/)(?:([^@/?#]*)@)?([^/?#]*)(\/[^?#]*)?(?:\?([^#]*))?/.exec(url);
  if (!match) return 'the configured PostgreSQL URL';
  const [, scheme, userinfo, host = '', database = '', query = ''] = match;
  const user = userinfo === undefined ? '' : `${userinfo.split(':')[0]}@`;
  const socket = new URLSearchParams(query).get('host');
  return `${scheme}${user}${host}${database}${socket ? `?host=${socket}` : ''}`;
}

export function resolveOptions(options: PostgresStateStoreOptions | undefined): ResolvedPostgresOptions {
  const url = options?.url;
  if (typeof url !== 'string' || url.trim() === '') {
    throw new SentryError('STATE_OPTION_MISSING', 'The PostgreSQL state store needs the `url` option.', {
      fix: 'Set `state.url` in the configuration to a postgres:// connection URL, e.g. `url: ${DATABASE_URL}` (or pass the `url` option).',
      path: 'url',
    });
  }
  if (!/^postgres(?:ql)?:\/\//.test(url)) {
    throw new SentryError(
      'STATE_OPTION_INVALID',
      `The PostgreSQL state store's url is not a postgres:// URL: ${describeUrl(url)}.`,
      {
        fix: 'Write a postgres:// (or postgresql://) connection URL: user, password, host, port and database.',
        path: 'url',
      },
    );
  }
  const poolSize = options?.poolSize ?? 10;
  if (!Number.isInteger(poolSize) || poolSize < 1) {
    throw new SentryError(
      'STATE_OPTION_INVALID',
      `The PostgreSQL state store's poolSize must be a whole number ≥ 1, not ${String(poolSize)}.`,
      {
        fix: 'Leave it out (10), or set a whole number of connections such as 10.',
        path: 'poolSize',
      },
    );
  }
  return { url, poolSize, where: describeUrl(url) };
}
