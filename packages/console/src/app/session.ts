import { type Api, ApiError, createApi, describeError } from './api.js';
import type { WhoAmI } from './api-types.js';

export interface Session {
  api: Api;
  /** Who the token is (`anonymous`: no token, on a server that has none configured). */
  who: WhoAmI;
}

/** Why a token was not let in: a refusal (401) or no answer at all. */
export class SignInError extends Error {
  readonly refused: boolean;

  constructor(message: string, refused: boolean) {
    super(message);
    this.name = 'SignInError';
    this.refused = refused;
  }
}

/**
 * Asks the server who `token` is (null: no token, which a server without any token configured
 * lets read). Resolves with a session whose API calls `onUnauthorized` on any later 401.
 */
export async function openSession(
  token: string | null,
  onUnauthorized: (error: ApiError) => void,
): Promise<Session> {
  const probe = createApi(token, () => undefined);
  try {
    const who = await probe.get<WhoAmI>('api/v1/whoami');
    return { api: createApi(token, onUnauthorized), who };
  } catch (error) {
    const refused = error instanceof ApiError && error.status === 401;
    throw new SignInError(describeError(error), refused);
  }
}
