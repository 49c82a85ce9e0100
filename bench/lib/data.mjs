// The repositories the fake forges serve. One template bare repository holds every object; each
// of the thousands of watched repositories is a real bare repository of its own (HEAD, config,
// packed-refs) whose objects/info/alternates points at the template: git reads it like any other
// repository, and creating 5,000 of them costs file writes, not 5,000 `git init` processes.
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fastImport, fastImportWriter, git } from './git.mjs';

export const RELEASE_BRANCHES = Array.from(
  { length: 10 },
  (_, i) => `release/${String(i + 1).padStart(2, '0')}`,
);
export const EXACT_BRANCHES = ['main', 'develop'];

export function repoName(index) {
  return `r${String(index + 1).padStart(5, '0')}`;
}

/** The template: main, develop, ten release branches, and a chain of commits pushes move refs to. */
export async function createTemplate(dir, poolSize) {
  await mkdir(dir, { recursive: true });
  await git(dir, 'init', '--quiet', '--bare', '--initial-branch=main');
  const writer = fastImportWriter();
  writer.commit({ ref: 'refs/heads/main', mark: 1, message: 'base', files: { 'README.md': '# bench\n' } });
  let mark = 2;
  for (const branch of ['develop', ...RELEASE_BRANCHES]) {
    writer.commit({
      ref: `refs/heads/${branch}`,
      mark: mark++,
      from: 1,
      message: branch,
      files: { 'branch.txt': `${branch}\n` },
    });
  }
  let parent = 1;
  for (let i = 0; i < poolSize; i += 1) {
    writer.commit({
      ref: 'refs/heads/pool',
      mark,
      from: parent,
      message: `push ${i + 1}`,
      files: { 'push.txt': `push ${i + 1}\n` },
    });
    parent = mark++;
  }
  await fastImport(dir, writer.toBuffer());
  const refs = await git(dir, 'for-each-ref', '--format=%(objectname) %(refname)', 'refs/heads');
  const heads = new Map(
    refs.split('\n').map((line) => {
      const [sha, ref] = line.split(' ');
      return [ref.replace('refs/heads/', ''), sha];
    }),
  );
  const pool = (await git(dir, 'rev-list', '--reverse', 'main..pool')).split('\n').filter(Boolean);
  heads.delete('pool');
  return { heads, pool };
}

/** `count` bare repositories sharing the template's objects, each with the template's branches. */
export async function createRepos(root, templateDir, heads, count) {
  await mkdir(root, { recursive: true });
  const packedRefs = `# pack-refs with: peeled fully-peeled sorted \n${[...heads]
    .map(([branch, sha]) => [`refs/heads/${branch}`, sha])
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([ref, sha]) => `${sha} ${ref}\n`)
    .join('')}`;
  const objects = path.join(templateDir, 'objects');
  const dirs = [];
  const batch = 200;
  for (let start = 0; start < count; start += batch) {
    const made = [];
    for (let i = start; i < Math.min(count, start + batch); i += 1) {
      const dir = path.join(root, `${repoName(i)}.git`);
      dirs.push(dir);
      made.push(
        (async () => {
          await mkdir(path.join(dir, 'objects/info'), { recursive: true });
          await mkdir(path.join(dir, 'refs/heads'), { recursive: true });
          await mkdir(path.join(dir, 'refs/tags'), { recursive: true });
          await writeFile(path.join(dir, 'HEAD'), 'ref: refs/heads/main\n');
          await writeFile(path.join(dir, 'config'), '[core]\n\trepositoryformatversion = 0\n\tbare = true\n');
          await writeFile(path.join(dir, 'objects/info/alternates'), `${objects}\n`);
          await writeFile(path.join(dir, 'packed-refs'), packedRefs);
        })(),
      );
    }
    await Promise.all(made);
  }
  return dirs;
}

/** The QA repository: `commits` commits over 100 files of a few KiB, as a deploy repository grows. */
export async function createQaRepo(dir, commits) {
  await mkdir(dir, { recursive: true });
  await git(dir, 'init', '--quiet', '--bare', '--initial-branch=main');
  const writer = fastImportWriter();
  const line = 'manifests and scripts of a deploy repository, line ';
  const fileText = (file, version) =>
    Array.from({ length: 80 }, (_, n) => `${line}${n} of file ${file}, version ${version}\n`).join('');
  const initial = {};
  for (let file = 0; file < 100; file += 1) initial[`deploy/file-${file}.txt`] = fileText(file, 0);
  writer.commit({ ref: 'refs/heads/main', mark: 1, message: 'initial', files: initial });
  for (let i = 2; i <= commits; i += 1) {
    const file = i % 100;
    writer.commit({
      ref: 'refs/heads/main',
      mark: i,
      from: i - 1,
      message: `change ${i}`,
      files: { [`deploy/file-${file}.txt`]: fileText(file, i) },
    });
  }
  await fastImport(dir, writer.toBuffer());
  await git(dir, 'repack', '-adq');
  const count = Number(await git(dir, 'rev-list', '--count', 'main'));
  // size-pack is in KiB: what a full clone transfers, about.
  const sizes = Object.fromEntries(
    (await git(dir, 'count-objects', '-v')).split('\n').map((line) => line.split(': ')),
  );
  const tree = await git(dir, 'ls-tree', '-r', '-l', 'main');
  const treeBytes = tree.split('\n').reduce((sum, line) => sum + Number(line.split(/\s+/)[3] ?? 0), 0);
  return {
    commits: count,
    packBytes: Number(sizes['size-pack']) * 1024,
    treeBytes,
    files: tree.split('\n').length,
  };
}
