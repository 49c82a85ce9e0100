#!/usr/bin/env node
// `pnpm check:packages`: packs every public package the way it would be published (`pnpm pack`
// rewrites `workspace:` ranges) and lints the tarballs, not the folders:
//   - publint --strict: package.json fields (exports, types, files, bin, engines) against the
//     files really in the tarball; warnings count as errors.
//   - attw --profile esm-only: every export resolves to JavaScript and matching types under
//     node16/nodenext (from ESM) and bundler resolution. The packages are ESM-only on purpose
//     (Node >= 20.19, whose `require()` loads ESM), so the CommonJS and node10 resolutions that
//     the default "strict" profile also demands are out of scope: attw would only report that
//     `require()` finds ESM, which is the design.
//   - no `workspace:` range left in any packed package.json.
// Run after `pnpm build` (the tarballs contain dist/).
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const bin = (name) => path.join(root, 'node_modules', '.bin', name);

/** The public (publishable) workspace packages: every packages/* without `"private": true`. */
export function publicPackages() {
  const dir = path.join(root, 'packages');
  return readdirSync(dir)
    .map((name) => path.join(dir, name))
    .filter((folder) => existsSync(path.join(folder, 'package.json')))
    .map((folder) => ({
      folder,
      manifest: JSON.parse(readFileSync(path.join(folder, 'package.json'), 'utf8')),
    }))
    .filter(({ manifest }) => manifest.private !== true);
}

/** `pnpm pack` of one package into `destination`; returns the tarball's path. */
export function pack(folder, destination) {
  const out = execFileSync('pnpm', ['pack', '--json', '--pack-destination', destination], {
    cwd: folder,
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  return JSON.parse(out).filename;
}

function main() {
  const packages = publicPackages();
  const missing = packages.filter(({ folder }) => !existsSync(path.join(folder, 'dist')));
  if (missing.length > 0) {
    console.error(
      `E_NOT_BUILT: ${missing.map(({ manifest }) => manifest.name).join(', ')} ha${missing.length === 1 ? 's' : 've'} no dist/: run \`pnpm build\` first.`,
    );
    process.exit(2);
  }
  const tmp = mkdtempSync(path.join(os.tmpdir(), 'sentry-git-check-packages-'));
  const failures = [];
  try {
    for (const { folder, manifest } of packages) {
      const tarball = pack(folder, tmp);
      console.log(`\n━━ ${manifest.name} (${path.basename(tarball)})`);
      const packed = execFileSync('tar', ['-xzOf', tarball, 'package/package.json'], { encoding: 'utf8' });
      if (packed.includes('"workspace:')) {
        console.error('workspace: range left in the packed package.json');
        failures.push(`${manifest.name}: workspace range`);
      }
      const checks = [
        ['publint', [bin('publint'), 'run', tarball, '--strict']],
        ['attw', [bin('attw'), tarball, '--profile', 'esm-only', '--format', 'table-flipped', '--no-emoji']],
      ];
      for (const [tool, [command, ...args]] of checks) {
        const result = spawnSync(command, args, { cwd: root, stdio: 'inherit' });
        if (result.status !== 0)
          failures.push(`${manifest.name}: ${tool} (exit ${result.status ?? result.signal})`);
      }
    }
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
  if (failures.length > 0) {
    console.error(`\nE_PACKAGE_CHECK: ${failures.length} problem(s):\n  ${failures.join('\n  ')}`);
    process.exit(1);
  }
  console.log(`\n${packages.length} packages: publint and attw (esm-only) clean.`);
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) main();
