import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { gitlabProvider } from '../src/index.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const fixtures = path.join(here, 'fixtures');
// ../shared/reference next to the repository checkout (absent in a user's clone).
const reference = path.resolve(here, '../../../../shared/reference/webhooks/gitlab-push-event.json');
const SECRET = 'hook-secret-T0ken';

function fixture(name: string): Promise<Buffer> {
  return readFile(path.join(fixtures, name));
}

/** Headers GitLab sends; `token: null` leaves X-Gitlab-Token out. */
function hook(event: string, token: string | null = SECRET) {
  return { 'x-gitlab-event': event, ...(token === null ? {} : { 'x-gitlab-token': token }) };
}

const parse = gitlabProvider.parseWebhook!;

describe('parseWebhook: the real gitlab.com push payload', () => {
  it.skipIf(!existsSync(reference))(
    'parses shared/reference/webhooks/gitlab-push-event.json (skipped when ../shared/reference is absent)',
    async () => {
      const body = await readFile(reference);
      expect(parse(hook('Push Hook'), body, SECRET)).toEqual({
        ok: true,
        push: {
          repoUrl: 'https://gitlab.com/dibyom/triggers.git',
          branch: 'main',
          before: '1a1736ec3d7b03349b31218a2f2c572c7c7206d6',
          after: '1a1736ec3d7b03349b31218a2f2c572c7c7206d6',
        },
      });
    },
  );
});

describe('parseWebhook: secret token', () => {
  it('refuses a missing X-Gitlab-Token with 401 when a secret is configured', async () => {
    const result = parse(hook('Push Hook', null), await fixture('push-new-branch-nested-group.json'), SECRET);
    expect(result).toMatchObject({ ok: false, status: 401 });
    expect(result.ok === false && result.reason).toMatch(/X-Gitlab-Token/);
  });

  it('refuses a wrong token (also one of a different length) with 401', async () => {
    const body = await fixture('push-new-branch-nested-group.json');
    expect(parse(hook('Push Hook', 'hook-secret-T0kem'), body, SECRET)).toMatchObject({
      ok: false,
      status: 401,
    });
    expect(parse(hook('Push Hook', 'short'), body, SECRET)).toMatchObject({ ok: false, status: 401 });
    expect(parse(hook('Push Hook', `${SECRET}x`), body, SECRET)).toMatchObject({ ok: false, status: 401 });
  });

  it('checks the token before reading the body', () => {
    expect(parse(hook('Push Hook', 'wrong'), Buffer.from('{not json'), SECRET)).toMatchObject({
      ok: false,
      status: 401,
    });
  });

  it('accepts any token when no secret is configured; header names in any case', async () => {
    const body = await fixture('push-new-branch-nested-group.json');
    expect(parse({ 'X-Gitlab-Event': 'Push Hook' }, body, undefined).ok).toBe(true);
    expect(parse({ 'X-GITLAB-EVENT': ['Push Hook'], 'X-Gitlab-Token': [SECRET] }, body, SECRET).ok).toBe(
      true,
    );
  });
});

describe('parseWebhook: payloads', () => {
  it('a new branch in a nested group: before is null (all zeros), / and # kept in the branch', async () => {
    const result = parse(hook('Push Hook'), await fixture('push-new-branch-nested-group.json'), SECRET);
    expect(result).toEqual({
      ok: true,
      push: {
        repoUrl: 'https://gitlab.example.com/acme/platform/rag-service.git',
        branch: 'feature/#123',
        before: null,
        after: 'b6568db1bc1dcd7f8b4d5a946b0b91f9dacd7327',
      },
    });
  });

  it('a deleted branch: after is null', async () => {
    const result = parse(hook('Push Hook'), await fixture('push-branch-deleted.json'), SECRET);
    expect(result).toEqual({
      ok: true,
      push: {
        repoUrl: 'https://gitlab.example.com/mike/diaspora.git',
        branch: 'release/2024.06',
        before: 'da1560886d4f094c3e6c9ef40349f7d38b5d27d7',
        after: null,
      },
    });
  });

  it('falls back to repository.git_http_url when project is absent (payloads of old GitLab versions)', async () => {
    const payload = JSON.parse((await fixture('push-branch-deleted.json')).toString()) as Record<
      string,
      unknown
    >;
    delete payload.project;
    const result = parse(hook('Push Hook'), Buffer.from(JSON.stringify(payload)), SECRET);
    expect(result.ok && result.push.repoUrl).toBe('https://gitlab.example.com/mike/diaspora.git');
  });

  it('refuses a Tag Push Hook with 202 and the reason', async () => {
    const result = parse(hook('Tag Push Hook'), await fixture('tag-push-event.json'), SECRET);
    expect(result).toMatchObject({ ok: false, status: 202 });
    expect(result.ok === false && result.reason).toContain('refs/tags/v1.0.0');
  });

  it('reads system hooks by object_kind', async () => {
    const push = parse(hook('System Hook'), await fixture('push-branch-deleted.json'), SECRET);
    expect(push.ok && push.push.branch).toBe('release/2024.06');
    const tag = parse(hook('System Hook'), await fixture('tag-push-event.json'), SECRET);
    expect(tag).toMatchObject({ ok: false, status: 202 });
  });

  it('accepts other events with 202 (GitLab disables hooks that keep failing)', () => {
    const result = parse(hook('Merge Request Hook'), Buffer.from('{"object_kind":"merge_request"}'), SECRET);
    expect(result).toMatchObject({ ok: false, status: 202 });
    expect(result.ok === false && result.reason).toContain('Merge Request Hook');
  });

  it('refuses malformed JSON, a missing X-Gitlab-Event and pushes without ref or SHAs with 400', async () => {
    expect(parse(hook('Push Hook'), Buffer.from('{"ref": '), SECRET)).toMatchObject({
      ok: false,
      status: 400,
    });
    expect(parse(hook('Push Hook'), Buffer.from('[1,2]'), SECRET)).toMatchObject({ ok: false, status: 400 });
    expect(parse({ 'x-gitlab-token': SECRET }, Buffer.from('{}'), SECRET)).toMatchObject({
      ok: false,
      status: 400,
    });
    expect(parse(hook('Push Hook'), Buffer.from('{"object_kind":"push"}'), SECRET)).toMatchObject({
      ok: false,
      status: 400,
    });
    const noSha = {
      ref: 'refs/heads/main',
      before: 'abc',
      after: '',
      project: { git_http_url: 'https://x/y/z.git' },
    };
    expect(parse(hook('Push Hook'), Buffer.from(JSON.stringify(noSha)), SECRET)).toMatchObject({
      ok: false,
      status: 400,
    });
  });
});
