import { statSync } from 'node:fs';
import { holdSignals, holdsSignals } from './early-signals.js';

/**
 * True when dist/ was rebuilt after oclif.manifest.json was written (`tsup` alone, a watch build):
 * oclif would then list commands and flags from the older manifest in `--help`. The package's
 * build writes the manifest after every tsup run, so a built or installed package never warns.
 */
export function manifestIsStale(root: URL): boolean {
  try {
    const manifest = statSync(new URL('oclif.manifest.json', root)).mtimeMs;
    return statSync(new URL('dist/index.js', root)).mtimeMs > manifest;
  } catch {
    // No manifest: oclif reads the commands themselves (slower, never stale).
    return false;
  }
}

/**
 * The whole of bin/run.js. Hold `watch`'s signals first (see early-signals.ts), then load oclif:
 * with the manifest, `--version` and `--help` import no command; a command imports the command
 * classes and only then what it needs.
 */
export async function boot(binUrl: string): Promise<void> {
  if (holdsSignals(process.argv.slice(2))) holdSignals();
  const root = new URL('../', import.meta.url);
  if (manifestIsStale(root)) {
    process.stderr.write(
      `Warning: ${new URL('oclif.manifest.json', root).pathname} is older than the build in dist/, so --help may list old commands or flags: run \`pnpm build\` for @sentry-git/cli (it regenerates the manifest).\n`,
    );
  }
  const { execute } = await import('@oclif/core');
  await execute({ dir: binUrl });
}
