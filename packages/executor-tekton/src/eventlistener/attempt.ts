/** One POST's result: an answer (any status), or why none came. */
export type AttemptOutcome =
  | { kind: 'answered'; status: number; headers: Headers; text: string }
  | { kind: 'failed'; reason: string };

export interface AttemptRequest {
  fetch: typeof fetch;
  url: string;
  headers: Record<string, string>;
  body: string;
  signal: AbortSignal;
  timeoutMs: number;
}

/** `ECONNREFUSED: connect ECONNREFUSED 127.0.0.1:1` from undici's `TypeError: fetch failed`. */
function describeFailure(error: unknown): string {
  const cause = error instanceof Error ? error.cause : undefined;
  if (cause instanceof Error) {
    const code = (cause as Error & { code?: unknown }).code;
    return typeof code === 'string' && !cause.message.includes(code)
      ? `${code}: ${cause.message}`
      : cause.message;
  }
  return error instanceof Error ? error.message : String(error);
}

/**
 * POSTs once. The job's abort propagates (its reason is thrown); a connection failure, a reset
 * while reading the answer, or no answer within `timeoutMs` is returned as `failed` so the
 * caller can retry.
 */
export async function attempt(request: AttemptRequest): Promise<AttemptOutcome> {
  const timeout = AbortSignal.timeout(request.timeoutMs);
  try {
    const response = await request.fetch(request.url, {
      method: 'POST',
      headers: request.headers,
      body: request.body,
      signal: AbortSignal.any([request.signal, timeout]),
      // A 301/302 would turn the POST into a GET without the event: report it instead.
      redirect: 'manual',
    });
    const text = await response.text();
    return { kind: 'answered', status: response.status, headers: response.headers, text };
  } catch (error) {
    if (request.signal.aborted) throw request.signal.reason;
    if (timeout.aborted) return { kind: 'failed', reason: `no answer within ${request.timeoutMs / 1000}s` };
    return { kind: 'failed', reason: describeFailure(error) };
  }
}
