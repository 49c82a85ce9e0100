import { defineConfig, type Options } from 'tsup';

/**
 * The one build configuration every package shares: ESM, declarations, source maps,
 * dependencies left external. A package only names its entry points.
 */
export function defineBuild(entry: Record<string, string>, overrides: Options = {}) {
  return defineConfig({
    entry,
    format: ['esm'],
    target: 'node20',
    platform: 'node',
    dts: { compilerOptions: { customConditions: [] } },
    sourcemap: true,
    clean: true,
    splitting: true,
    treeshake: true,
    // Each package's own (src only): a build must not read another package's dist mid-rebuild.
    tsconfig: 'tsconfig.build.json',
    ...overrides,
  });
}
