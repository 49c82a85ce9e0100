import { statSync } from 'node:fs';
import { chooseHeapFlags, tuneHeap } from './daemon-heap.js';
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
 * The whole of bin/run.js. Size the heap of a long-running `watch` before anything grows it (see
 * daemon-heap.ts), hold `watch`'s signals (see early-signals.ts), then load oclif: with the
 * manifest, `--version` and `--help` import no command; a command imports the command classes
 * and only then what it needs.
 */
export async function boot(binUrl: string): Promise<void> {
  const argv = process.argv.slice(2);
  tuneHeap(chooseHeapFlags(argv, { execArgv: process.execArgv, nodeOptions: process.env.NODE_OPTIONS }));
  if (holdsSignals(argv)) holdSignals();
  const root = new URL('../', import.meta.url);
  if (manifestIsStale(root)) {
    process.stderr.write(
      `Warning: ${new URL('oclif.manifest.json', root).pathname} is older than the build in dist/, so --help may list old commands or flags: run \`pnpm build\` for @sentry-git/cli (it regenerates the manifest).\n`,
    );
  }
  const { execute } = await import('@oclif/core');
  await execute({ dir: binUrl });
}
