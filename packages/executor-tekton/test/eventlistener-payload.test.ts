import { existsSync, readFileSync } from 'node:fs';
import { makeJob } from '@sentry-git/core/testing';
import { referencePath } from '@sentry-git/test-utils';
import { describe, expect, it } from 'vitest';
import { buildEventRequest, deliveryIdFor } from '../src/eventlistener/index.js';
import {
  githubInterceptorAccepts,
  leafPaths,
  octokitPushExamples,
  shapeMismatches,
} from './eventlistener-helpers.js';

const SHA = '1a1736ec3d7b03349b31218a2f2c572c7c7206d6';
const PREVIOUS = '6113728f27ae82c7b1a177c8d03f9e96e0adf246';
const NOW = new Date('2025-08-22T07:30:39.306Z');
const DELIVERY = deliveryIdFor('job_0001');
const job = makeJob({
  id: 'job_0001',
  repoUrl: 'https://github.com/company/rag',
  branch: 'main',
  sha: SHA,
  previousSha: PREVIOUS,
});

function body(request: { body: string }): Record<string, unknown> {
  return JSON.parse(request.body) as Record<string, unknown>;
}

const GITLAB_REFERENCE = referencePath('webhooks', 'gitlab-push-event.json');
const OCTOKIT_PUSH = octokitPushExamples();

describe('deliveryIdFor', () => {
  it('is a UUID (v5 layout) that depends only on the job id', () => {
    expect(DELIVERY).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(deliveryIdFor('job_0001')).toBe(DELIVERY);
    expect(deliveryIdFor('job_0002')).not.toBe(DELIVERY);
  });
});

describe('github push event', () => {
  it('the interceptor rule used by these tests gives the published known answer', () => {
    const secret = "It's a Secret to Everybody";
    const known = 'sha256=757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17';
    expect(githubInterceptorAccepts(secret, 'Hello, World!', known)).toBe(true);
    expect(githubInterceptorAccepts(secret, 'Hello, World?', known)).toBe(false);
  });

  it('carries the headers the GitHub interceptor reads and a signature over the exact body', () => {
    const secret = "It's a Secret to Everybody";
    const request = buildEventRequest('github', job, { secret, deliveryId: DELIVERY, now: NOW });
    expect(request.headers).toMatchObject({
      'Content-Type': 'application/json',
      'X-GitHub-Event': 'push',
      'X-GitHub-Delivery': DELIVERY,
      'User-Agent': 'sentry-git',
    });
    expect(githubInterceptorAccepts(secret, request.body, request.headers['X-Hub-Signature-256'])).toBe(true);
    expect(
      githubInterceptorAccepts('another secret', request.body, request.headers['X-Hub-Signature-256']),
    ).toBe(false);
    expect(JSON.stringify(request)).not.toContain(secret);
  });

  it('has no signature header without a secret', () => {
    const request = buildEventRequest('github', job, { deliveryId: DELIVERY, now: NOW });
    expect(request.headers).not.toHaveProperty('X-Hub-Signature-256');
  });

  it('describes the push the way GitHub does', () => {
    const payload = body(buildEventRequest('github', job, { deliveryId: DELIVERY, now: NOW }));
    expect(payload).toMatchObject({
      ref: 'refs/heads/main',
      before: PREVIOUS,
      after: SHA,
      created: false,
      deleted: false,
      forced: false,
      compare: `https://github.com/company/rag/compare/${PREVIOUS.slice(0, 12)}...${SHA.slice(0, 12)}`,
      repository: {
        name: 'rag',
        full_name: 'company/rag',
        owner: { login: 'company', name: 'company' },
        html_url: 'https://github.com/company/rag',
        url: 'https://github.com/company/rag',
        clone_url: 'https://github.com/company/rag.git',
        ssh_url: 'git@github.com:company/rag.git',
      },
      head_commit: {
        id: SHA,
        url: `https://github.com/company/rag/commit/${SHA}`,
        timestamp: NOW.toISOString(),
      },
    });
    expect(payload.commits).toEqual([payload.head_commit]);
  });

  it('a new branch has a zero `before`, created: true and links to its head commit', () => {
    const created = makeJob({ ...job, previousSha: null });
    const payload = body(buildEventRequest('github', created, { deliveryId: DELIVERY, now: NOW }));
    expect(payload).toMatchObject({
      before: '0'.repeat(40),
      created: true,
      compare: `https://github.com/company/rag/commit/${SHA}`,
    });
  });

  it('uses only key paths (and types) found in real GitHub push events', () => {
    expect(OCTOKIT_PUSH.length).toBeGreaterThan(0);
    const payload = body(buildEventRequest('github', job, { deliveryId: DELIVERY, now: NOW }));
    expect(shapeMismatches(payload, OCTOKIT_PUSH)).toEqual([]);
    // The comparison is not a no-op: an invented key or a wrong type is reported.
    const repository = { ...(payload.repository as object), invented: 1 };
    expect(shapeMismatches({ ...payload, repository, created: 'no' }, OCTOKIT_PUSH)).toEqual([
      'created: string, reference has boolean',
      'repository.invented: not in the reference',
    ]);
  });

  it('has every key path TriggerBindings for GitHub pushes commonly read', () => {
    const paths = leafPaths(body(buildEventRequest('github', job, { deliveryId: DELIVERY, now: NOW })));
    for (const key of [
      'ref',
      'before',
      'after',
      'compare',
      'repository.name',
      'repository.full_name',
      'repository.clone_url',
      'repository.html_url',
      'repository.ssh_url',
      'repository.owner.login',
      'head_commit.id',
      'head_commit.url',
      'head_commit.timestamp',
      'head_commit.message',
      'commits[].id',
      'pusher.name',
      'sender.login',
    ]) {
      expect(paths.has(key), key).toBe(true);
    }
  });
});

describe('gitlab push event', () => {
  const gitlabJob = makeJob({ ...job, repoUrl: 'https://gitlab.com/dibyom/triggers.git' });

  it('sends the token and event headers the GitLab interceptor reads', () => {
    const request = buildEventRequest('gitlab', gitlabJob, {
      secret: 'tok en',
      deliveryId: DELIVERY,
      now: NOW,
    });
    expect(request.headers).toEqual({
      'Content-Type': 'application/json',
      'User-Agent': 'sentry-git',
      'X-Gitlab-Event': 'Push Hook',
      'X-Gitlab-Token': 'tok en',
      'X-Gitlab-Event-UUID': DELIVERY,
      'Idempotency-Key': DELIVERY,
    });
    expect(buildEventRequest('gitlab', gitlabJob, { deliveryId: DELIVERY }).headers).not.toHaveProperty(
      'X-Gitlab-Token',
    );
  });

  it('describes the push the way gitlab.com does', () => {
    const payload = body(buildEventRequest('gitlab', gitlabJob, { deliveryId: DELIVERY, now: NOW }));
    expect(payload).toMatchObject({
      object_kind: 'push',
      event_name: 'push',
      before: PREVIOUS,
      after: SHA,
      ref: 'refs/heads/main',
      checkout_sha: SHA,
      total_commits_count: 1,
      project: {
        name: 'triggers',
        path_with_namespace: 'dibyom/triggers',
        namespace: 'dibyom',
        web_url: 'https://gitlab.com/dibyom/triggers',
        git_http_url: 'https://gitlab.com/dibyom/triggers.git',
        git_ssh_url: 'git@gitlab.com:dibyom/triggers.git',
      },
      repository: { name: 'triggers', git_http_url: 'https://gitlab.com/dibyom/triggers.git' },
      commits: [{ id: SHA, url: `https://gitlab.com/dibyom/triggers/-/commit/${SHA}` }],
    });
  });

  it.skipIf(!existsSync(GITLAB_REFERENCE))(
    'uses only key paths (and types) of the real gitlab.com push event, including every one bindings read',
    () => {
      const reference = JSON.parse(readFileSync(GITLAB_REFERENCE, 'utf8')) as unknown;
      const payload = body(buildEventRequest('gitlab', gitlabJob, { deliveryId: DELIVERY, now: NOW }));
      expect(shapeMismatches(payload, [reference])).toEqual([]);
      const paths = leafPaths(payload);
      for (const key of [
        'ref',
        'before',
        'after',
        'checkout_sha',
        'user_name',
        'project.name',
        'project.path_with_namespace',
        'project.git_http_url',
        'project.web_url',
        'repository.git_http_url',
        'commits[].id',
      ]) {
        expect(paths.has(key), key).toBe(true);
      }
    },
  );
});

describe('cloudevents (RepoSentry layout)', () => {
  it('sends binary-mode attributes as headers and only the data as body', () => {
    const request = buildEventRequest('cloudevents', job, {
      secret: 's3cret',
      deliveryId: DELIVERY,
      now: NOW,
    });
    expect(request.headers).toMatchObject({
      'ce-specversion': '1.0',
      'ce-type': 'dev.reposentry.repository.branch_updated',
      'ce-source': 'sentry-git/github',
      'ce-id': DELIVERY,
      'ce-time': '2025-08-22T07:30:39.306Z',
      'ce-datacontenttype': 'application/json',
      'Content-Type': 'application/json',
      'X-GitHub-Event': 'push',
    });
    expect(githubInterceptorAccepts('s3cret', request.body, request.headers['X-Hub-Signature-256'])).toBe(
      true,
    );
    expect(body(request)).toEqual({
      repository: {
        provider: 'github',
        organization: 'company',
        name: 'rag',
        full_name: 'company/rag',
        url: 'https://github.com/company/rag',
        id: 'github-company-rag',
      },
      branch: { name: 'main', ref: 'refs/heads/main' },
      commit: { sha: SHA, short_sha: SHA.slice(0, 8) },
      event: {
        type: 'branch_updated',
        trigger_source: 'sentry-git',
        trigger_id: DELIVERY,
        detection_time: '2025-08-22T07:30:39.306Z',
      },
      previous_commit: { sha: PREVIOUS, short_sha: PREVIOUS.slice(0, 8) },
    });
  });

  it('a new branch is branch_created, without previous_commit', () => {
    const created = makeJob({
      ...job,
      previousSha: null,
      repoUrl: 'https://gitlab.example.com/qa/sub/pipes.git',
    });
    const request = buildEventRequest('cloudevents', created, { deliveryId: DELIVERY, now: NOW });
    expect(request.headers['ce-type']).toBe('dev.reposentry.repository.branch_created');
    expect(request.headers['ce-source']).toBe('sentry-git/gitlab');
    expect(request.headers).not.toHaveProperty('X-Hub-Signature-256');
    const data = body(request);
    expect(data).not.toHaveProperty('previous_commit');
    expect(data.repository).toMatchObject({
      organization: 'qa/sub',
      full_name: 'qa/sub/pipes',
      id: 'gitlab-qa-sub-pipes',
    });
    expect(data.event).toMatchObject({ type: 'branch_created' });
  });
});

describe('buildEventRequest', () => {
  it('refuses an unknown payload format with the key to fix', () => {
    expect(() => buildEventRequest('bitbucket' as 'github', job, { deliveryId: DELIVERY })).toThrow(
      expect.objectContaining({ code: 'EVENTLISTENER_PAYLOAD_UNKNOWN', path: 'tekton.payload' }),
    );
  });
});
