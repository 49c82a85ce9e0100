// The fake forges and the git HTTP server live in packages/test-utils as TypeScript (no dist):
// bundle them with the repository's own esbuild (tsup's) into one ESM file for the forge host.
import { realpathSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';

export async function bundleTestUtils(root, outfile) {
  const requireFromTsup = createRequire(realpathSync(path.join(root, 'node_modules/tsup/package.json')));
  const esbuild = requireFromTsup('esbuild');
  const source = path.join(root, 'packages/test-utils/src');
  const entry = [
    `export * from ${JSON.stringify(path.join(source, 'forge/index.ts'))};`,
    `export { branchJson, readBranches, readRefs } from ${JSON.stringify(path.join(source, 'forge/gitea-json.ts'))};`,
    // bench/floor answers with the fake GitLab's own rendering.
    `export { branchEntity, paginationHeaders, rateLimitHeaders } from ${JSON.stringify(path.join(source, 'forge/gitlab-json.ts'))};`,
    `export { startGitHttpServer } from ${JSON.stringify(path.join(source, 'git-http-server.ts'))};`,
    // cli-replicas runs its replicas on a throw-away PostgreSQL cluster, as the tests do.
    `export { startPostgres } from ${JSON.stringify(path.join(source, 'postgres.ts'))};`,
  ].join('\n');
  await esbuild.build({
    stdin: { contents: entry, resolveDir: source, loader: 'ts' },
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    outfile,
    logLevel: 'error',
    plugins: [
      {
        // gitdir.ts imports vitest for its per-test cleanup; the forge only needs GIT_TEST_ENV.
        name: 'no-vitest',
        setup(build) {
          build.onResolve({ filter: /^vitest$/ }, () => ({ path: 'vitest', namespace: 'no-vitest' }));
          build.onLoad({ filter: /.*/, namespace: 'no-vitest' }, () => ({
            contents: 'export function onTestFinished() { throw new Error("not inside a vitest test"); }',
            loader: 'js',
          }));
        },
      },
    ],
  });
  return outfile;
}
