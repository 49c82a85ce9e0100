import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { consoleAssetsDir } from '@sentry-git/console';
import { describe, expect, it } from 'vitest';
import { API_TOKEN, call, engine, serve, shellRepository } from './helpers.js';

// The web console's files, as the browser gets them. They come from packages/console/dist/app
// (`pnpm build` makes them).

/** One repository that is never polled (the engine is not started). */
const REPOSITORIES = [shellRepository('app', '/nowhere.git', '/dev/null')];

function builtAsset(extension: string): string {
  const name = readdirSync(path.join(consoleAssetsDir, 'assets')).find((file) => file.endsWith(extension));
  if (!name) throw new Error(`No ${extension} file in ${consoleAssetsDir}/assets: run \`pnpm build\` first.`);
  return name;
}

describe('the web console at /', () => {
  it('answers index.html, revalidated on each load, with a policy that allows only this server', async () => {
    const sentry = await engine({ server: { token: API_TOKEN }, repositories: REPOSITORIES });
    const { url } = await serve(sentry);

    // Open without a token even when one is configured: the page holds no data.
    const page = await call(`${url}/`);
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(page.text).toBe(readFileSync(path.join(consoleAssetsDir, 'index.html'), 'utf8'));
    expect(page.text).toContain(`./assets/${builtAsset('.js')}`);
    expect(page.headers.get('cache-control')).toBe('no-cache');
    expect(page.headers.get('referrer-policy')).toBe('no-referrer');
    const policy = page.headers.get('content-security-policy') ?? '';
    expect(policy).toContain("default-src 'none'");
    expect(policy).toContain("script-src 'self'");
    expect(policy).toContain("connect-src 'self'");
    expect(policy).toContain("frame-ancestors 'none'");
    expect(policy).not.toContain('unsafe-inline');

    const etag = page.headers.get('etag')!;
    expect(etag).toMatch(/^"[\w-]+"$/);
    const again = await call(`${url}/`, { headers: { 'if-none-match': etag } });
    expect(again.status).toBe(304);
    expect(again.text).toBe('');
    expect((await call(`${url}/index.html`)).text).toBe(page.text);
  });

  it('answers the assets with their type, cached for a year, gzipped when the browser takes it', async () => {
    const sentry = await engine({ repositories: REPOSITORIES });
    const { url } = await serve(sentry);
    const script = builtAsset('.js');
    const file = readFileSync(path.join(consoleAssetsDir, 'assets', script), 'utf8');

    const plain = await call(`${url}/assets/${script}`, { headers: { 'accept-encoding': 'identity' } });
    expect(plain.status).toBe(200);
    expect(plain.headers.get('content-type')).toBe('text/javascript; charset=utf-8');
    expect(plain.headers.get('cache-control')).toBe('public, max-age=31536000, immutable');
    expect(plain.headers.get('content-encoding')).toBeNull();
    expect(plain.text).toBe(file);

    // fetch decompresses; the header and the length tell what travelled.
    const zipped = await call(`${url}/assets/${script}`, { headers: { 'accept-encoding': 'gzip' } });
    expect(zipped.headers.get('content-encoding')).toBe('gzip');
    expect(Number(zipped.headers.get('content-length'))).toBeLessThan(file.length / 2);
    expect(zipped.text).toBe(file);

    const css = await call(`${url}/assets/${builtAsset('.css')}`);
    expect(css.headers.get('content-type')).toBe('text/css; charset=utf-8');
  });

  it('refuses a file it does not have, and never reads a path from the request', async () => {
    const sentry = await engine({ repositories: REPOSITORIES });
    const { url } = await serve(sentry);
    const missing = await call(`${url}/assets/index-old.js`);
    expect(missing.status).toBe(404);
    expect(missing.json.error.code).toBe('NOT_FOUND');
    expect(missing.json.error.message).toContain('No console asset "index-old.js"');
    for (const sneaky of ['/assets/..%2F..%2Fpackage.json', '/assets/..%2Findex.html', '/assets/']) {
      const answer = await call(`${url}${sneaky}`);
      expect(answer.status, sneaky).toBe(404);
      expect(answer.text).not.toContain('"name"');
    }
    expect((await call(`${url}/favicon.ico`)).status).toBe(404);
  });
});
