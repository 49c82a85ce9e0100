import type { SentryConfigInput } from './schema.js';

/** Types a `sentry-git.config.ts` (or `.mjs`) file: `export default defineConfig({ ... })`. */
export function defineConfig(config: SentryConfigInput): SentryConfigInput {
  return config;
}
