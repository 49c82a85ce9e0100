import type { ErrorAnswer } from './api-types.js';

/** An error answer of the API, or a request that got no answer (status 0). */
export class ApiError extends Error {
  readonly status: number;
  readonly code: string;
  readonly fix: string | undefined;

  constructor(status: number, code: string, message: string, fix?: string) {
    super(message);
    this.name = 'ApiError';
    this.status = status;
    this.code = code;
    this.fix = fix;
  }
}

/** What to show for an error: its message, then what to do about it when the server said. */
export function describeError(error: unknown): string {
  if (error instanceof ApiError) return error.fix ? `${error.message} ${error.fix}` : error.message;
  return error instanceof Error ? error.message : String(error);
}

export interface Api {
  readonly token: string | null;
  get<T>(path: string, signal?: AbortSignal): Promise<T>;
  post<T>(path: string, body?: unknown): Promise<T>;
  /** An answer whose body the caller reads as a stream (the event stream, a followed log). */
  open(path: string, options?: { signal?: AbortSignal; headers?: Record<string, string> }): Promise<Response>;
}

async function errorOf(response: Response): Promise<ApiError> {
  const text = await response.text().catch(() => '');
  try {
    const { error } = JSON.parse(text) as ErrorAnswer;
    return new ApiError(response.status, error.code, error.message, error.fix);
  } catch {
    const detail = text.trim().slice(0, 200) || response.statusText;
    return new ApiError(response.status, `HTTP_${response.status}`, `HTTP ${response.status}: ${detail}`);
  }
}

/**
 * Calls the API of the server that serves the console. Paths are relative (`api/v1/...`), so the
 * console works behind a proxy that adds a path prefix. The token goes in the Authorization
 * header only, never in a URL. A 401 anywhere calls `onUnauthorized` (the token was revoked or
 * rotated): the console returns to its login form.
 */
export function createApi(token: string | null, onUnauthorized: (error: ApiError) => void): Api {
  function headers(extra: Record<string, string> = {}): Record<string, string> {
    return token === null ? extra : { ...extra, authorization: `Bearer ${token}` };
  }

  async function send(path: string, init: RequestInit): Promise<Response> {
    let response: Response;
    try {
      response = await fetch(path, { ...init, cache: 'no-store' });
    } catch (error) {
      if (init.signal?.aborted) throw error;
      throw new ApiError(
        0,
        'UNREACHABLE',
        `The server did not answer ${path.split('?')[0]}: ${describeError(error)}.`,
      );
    }
    if (response.ok) return response;
    const error = await errorOf(response);
    if (response.status === 401) onUnauthorized(error);
    throw error;
  }

  return {
    token,
    async get<T>(path: string, signal?: AbortSignal) {
      const response = await send(path, { headers: headers({ accept: 'application/json' }), signal });
      return (await response.json()) as T;
    },
    async post<T>(path: string, body: unknown = {}) {
      const response = await send(path, {
        method: 'POST',
        headers: headers({ accept: 'application/json', 'content-type': 'application/json' }),
        body: JSON.stringify(body),
      });
      return (await response.json()) as T;
    },
    open(path, options = {}) {
      return send(path, { headers: headers(options.headers), signal: options.signal });
    },
  };
}
