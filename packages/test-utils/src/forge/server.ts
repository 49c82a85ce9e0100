import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** One request a fake forge received, as tests assert on it. */
export interface RecordedRequest {
  method: string;
  /** Path without the query string, still URL-encoded as sent. */
  path: string;
  query: URLSearchParams;
  headers: Record<string, string | string[] | undefined>;
  body: string;
  status: number;
  /** The route that answered, or null when none matched (the server answered 404). */
  route: string | null;
}

/** A fault to answer instead of the real response, for the next matching requests. */
export interface Fault {
  status: number;
  headers?: Record<string, string>;
  body?: unknown;
  /** How many requests it answers. @default 1 */
  times?: number;
  /** Only requests whose path matches. @default every request */
  path?: RegExp;
  /** Only requests with this method. @default every method */
  method?: string;
  /** Drop the connection instead of answering. */
  reset?: boolean;
}

export interface RouteContext {
  req: IncomingMessage;
  params: Record<string, string>;
  query: URLSearchParams;
  body: string;
  /** The body's exact bytes (what a signature covers). */
  rawBody: Buffer;
  /** The server's own base URL (for Link headers and *_url fields). */
  baseUrl: string;
}

export interface RouteResponse {
  status: number;
  headers?: Record<string, string>;
  body?: unknown;
  /**
   * Keeps the response open and hands it over (a watch stream): the status and headers are
   * already sent; the callback writes the body and ends it when it wants.
   */
  stream?: (res: ServerResponse) => void;
}

export interface Route {
  name: string;
  method: string;
  /** Matched against the raw (still encoded) path; named groups become params (decoded). */
  pattern: RegExp;
  handle(context: RouteContext): Promise<RouteResponse> | RouteResponse;
}

export interface FakeServer {
  url: string;
  requests: RecordedRequest[];
  /** Requests no route answered: a test should expect this to stay empty. */
  unexpected(): RecordedRequest[];
  /** Queue a fault (5xx, 429, 401, a dropped connection) for the next matching requests. */
  fault(fault: Fault): void;
  /** Delay every answer by this many milliseconds (a round trip to a far host). */
  setLatency(ms: number): void;
  close(): Promise<void>;
}

function send(res: ServerResponse, response: RouteResponse): void {
  const headers = { ...response.headers };
  if (response.stream) {
    res.writeHead(response.status, headers);
    // Without an early flush the client would wait for the first event to see the answer.
    res.flushHeaders();
    response.stream(res);
    return;
  }
  let payload: string | undefined;
  if (response.body !== undefined) {
    payload = typeof response.body === 'string' ? response.body : JSON.stringify(response.body);
    headers['content-type'] ??= 'application/json; charset=utf-8';
  }
  res.writeHead(response.status, headers);
  res.end(payload);
}

/**
 * A loopback HTTP server that routes by method and path, records every request, and can inject
 * faults and latency. The fake forges in this folder are built on it.
 */
export async function startFakeServer(
  routes: Route[],
  options: {
    before?: (context: RouteContext) => RouteResponse | null;
    /** The answer when no route matches (the request still counts as unexpected). @default 404 JSON */
    notFound?: (context: RouteContext) => RouteResponse;
  } = {},
): Promise<FakeServer> {
  const requests: RecordedRequest[] = [];
  const faults: Array<Fault & { left: number }> = [];
  let latency = 0;
  let baseUrl = '';

  const server = createServer(async (req, res) => {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const rawBody = Buffer.concat(chunks);
    const body = rawBody.toString('utf8');
    const url = new URL(req.url ?? '/', baseUrl);
    const record: RecordedRequest = {
      method: req.method ?? 'GET',
      path: url.pathname,
      query: url.searchParams,
      headers: req.headers,
      body,
      status: 0,
      route: null,
    };
    requests.push(record);
    if (latency > 0) await new Promise((resolve) => setTimeout(resolve, latency));

    const fault = faults.find(
      (f) =>
        f.left > 0 && (!f.path || f.path.test(url.pathname)) && (!f.method || f.method === record.method),
    );
    if (fault) {
      fault.left -= 1;
      record.route = 'fault';
      if (fault.reset) {
        record.status = -1;
        req.socket.destroy();
        return;
      }
      record.status = fault.status;
      send(res, { status: fault.status, headers: fault.headers ?? {}, body: fault.body });
      return;
    }

    for (const route of routes) {
      if (route.method !== record.method) continue;
      const match = route.pattern.exec(url.pathname);
      if (!match) continue;
      const params: Record<string, string> = {};
      for (const [key, value] of Object.entries(match.groups ?? {})) {
        // An optional group that did not take part in the match is left out, not "undefined".
        if (value !== undefined) params[key] = decodeURIComponent(value);
      }
      const context: RouteContext = { req, params, query: url.searchParams, body, rawBody, baseUrl };
      record.route = route.name;
      try {
        const early = options.before?.(context) ?? null;
        const response = early ?? (await route.handle(context));
        record.status = response.status;
        send(res, response);
      } catch (error) {
        record.status = 500;
        send(res, { status: 500, body: { message: `fake server error: ${(error as Error).message}` } });
      }
      return;
    }
    const fallback = options.notFound?.({
      req,
      params: {},
      query: url.searchParams,
      body,
      rawBody,
      baseUrl,
    }) ?? {
      status: 404,
      body: { message: 'Not Found' },
    };
    record.status = fallback.status;
    send(res, fallback);
  });

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url: baseUrl,
    requests,
    unexpected: () => requests.filter((request) => request.route === null),
    fault(fault) {
      faults.push({ ...fault, left: fault.times ?? 1 });
    },
    setLatency(ms) {
      latency = ms;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
