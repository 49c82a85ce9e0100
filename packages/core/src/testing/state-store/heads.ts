import { describe, expect, it } from 'vitest';
import { change, type StoreUnderTest, sha } from './fixtures.js';

/** Heads: seen repositories, baselines, moves, deletions and the last deployed SHA. */
export function describeHeads(subject: StoreUnderTest): void {
  describe('heads', () => {
    it('reports a repository never polled as unseen, with no heads', async () => {
      await expect(subject.store.getHeads('never-polled')).resolves.toEqual({ seen: false, heads: [] });
    });

    it('marks polled repositories seen and keeps a baseline, sorted by branch', async () => {
      const result = await subject.store.recordDetection({
        repositories: ['api', 'empty'],
        changes: [
          { repository: 'api', branch: 'main', before: null, after: sha(1), kind: 'baseline' },
          { repository: 'api', branch: 'dev', before: null, after: sha(2), kind: 'baseline' },
        ],
      });
      expect(result).toEqual({ run: null, coalesced: false });
      const api = await subject.store.getHeads('api');
      expect(api.seen).toBe(true);
      expect(api.heads.map((head) => [head.repository, head.branch, head.sha])).toEqual([
        ['api', 'dev', sha(2)],
        ['api', 'main', sha(1)],
      ]);
      for (const head of api.heads) expect(Number.isNaN(Date.parse(head.updatedAt))).toBe(false);
      await expect(subject.store.getHeads('empty')).resolves.toEqual({ seen: true, heads: [] });
      await expect(subject.store.getHeads('other')).resolves.toEqual({ seen: false, heads: [] });
    });

    it('reads many repositories at once as getHeads reads each (getHeadsMany)', async () => {
      const { store } = subject;
      if (!store.getHeadsMany) {
        // Optional: a store without it is read one repository at a time.
        expect(store.getHeadsMany).toBeUndefined();
        return;
      }
      await store.recordDetection({
        repositories: ['api', 'empty'],
        changes: [
          change('api', 'main', null, 1),
          change('api', 'dev', null, 2),
          change('web', 'main', null, 3),
        ],
      });
      await store.markDeployed('api', 'main', sha(1));
      const names = ['api', 'empty', 'never-polled', 'web', 'api'];
      const many = await store.getHeadsMany(names);
      expect([...many.keys()].sort()).toEqual(['api', 'empty', 'never-polled', 'web']);
      for (const name of many.keys()) expect(many.get(name)).toEqual(await store.getHeads(name));
      expect(many.get('api')?.heads.map((head) => head.branch)).toEqual(['dev', 'main']);
      expect(many.get('never-polled')).toEqual({ seen: false, heads: [] });
      await expect(store.getHeadsMany([])).resolves.toEqual(new Map());
    });

    it('updates a moved head and deletes a removed one, leaving other repositories alone', async () => {
      await subject.store.recordDetection({
        repositories: ['api', 'web'],
        changes: [
          change('api', 'main', null, 1),
          change('api', 'dev', null, 2),
          change('web', 'main', null, 3),
        ],
      });
      await subject.store.recordDetection({
        repositories: ['api'],
        changes: [change('api', 'main', 1, 4), change('api', 'dev', 2, null)],
      });
      const api = await subject.store.getHeads('api');
      expect(api.seen).toBe(true);
      expect(api.heads.map((head) => [head.branch, head.sha])).toEqual([['main', sha(4)]]);
      const web = await subject.store.getHeads('web');
      expect(web.heads.map((head) => [head.branch, head.sha])).toEqual([['main', sha(3)]]);
    });

    it('keeps the last deployed SHA: the baseline, unchanged by moves, set by markDeployed', async () => {
      await subject.store.recordDetection({
        repositories: ['api'],
        changes: [{ repository: 'api', branch: 'main', before: null, after: sha(1), kind: 'baseline' }],
      });
      await subject.store.recordDetection({
        repositories: [],
        changes: [
          change('api', 'main', 1, 2),
          { repository: 'api', branch: 'dev', before: null, after: sha(3), kind: 'created' },
        ],
      });
      const deployed = async () =>
        (await subject.store.getHeads('api')).heads.map((head) => [head.branch, head.sha, head.deployedSha]);
      expect(await deployed()).toEqual([
        ['dev', sha(3), null],
        ['main', sha(2), sha(1)],
      ]);
      await subject.store.markDeployed('api', 'main', sha(2));
      await subject.store.markDeployed('api', 'dev', sha(3));
      await subject.store.markDeployed('api', 'gone', sha(4));
      expect(await deployed()).toEqual([
        ['dev', sha(3), sha(3)],
        ['main', sha(2), sha(2)],
      ]);
    });

    it('ignores the deletion of a head it never had', async () => {
      await subject.store.recordDetection({
        repositories: ['api'],
        changes: [change('api', 'gone', 1, null)],
      });
      await expect(subject.store.getHeads('api')).resolves.toEqual({ seen: true, heads: [] });
    });
  });
}
