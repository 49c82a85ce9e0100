import { defineConfig } from 'vitest/config';

// Tests run against the TypeScript sources of workspace packages (the `@sentry-git/source`
// export condition), so a change is tested without a rebuild. The CLI tests run the built bin.
const conditions = ['@sentry-git/source', 'node', 'import', 'module', 'default'];
// Vitest also starts each test process with `--conditions` for every SSR condition. `import` among
// them makes node's own `require` pick a package's ESM build (pg's `require('pg-pool')` then gets
// a module namespace, not the class), so the SSR list keeps to Vite's defaults and ours.
const ssrConditions = ['@sentry-git/source', 'node', 'module', 'development|production'];

export default defineConfig({
  resolve: { conditions },
  ssr: { resolve: { conditions: ssrConditions, externalConditions: ['@sentry-git/source'] } },
  test: {
    include: ['packages/*/test/**/*.test.ts', 'examples/*/test/**/*.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    pool: 'forks',
    reporters: ['default'],
  },
});
