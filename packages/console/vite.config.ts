import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

// The browser app: src/app → dist/app (index.html and assets/ with content-hashed names, which
// the server caches for a year). Relative URLs (`base: './'`) keep it working behind a proxy that
// serves the server under a path prefix. No source maps or preload polyfill: nothing inline, so
// the server's Content-Security-Policy can forbid inline scripts.
export default defineConfig({
  root: fileURLToPath(new URL('./src/app', import.meta.url)),
  base: './',
  logLevel: 'warn',
  oxc: { jsx: { runtime: 'automatic', importSource: 'preact' } },
  build: {
    outDir: fileURLToPath(new URL('./dist/app', import.meta.url)),
    emptyOutDir: true,
    target: 'es2022',
    modulePreload: { polyfill: false },
    reportCompressedSize: false,
  },
});
