import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { CONSOLE_INDEX, consoleAssetsDir } from '@sentry-git/console';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { HttpError } from '../http-error.js';

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.woff2': 'font/woff2',
  '.json': 'application/json; charset=utf-8',
};

/**
 * The console loads its script and stylesheet from this server and talks to this server only;
 * nothing inline, no other origin, and no page may frame it (its buttons deploy).
 */
const CONTENT_SECURITY_POLICY = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "connect-src 'self'",
  "img-src 'self' data:",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join('; ');

/** Text: compressed when the browser accepts gzip (images and fonts are compressed already). */
const TEXT = new Set(['.html', '.js', '.css', '.svg', '.json']);

/** A file of the console: its bytes, and their gzip, made at its first request. */
interface Asset {
  body: Buffer;
  type: string;
  compress: boolean;
  gzipped?: Buffer;
}

function load(file: string): Asset {
  const extension = path.extname(file);
  return {
    body: readFileSync(file),
    type: TYPES[extension] ?? 'application/octet-stream',
    compress: TEXT.has(extension),
  };
}

function send(request: FastifyRequest, reply: FastifyReply, asset: Asset): FastifyReply {
  reply.header('content-type', asset.type).header('vary', 'accept-encoding');
  reply.header('x-content-type-options', 'nosniff');
  // Text compresses to a third; the assets are read once, so they are compressed once.
  if (asset.compress && /\bgzip\b/.test(String(request.headers['accept-encoding'] ?? ''))) {
    asset.gzipped ??= gzipSync(asset.body);
    return reply.header('content-encoding', 'gzip').send(asset.gzipped);
  }
  return reply.send(asset.body);
}

/**
 * The web console (`@sentry-git/console`) at `/`: `index.html`, revalidated on every load (an
 * ETag answers 304 when unchanged), and `/assets/*`, whose names change with their content, so
 * they are cached for a year. Open without a token, like the probes: the page holds no data, and
 * the API it calls checks the token. The files are read once, when the server is created.
 */
export function registerConsoleRoutes(app: FastifyInstance): void {
  const indexFile = path.join(consoleAssetsDir, CONSOLE_INDEX);
  if (!existsSync(indexFile)) {
    app.get('/', async () => {
      throw new HttpError(404, 'NOT_FOUND', `The web console is not built: ${indexFile} is missing.`, {
        fix: 'Build it with `pnpm build` in the sentry-git repository (an installed @sentry-git/console holds it).',
      });
    });
    return;
  }
  const index = load(indexFile);
  const etag = `"${createHash('sha256').update(index.body).digest('base64url').slice(0, 27)}"`;
  const assetsDir = path.join(consoleAssetsDir, 'assets');
  const assets = new Map<string, Asset>();
  for (const name of existsSync(assetsDir) ? readdirSync(assetsDir) : []) {
    assets.set(name, load(path.join(assetsDir, name)));
  }

  async function page(request: FastifyRequest, reply: FastifyReply) {
    reply
      .header('cache-control', 'no-cache')
      .header('etag', etag)
      .header('content-security-policy', CONTENT_SECURITY_POLICY)
      .header('referrer-policy', 'no-referrer');
    if (request.headers['if-none-match'] === etag) return reply.status(304).send();
    return send(request, reply, index);
  }
  app.get('/', page);
  app.get(`/${CONSOLE_INDEX}`, page);

  app.get<{ Params: { name: string } }>('/assets/:name', async (request, reply) => {
    // Only the files found at start are served: no path from the request reaches the disk.
    const asset = assets.get(request.params.name);
    if (!asset) {
      throw new HttpError(404, 'NOT_FOUND', `No console asset "${request.params.name}".`, {
        fix: 'Reload the console: a newer version names its files differently.',
      });
    }
    reply.header('cache-control', 'public, max-age=31536000, immutable');
    return send(request, reply, asset);
  });
}
