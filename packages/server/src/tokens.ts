import { type ApiTokenConfig, SentryError } from '@sentry-git/core';
import { safeEqual } from '@sentry-git/core/internal';

/** What a token may do: `admin` reads and acts, `read` only reads; `anonymous` sent none. */
export type Role = 'admin' | 'read' | 'anonymous';

/** Who a request is: the token's name (recorded as who acted) and its role. */
export interface Actor {
  name: string;
  role: Role;
}

/** A configured token: `server.token` (named admin), `server.read_token` (read) or a named one. */
export type TokenEntry = ApiTokenConfig;

/** The environment variables that hold the admin and the read token when the configuration has none. */
export const TOKEN_ENV = 'SENTRY_GIT_API_TOKEN';
export const READ_TOKEN_ENV = 'SENTRY_GIT_READ_TOKEN';

export const ANONYMOUS: Actor = Object.freeze({ name: 'anonymous', role: 'anonymous' });

/** The tokens a server accepts. */
export interface TokenBook {
  /** Some token is configured: every protected route needs one. */
  readonly configured: boolean;
  /** Some admin token is configured: actions can be allowed at all. */
  readonly hasAdmin: boolean;
  /** The actor a presented token belongs to; undefined for none of them. */
  identify(token: string): Actor | undefined;
}

/**
 * Builds the book, refusing a name given twice or a token value under two names (which one acted
 * could not be told).
 * Every entry is compared for each request, in constant time, whichever matches: how long a
 * check takes says nothing about which token (or how much of one) was right.
 */
export function createTokenBook(entries: readonly TokenEntry[]): TokenBook {
  entries.forEach((entry, index) => {
    if (entries.findIndex((other) => other.name === entry.name) !== index) {
      throw new SentryError('SERVER_OPTIONS_INVALID', `createServer: two tokens are named "${entry.name}".`, {
        fix: `give each token its own name: it is recorded as who acted ("admin" and "read" are server.token's and server.read_token's, ${TOKEN_ENV}'s and ${READ_TOKEN_ENV}'s).`,
        path: 'tokens',
      });
    }
    const first = entries.findIndex((other) => other.token === entry.token);
    if (first !== index) {
      throw new SentryError(
        'SERVER_OPTIONS_INVALID',
        `createServer: the tokens "${entries[first]!.name}" and "${entry.name}" have the same value.`,
        {
          fix: `give each its own value (${TOKEN_ENV} and ${READ_TOKEN_ENV} count as "admin" and "read").`,
          path: 'tokens',
        },
      );
    }
  });
  const book = entries.map((entry) => ({
    token: entry.token,
    actor: { name: entry.name, role: entry.role },
  }));
  return {
    configured: book.length > 0,
    hasAdmin: book.some((entry) => entry.actor.role === 'admin'),
    identify(token) {
      let found: Actor | undefined;
      for (const entry of book) {
        if (safeEqual(token, entry.token)) found ??= entry.actor;
      }
      return found;
    },
  };
}
