import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import http from 'node:http';
import type { AddressInfo } from 'node:net';

/** One request the server answered, for assertions. Holds no credential. */
export interface GitHttpRequest {
  method: string;
  /** URL path, e.g. `/remote.git/info/refs`. */
  path: string;
  query: string;
  /** An `Authorization` header was sent. */
  hasAuthorization: boolean;
  /** It carried the expected user name (when one is required) and token. */
  authorized: boolean;
  /** The user name sent with Basic auth, if any. */
  username: string | undefined;
  status: number;
}

export interface GitHttpServerOptions {
  /** Directory holding the bare repositories; `<url>/<name>.git` serves `<root>/<name>.git`. */
  root: string;
  /** Require HTTP Basic auth. Without `username`, any user name with the right token passes (like GitHub). */
  auth?: { username?: string; token: string };
}

export interface GitHttpServer {
  /** `http://127.0.0.1:<port>` (no trailing slash). */
  url: string;
  requests: GitHttpRequest[];
  close(): Promise<void>;
}

interface BasicCredentials {
  username: string;
  password: string;
}

function parseBasic(header: string | undefined): BasicCredentials | undefined {
  const found = header ? /^Basic\s+(\S+)$/i.exec(header) : null;
  if (!found?.[1]) return undefined;
  const decoded = Buffer.from(found[1], 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  if (colon === -1) return undefined;
  return { username: decoded.slice(0, colon), password: decoded.slice(colon + 1) };
}

/** The request's headers as CGI meta-variables (`HTTP_GIT_PROTOCOL` carries protocol v2). */
function cgiHeaderEnv(headers: http.IncomingHttpHeaders): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (value === undefined || name === 'authorization') continue;
    env[`HTTP_${name.toUpperCase().replace(/-/g, '_')}`] = Array.isArray(value) ? value.join(', ') : value;
  }
  return env;
}

const HEADER_END = /\r?\n\r?\n/;

/** Reads a CGI response: header lines (with `Status:`), a blank line, then the body streamed on. */
function relayCgi(child: ChildProcess, response: http.ServerResponse, record: GitHttpRequest): void {
  let pending = Buffer.alloc(0);
  let headersSent = false;
  child.stdout?.on('data', (chunk: Buffer) => {
    if (headersSent) {
      response.write(chunk);
      return;
    }
    pending = Buffer.concat([pending, chunk]);
    const text = pending.toString('latin1');
    const end = HEADER_END.exec(text);
    if (!end) return;
    let status = 200;
    for (const line of text.slice(0, end.index).split(/\r?\n/)) {
      const colon = line.indexOf(':');
      if (colon === -1) continue;
      const name = line.slice(0, colon).trim();
      const value = line.slice(colon + 1).trim();
      if (name.toLowerCase() === 'status') status = Number.parseInt(value, 10) || 500;
      else response.appendHeader(name, value);
    }
    record.status = status;
    response.statusCode = status;
    headersSent = true;
    response.write(pending.subarray(end.index + end[0].length));
  });
  child.on('close', (code) => {
    if (!headersSent) {
      record.status = 502;
      response.statusCode = 502;
      response.end(`git http-backend exited with ${code} before sending headers\n`);
      return;
    }
    response.end();
  });
}

/**
 * A real smart-HTTP Git server on 127.0.0.1: every request runs `git http-backend` as a CGI
 * program, as Apache or nginx+fcgiwrap would. Optionally requires HTTP Basic auth. Records each
 * request so tests can check what a client sent.
 */
export async function startGitHttpServer(options: GitHttpServerOptions): Promise<GitHttpServer> {
  const requests: GitHttpRequest[] = [];
  const children = new Set<ChildProcess>();

  const server = http.createServer((request, response) => {
    const url = new URL(request.url ?? '/', 'http://127.0.0.1');
    const credentials = parseBasic(request.headers.authorization);
    const expected = options.auth;
    const authorized =
      credentials !== undefined &&
      expected !== undefined &&
      credentials.password === expected.token &&
      (expected.username === undefined || credentials.username === expected.username);
    const record: GitHttpRequest = {
      method: request.method ?? 'GET',
      path: url.pathname,
      query: url.search.slice(1),
      hasAuthorization: request.headers.authorization !== undefined,
      authorized,
      username: credentials?.username,
      status: 0,
    };
    requests.push(record);

    let pathInfo: string;
    try {
      pathInfo = decodeURIComponent(url.pathname);
    } catch {
      record.status = 400;
      response.writeHead(400).end('bad path\n');
      return;
    }

    if (expected && !authorized) {
      record.status = 401;
      request.resume();
      response.writeHead(401, { 'WWW-Authenticate': 'Basic realm="git"', 'Content-Type': 'text/plain' });
      response.end('authentication required\n');
      return;
    }

    const child = spawn('git', ['http-backend'], {
      stdio: ['pipe', 'pipe', 'pipe'],
      env: {
        PATH: process.env.PATH ?? '/usr/bin:/bin',
        HOME: process.env.HOME ?? '/tmp',
        GIT_CONFIG_NOSYSTEM: '1',
        GIT_CONFIG_GLOBAL: '/dev/null',
        GIT_PROJECT_ROOT: options.root,
        GIT_HTTP_EXPORT_ALL: '1',
        GATEWAY_INTERFACE: 'CGI/1.1',
        SERVER_PROTOCOL: `HTTP/${request.httpVersion}`,
        SERVER_SOFTWARE: 'sentry-git-test',
        REQUEST_METHOD: record.method,
        PATH_INFO: pathInfo,
        QUERY_STRING: record.query,
        CONTENT_TYPE: request.headers['content-type'] ?? '',
        ...(request.headers['content-length'] ? { CONTENT_LENGTH: request.headers['content-length'] } : {}),
        REMOTE_ADDR: request.socket.remoteAddress ?? '127.0.0.1',
        ...(authorized && credentials ? { REMOTE_USER: credentials.username, AUTH_TYPE: 'Basic' } : {}),
        ...cgiHeaderEnv(request.headers),
      },
    });
    children.add(child);
    child.on('close', () => children.delete(child));
    child.on('error', () => {
      response.destroy();
    });
    child.stderr?.resume();
    child.stdin?.on('error', () => {
      // http-backend may answer before reading the whole body.
    });
    request.pipe(child.stdin!);
    relayCgi(child, response, record);
  });

  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;

  async function close(): Promise<void> {
    for (const child of children) child.kill('SIGKILL');
    server.closeAllConnections();
    if (server.listening) await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  return { url: `http://127.0.0.1:${port}`, requests, close };
}
