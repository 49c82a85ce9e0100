import type {
  GiteaBranchJson,
  GiteaCommitJson,
  GiteaCommitStatusJson,
  GiteaCompareJson,
  GiteaReferenceJson,
  GiteaUserJson,
} from '@sentry-git/test-utils';
import { git } from '@sentry-git/test-utils';
import type {
  Branch,
  Commit,
  CommitStatus,
  Compare,
  PayloadCommit,
  Reference,
  Repository,
  User,
} from 'gitea-js';
import { describe, expect, expectTypeOf, it } from 'vitest';
import push from './fixtures/gitea-push.json' with { type: 'json' };
import { giteaServer, remote, TOKEN } from './helpers.js';

/**
 * gitea-js's types come from Gitea's swagger, which marks nothing as nullable, while Gitea sends
 * `null` for empty pointers (`parent`, `author` of an unknown committer). Checked with that allowance.
 */
type Nullable<T> = T extends (infer U)[]
  ? Nullable<U>[]
  : T extends object
    ? { [K in keyof T]?: Nullable<T[K]> | null }
    : T;

/**
 * Gitea's `structs.PushPayload` (modules/structs/hook.go). gitea-js has no webhook types, so it
 * is assembled from the ones it has.
 */
interface PushPayload {
  ref: string;
  before: string;
  after: string;
  compare_url: string;
  commits: PayloadCommit[];
  total_commits: number;
  head_commit: PayloadCommit;
  // A JSON import widens the enum "sha1" | "sha256" to string; checked at run time below.
  repository: Omit<Repository, 'object_format_name'> & { object_format_name?: string };
  pusher: User;
  sender: User;
}

describe('shapes', () => {
  it('the fake Gitea answers with the shapes of gitea-js’s types', () => {
    expectTypeOf<GiteaBranchJson>().toExtend<Nullable<Branch>>();
    expectTypeOf<GiteaCommitJson>().toExtend<Nullable<Commit>>();
    expectTypeOf<GiteaCompareJson>().toExtend<Nullable<Compare>>();
    expectTypeOf<GiteaCommitStatusJson>().toExtend<Nullable<CommitStatus>>();
    expectTypeOf<GiteaUserJson>().toExtend<Nullable<User>>();
    expectTypeOf<GiteaReferenceJson>().toExtend<Nullable<Reference>>();
  });

  it('the push fixture is a Gitea PushPayload', () => {
    expectTypeOf(push).toExtend<Nullable<PushPayload>>();
    // Field order as Gitea marshals the struct.
    expect(Object.keys(push)).toEqual([
      'ref',
      'before',
      'after',
      'compare_url',
      'commits',
      'total_commits',
      'head_commit',
      'repository',
      'pusher',
      'sender',
    ]);
    expect(Object.keys(push.head_commit)).toEqual([
      'id',
      'message',
      'url',
      'author',
      'committer',
      'verification',
      'timestamp',
      'added',
      'removed',
      'modified',
    ]);
    expect(['sha1', 'sha256']).toContain(push.repository.object_format_name);
    expect(push.total_commits).toBe(push.commits.length);
    expect(push.head_commit).toEqual(push.commits.at(-1));
    expect(push.after).toBe(push.head_commit.id);
    expect(push.compare_url).toBe(`${push.repository.html_url}/compare/${push.before}...${push.after}`);
    expect(push.repository.clone_url).toBe(`${push.repository.html_url}.git`);
  });
});

describe('the fake Gitea’s git/refs', () => {
  it('answers as GetGitRefs: refs under the prefix as a list, every ref without one, 404 for none', async () => {
    const server = await giteaServer();
    const fixture = await remote(server, 'team/app');
    const main = await fixture.commit('main');
    await fixture.repo.commit('release/1');
    await git(fixture.repo.bare, 'tag', 'v1', main);
    const get = async (path: string) => {
      const response = await fetch(`${server.apiUrl}/repos/team/app/git/refs${path}`, {
        headers: { authorization: `token ${TOKEN}` },
      });
      return { status: response.status, body: (await response.json()) as GiteaReferenceJson[] };
    };

    const heads = await get('/heads');
    expect(heads.status).toBe(200);
    expect(heads.body.map((ref) => ref.ref)).toEqual(['refs/heads/main', 'refs/heads/release/1']);
    expect(heads.body[0]).toEqual({
      ref: 'refs/heads/main',
      url: `${server.apiUrl}/repos/team/app/git/refs/heads/main`,
      object: { sha: main, type: 'commit', url: `${server.apiUrl}/repos/team/app/git/commits/${main}` },
    });
    expect((await get('')).body.map((ref) => ref.ref)).toEqual([
      'refs/heads/main',
      'refs/heads/release/1',
      'refs/tags/v1',
    ]);
    // One match named exactly by the path is still a list, as current Gitea answers.
    expect((await get('/heads/main')).body).toHaveLength(1);
    expect((await get('/heads/nothing')).status).toBe(404);
  });
});
