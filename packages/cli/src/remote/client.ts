import { errorMessage, SentryError, type SentryErrorCode } from '@sentry-git/core';
import type { ServerTarget } from './target.js';

/** How long one request (not a stream) may take before the CLI gives up on the server. */
const REQUEST_TIMEOUT_MS = 30_000;

/** The body of every error the server answers (`{ error: { code, message, fix? } }`). */
interface ErrorBody {
  error?: { code?: string; message?: string; fix?: string };
}

/**
 * The running watch's HTTP API (`/api/v1`), as every command that finds one uses it: JSON
 * requests, plain-text and streamed reads, each with the bearer token. A refusal becomes the
 * server's own error (its code, message and fix), so a command fails the same way with or
 * without a watch; `what` names the request in the messages of a refused token or a lost server.
 */
export interface ApiClient {
  readonly url: string;
  json<T>(what: string, method: 'GET' | 'POST', path: string, body?: unknown): Promise<T>;
  /**
   * Opens a streamed response (resolves once the server answered) whose body is read as text
   * chunks, ending with the response; `signal` ends it early.
   */
  stream(what: string, path: string, signal?: AbortSignal): Promise<AsyncIterable<string>>;
}

function unreachable(target: ServerTarget, what: string, error: unknown): SentryError {
  return new SentryError(
    'TRIGGER_FORWARD_FAILED',
    `The sentry-git server at ${target.url} could not be reached for the ${what}: ${errorMessage(error)}.`,
    {
      fix: 'Check that `sentry-git watch` runs with this configuration (server.port), or stop it and run the command again without it.',
    },
  );
}

/** The server's refusal as an error of the same code, with what the CLI user can do about it. */
async function refusal(target: ServerTarget, what: string, response: Response): Promise<SentryError> {
  const text = await response.text().catch(() => '');
  let body: ErrorBody = {};
  try {
    body = JSON.parse(text) as ErrorBody;
  } catch {
    // Not one of sentry-git's answers: reported with the status below.
  }
  const code = body.error?.code;
  const message = body.error?.message ?? (text.trim().slice(0, 200) || response.statusText);
  if (!code) {
    return new SentryError(
      'TRIGGER_FORWARD_FAILED',
      `The server at ${target.url} answered the ${what} with ${response.status} ${response.statusText}: ${message}`,
      { fix: 'Check that server.port names the port of this configuration’s `sentry-git watch`.' },
    );
  }
  if (response.status === 401 || response.status === 403) {
    const fix =
      response.status === 401
        ? 'Set SENTRY_GIT_TOKEN (or server.token / SENTRY_GIT_API_TOKEN) to a token the running watch accepts.'
        : 'Use a token with the admin role for actions: set SENTRY_GIT_TOKEN to one (a read token only reads).';
    // The server's own fix speaks of its configuration; the CLI user's is about the token sent.
    const reason = message.split(' Fix: ')[0];
    return new SentryError(
      code as SentryErrorCode,
      `The running sentry-git server at ${target.url} refused the ${what} (${response.status} ${code}): ${reason}`,
      { fix },
    );
  }
  // The engine's own errors already end with their fix; the server's own ones carry it apart.
  const fix = body.error?.fix && !message.includes('Fix:') ? { fix: body.error.fix } : {};
  return new SentryError(code as SentryErrorCode, message, fix);
}

export function createApiClient(target: ServerTarget): ApiClient {
  async function send(what: string, path: string, init: RequestInit): Promise<Response> {
    let response: Response;
    try {
      response = await fetch(`${target.url}${path}`, {
        ...init,
        headers: { ...init.headers, authorization: `Bearer ${target.token}` },
      });
    } catch (error) {
      throw unreachable(target, what, error);
    }
    if (!response.ok) throw await refusal(target, what, response);
    return response;
  }

  return {
    url: target.url,
    async json<T>(what: string, method: 'GET' | 'POST', path: string, body?: unknown): Promise<T> {
      const response = await send(what, path, {
        method,
        signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
        ...(method === 'POST'
          ? { body: JSON.stringify(body ?? {}), headers: { 'content-type': 'application/json' } }
          : {}),
      });
      return (await response.json()) as T;
    },
    async stream(what: string, path: string, signal?: AbortSignal): Promise<AsyncIterable<string>> {
      const response = await send(what, path, signal ? { signal } : {});
      return textChunks(response, signal, (error) => unreachable(target, what, error));
    },
  };
}

async function* textChunks(
  response: Response,
  signal: AbortSignal | undefined,
  lost: (error: unknown) => Error,
): AsyncIterable<string> {
  if (!response.body) return;
  const decoder = new TextDecoder();
  try {
    for await (const chunk of response.body) {
      const text = decoder.decode(chunk as Uint8Array, { stream: true });
      if (text) yield text;
    }
  } catch (error) {
    if (signal?.aborted) return;
    throw lost(error);
  }
  const rest = decoder.decode();
  if (rest) yield rest;
}

/**
 * Whether a server answers at the target now. A refused or silent port means no watch serves
 * this configuration: the command then works on the state store itself.
 */
export async function serverAnswers(target: ServerTarget): Promise<boolean> {
  try {
    const response = await fetch(`${target.url}/healthz`, { signal: AbortSignal.timeout(2_000) });
    await response.body?.cancel();
    return true;
  } catch {
    return false;
  }
}
