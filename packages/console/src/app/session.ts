import { type Api, ApiError, createApi } from './api.js';
import type { Role, WhoAmI } from './api-types.js';

export interface Session {
  api: Api;
  /**
   * Who the token is. `unknown`: a server without `GET /api/v1/whoami` (no roles): the buttons
   * show, and the server refuses what the token may not do.
   */
  who: { name: string; role: Role | 'unknown' };
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
  let who: Session['who'];
  try {
    who = await probe.get<WhoAmI>('api/v1/whoami');
  } catch (error) {
    if (error instanceof ApiError && error.status === 404) {
      // Whether reading is open cannot be asked: the form asks for a token.
      if (token === null) throw new SignInError(error.message, true);
      who = { name: 'token', role: 'unknown' };
    } else if (error instanceof ApiError && error.status === 401) {
      throw new SignInError(error.message, true);
    } else {
      throw new SignInError(error instanceof Error ? error.message : String(error), false);
    }
  }
  return { api: createApi(token, onUnauthorized), who };
}
