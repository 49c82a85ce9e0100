// The first release as changesets would cut it: `changeset version` runs on a copy of the
// workspace's manifests and changesets (never on the checkout itself), and every public package
// must come out at the same first version with a changelog, internal ranges kept as `workspace:`
// (pnpm rewrites them when packing), and nothing for the private test-utils package.
import { execFileSync } from 'node:child_process';
import { cp, mkdir, readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { tempdir } from '@sentry-git/test-utils';
import { describe, expect, it } from 'vitest';

const ROOT = path.resolve(__dirname, '../../..');

interface Manifest {
  name: string;
  version: string;
  private?: boolean;
  dependencies?: Record<string, string>;
  peerDependencies?: Record<string, string>;
}

async function readManifest(file: string): Promise<Manifest> {
  return JSON.parse(await readFile(file, 'utf8')) as Manifest;
}

/** The root manifest, workspace file, `.changeset/` and every package manifest, in a fresh git repository. */
async function copyReleaseInputs(): Promise<{ dir: string; packages: string[] }> {
  const dir = await tempdir();
  for (const file of ['package.json', 'pnpm-workspace.yaml'])
    await cp(path.join(ROOT, file), path.join(dir, file));
  await cp(path.join(ROOT, '.changeset'), path.join(dir, '.changeset'), { recursive: true });
  const packages = (await readdir(path.join(ROOT, 'packages'))).sort();
  for (const name of packages) {
    await mkdir(path.join(dir, 'packages', name), { recursive: true });
    await cp(
      path.join(ROOT, 'packages', name, 'package.json'),
      path.join(dir, 'packages', name, 'package.json'),
    );
  }
  const git = (...args: string[]) => execFileSync('git', args, { cwd: dir, stdio: 'ignore' });
  git('init', '-q', '-b', 'main');
  git('-c', 'user.name=t', '-c', 'user.email=t@example.com', 'add', '.');
  git('-c', 'user.name=t', '-c', 'user.email=t@example.com', 'commit', '-qm', 'inputs');
  return { dir, packages };
}

describe('first release (changeset version on a copy)', () => {
  it('versions every public package to one first version with a changelog, and leaves test-utils alone', async () => {
    const { dir, packages } = await copyReleaseInputs();
    const before = new Map<string, Manifest>();
    for (const name of packages)
      before.set(name, await readManifest(path.join(dir, 'packages', name, 'package.json')));
    const pending = (await readdir(path.join(dir, '.changeset'))).filter(
      (file) => file.endsWith('.md') && file !== 'README.md',
    );
    expect(pending.length).toBeGreaterThan(0);

    execFileSync(path.join(ROOT, 'node_modules/.bin/changeset'), ['version'], { cwd: dir, stdio: 'pipe' });

    const versions = new Set<string>();
    for (const name of packages) {
      const folder = path.join(dir, 'packages', name);
      const after = await readManifest(path.join(folder, 'package.json'));
      if (before.get(name)?.private) {
        expect(after.version, after.name).toBe(before.get(name)?.version);
        continue;
      }
      versions.add(after.version);
      const changelog = await readFile(path.join(folder, 'CHANGELOG.md'), 'utf8');
      expect(changelog, after.name).toContain(`# ${after.name}`);
      expect(changelog, after.name).toContain(`## ${after.version}`);
      for (const range of Object.entries({ ...after.dependencies, ...after.peerDependencies })
        .filter(([dependency]) => dependency.startsWith('@sentry-git/'))
        .map(([, value]) => value)) {
        expect(range, `${after.name} depends on a sibling by ${range}`).toMatch(/^workspace:/);
      }
    }
    // Linked packages: one version for the whole first release.
    expect([...versions]).toEqual(['0.1.0']);
    // Every changeset was consumed.
    const left = (await readdir(path.join(dir, '.changeset'))).filter(
      (file) => file.endsWith('.md') && file !== 'README.md',
    );
    expect(left).toEqual([]);
    // The CLI's changelog tells the whole story: each changeset's first line is in it.
    const cliLog = await readFile(path.join(dir, 'packages/cli/CHANGELOG.md'), 'utf8');
    for (const file of pending) {
      const text = await readFile(path.join(ROOT, '.changeset', file), 'utf8');
      const title = text.split('---')[2]?.trim().split('\n')[0] ?? '';
      if (/"@sentry-git\/cli"/.test(text)) expect(cliLog, file).toContain(title);
    }
  });
});
