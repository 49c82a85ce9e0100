import { mkdir, utimes, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { tempdir } from '@sentry-git/test-utils';
import { describe, expect, it } from 'vitest';
import { manifestIsStale } from '../src/boot.js';

/** A package root with dist/index.js and, unless `manifestAt` is null, oclif.manifest.json. */
async function packageRoot(times: { builtAt: Date; manifestAt: Date | null }): Promise<URL> {
  const root = await tempdir();
  await mkdir(path.join(root, 'dist'));
  const built = path.join(root, 'dist', 'index.js');
  await writeFile(built, 'export const commands = {};\n');
  await utimes(built, times.builtAt, times.builtAt);
  if (times.manifestAt) {
    const manifest = path.join(root, 'oclif.manifest.json');
    await writeFile(manifest, '{"commands":{},"version":"0.0.0"}\n');
    await utimes(manifest, times.manifestAt, times.manifestAt);
  }
  return pathToFileURL(`${root}/`);
}

describe('manifestIsStale', () => {
  const earlier = new Date('2026-01-01T00:00:00Z');
  const later = new Date('2026-01-01T00:00:05Z');

  it('is true when dist/ was built after the manifest was written (tsup without `oclif manifest`)', async () => {
    expect(manifestIsStale(await packageRoot({ builtAt: later, manifestAt: earlier }))).toBe(true);
  });

  it('is false for a manifest written after the build, or at the same time (a packed tarball)', async () => {
    expect(manifestIsStale(await packageRoot({ builtAt: earlier, manifestAt: later }))).toBe(false);
    expect(manifestIsStale(await packageRoot({ builtAt: earlier, manifestAt: earlier }))).toBe(false);
  });

  it('is false without a manifest: oclif then reads the commands themselves', async () => {
    expect(manifestIsStale(await packageRoot({ builtAt: later, manifestAt: null }))).toBe(false);
  });
});
