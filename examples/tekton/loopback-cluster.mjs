// The loopback Kubernetes API of the test suite (packages/test-utils/src/kube): a real HTTP
// server speaking the Kubernetes wire format, with Tekton's CRDs and admission, and a scripted
// stand-in for the Tekton controller that moves each PipelineRun through its conditions. It runs
// no pods: it is for trying sentry-git without a cluster.
//
// test-utils ships TypeScript sources only, so this compiles them with esbuild (installed with
// the workspace, as tsup's dependency) into .demo/loopback/ and imports the result.
import { realpathSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.resolve(here, '../..');

/** `yaml`, to read manifests: a dependency of test-utils (the examples have none of their own). */
export const yaml = createRequire(path.join(root, 'packages/test-utils/package.json'))('yaml');

/**
 * Compiles and imports the loopback API: `startFakeKube`, `progressions`, ... as exported by
 * packages/test-utils/src/kube.
 */
export async function loadLoopbackCluster(outDir = path.join(here, '.demo/loopback')) {
  // From tsup's real folder: pnpm links esbuild beside it, not at the workspace root.
  const tsup = realpathSync(path.join(root, 'node_modules/tsup/package.json'));
  const esbuild = createRequire(tsup)('esbuild');
  // .demo/loopback/ lies as deep as packages/test-utils/src/kube/, so the compiled module finds
  // ../shared/reference (Tekton's CRD, for validating PipelineRuns) as the sources do.
  const outfile = path.join(outDir, 'kube.mjs');
  await esbuild.build({
    entryPoints: [path.join(root, 'packages/test-utils/src/kube/index.ts')],
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    outfile,
    logLevel: 'warning',
    // Bundled CommonJS dependencies (ajv) call require(): give the ES module one.
    banner: {
      js: "import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);",
    },
  });
  return import(pathToFileURL(outfile).href);
}
