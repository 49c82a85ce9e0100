import { defineConfig } from 'vitest/config';

// Tests run against the TypeScript sources of workspace packages (the `@sentry-git/source`
// export condition), so a change is tested without a rebuild. The CLI tests run the built bin.
const conditions = ['@sentry-git/source', 'node', 'import', 'module', 'default'];

export default defineConfig({
  resolve: { conditions },
  ssr: { resolve: { conditions, externalConditions: ['@sentry-git/source'] } },
  test: {
    include: ['packages/*/test/**/*.test.ts', 'examples/*/test/**/*.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    pool: 'forks',
    reporters: ['default'],
  },
});
