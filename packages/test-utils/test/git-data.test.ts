import { describe, expect, it } from 'vitest';
import { commitData, compare, gitdir, listBranches, listCommits, resolveRef } from '../src/index.js';

describe('reading a bare repository for the fake forges', () => {
  it('lists branches, resolves refs, reads commits and compares ranges', async () => {
    const repo = await gitdir({ branches: ['main'] });
    const base = await repo.commit('main', { 'src/a.ts': 'a\n' }, 'add a');
    await repo.commit('main', { 'docs/readme.md': 'hi\n' }, 'docs only');
    const head = await repo.commit('main', { 'src/a.ts': 'a2\n' }, 'change a\n\n[skip deploy]');
    await repo.commit('feature/#123', {}, 'on a branch');

    expect((await listBranches(repo.bare)).map((b) => b.name)).toEqual(['feature/#123', 'main']);
    expect(await resolveRef(repo.bare, 'main')).toBe(head);
    expect(await resolveRef(repo.bare, 'nope')).toBeNull();
    const commit = await commitData(repo.bare, head);
    expect(commit).toMatchObject({
      sha: head,
      message: 'change a\n\n[skip deploy]',
      parents: [expect.any(String)],
    });
    expect((await listCommits(repo.bare, 'main', 2)).map((c) => c.sha)[0]).toBe(head);

    const range = await compare(repo.bare, base, head);
    expect(range?.commits.map((c) => c.message.split('\n')[0])).toEqual(['docs only', 'change a']);
    expect(range?.files.map((f) => [f.filename, f.status]).sort()).toEqual([
      ['docs/readme.md', 'added'],
      ['src/a.ts', 'modified'],
    ]);
    expect(range).toMatchObject({ aheadBy: 2, behindBy: 0, mergeBase: base });
  });
});
