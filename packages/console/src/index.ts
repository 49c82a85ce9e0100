import { fileURLToPath } from 'node:url';

/**
 * The folder of the console's built assets: `index.html` and `assets/` (content-hashed names).
 * `@sentry-git/server` serves it at `/`. The same path from the sources and from dist/: both sit
 * one folder below the package's root, and Vite writes the assets to dist/app.
 */
export const consoleAssetsDir: string = fileURLToPath(new URL('../dist/app/', import.meta.url));

/** The file the console starts from, inside {@link consoleAssetsDir}. */
export const CONSOLE_INDEX = 'index.html';
