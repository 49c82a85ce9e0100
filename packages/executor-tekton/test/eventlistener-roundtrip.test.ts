import { makeJob } from '@sentry-git/core/testing';
import {
  createPipelineRunValidator,
  type FakeEventListener,
  type FakeEventListenerOptions,
  type FakeKube,
  hasReference,
  startFakeEventListener,
  startFakeKube,
} from '@sentry-git/test-utils';
import { afterEach, describe, expect, it } from 'vitest';
import { type DeliverEventOptions, deliverEvent, deliveryIdFor } from '../src/eventlistener/index.js';

/**
 * Round trips through test-utils' EventListener sink, whose interceptors re-state Tekton
 * Triggers' rules with node:crypto: what it accepts, the real interceptors accept.
 */
const SECRET = "It's a Secret to Everybody";
const job = makeJob({
  id: 'job_roundtrip',
  repoUrl: 'https://github.com/company/rag',
  branch: 'release/1.x',
  sha: 'c'.repeat(40),
  previousSha: 'd'.repeat(40),
});
const closing: Array<{ close(): Promise<void> }> = [];
// Compiled once and shared: every fake kube checks PipelineRuns against the real CRD schema.
const validator = hasReference() ? createPipelineRunValidator() : undefined;

afterEach(async () => {
  await Promise.all(closing.splice(0).map((server) => server.close()));
});

async function setup(options: Omit<FakeEventListenerOptions, 'kube'>): Promise<{
  kube: FakeKube;
  listener: FakeEventListener;
}> {
  const kube = await startFakeKube({ validate: validator ?? false });
  const listener = await startFakeEventListener({ kube, namespace: 'default', name: 'ci', ...options });
  closing.push(listener, kube);
  return { kube, listener };
}

function deliver(listener: FakeEventListener, overrides: Partial<DeliverEventOptions> = {}) {
  return deliverEvent({
    url: listener.url,
    format: 'github',
    secret: SECRET,
    job,
    signal: new AbortController().signal,
    maxRetries: 3,
    retryBaseMs: 1,
    retryMaxMs: 5,
    ...overrides,
  });
}

function params(pipelineRun: unknown): Record<string, unknown> {
  const spec = (pipelineRun as { spec: { params: Array<{ name: string; value: unknown }> } }).spec;
  return Object.fromEntries(spec.params.map((param) => [param.name, param.value]));
}

describe('deliverEvent through the fake EventListener', () => {
  it('github: the signature passes the interceptor and the PipelineRun carries the event id', async () => {
    const { kube, listener } = await setup({ interceptor: 'github', secret: SECRET });
    const result = await deliver(listener);
    expect(result).toMatchObject({
      status: 202,
      eventListener: 'ci',
      namespace: 'default',
      eventListenerUid: listener.uid,
      attempts: 1,
    });
    const delivery = await listener.whenProcessed(result.eventId ?? '');
    expect(delivery).toMatchObject({ accepted: true, reason: 'accepted' });
    expect(delivery.headers['x-github-delivery']).toBe(deliveryIdFor(job.id));
    const [run] = kube.list('PipelineRun', 'default');
    expect(run?.metadata?.labels?.['triggers.tekton.dev/triggers-eventid']).toBe(result.eventId);
    // The bindings read ref, after and repository.clone_url from our payload.
    expect(params(run)).toEqual({
      revision: job.sha,
      'git-url': 'https://github.com/company/rag.git',
      branch: 'release/1.x',
    });
    if (validator) expect(validator(run).errors).toEqual([]);
    expect(listener.unexpected()).toEqual([]);
  });

  it('a wrong secret still gets a 202, but the interceptor drops the event and nothing runs', async () => {
    const { kube, listener } = await setup({ interceptor: 'github', secret: SECRET });
    const result = await deliver(listener, { secret: 'not the secret' });
    expect(result.status).toBe(202);
    const delivery = await listener.whenProcessed(result.eventId ?? '');
    expect(delivery).toMatchObject({ accepted: false, reason: 'payload signature check failed' });
    expect(kube.list('PipelineRun')).toEqual([]);
  });

  it('gitlab: the token passes and the bindings find project.git_http_url', async () => {
    const { kube, listener } = await setup({ interceptor: 'gitlab', secret: 'gitlab-token' });
    const gitlabJob = makeJob({ ...job, repoUrl: 'https://gitlab.com/group/sub/app.git' });
    const result = await deliver(listener, { format: 'gitlab', secret: 'gitlab-token', job: gitlabJob });
    expect(await listener.whenProcessed(result.eventId ?? '')).toMatchObject({ accepted: true });
    expect(params(kube.list('PipelineRun')[0])).toMatchObject({
      revision: job.sha,
      'git-url': 'https://gitlab.com/group/sub/app.git',
    });
  });

  it('cloudevents: the ce-* headers and the signature pass; bindings read commit.sha', async () => {
    const { kube, listener } = await setup({ interceptor: 'cloudevents', secret: SECRET });
    const result = await deliver(listener, { format: 'cloudevents' });
    expect(await listener.whenProcessed(result.eventId ?? '')).toMatchObject({ accepted: true });
    expect(params(kube.list('PipelineRun')[0])).toEqual({
      revision: job.sha,
      'git-url': 'https://github.com/company/rag',
      branch: 'release/1.x',
    });
  });

  it('retries past a 503 and a dropped connection; the one event that lands is signed and accepted', async () => {
    const { kube, listener } = await setup({ interceptor: 'github', secret: SECRET });
    listener.fault({ status: 503 });
    listener.fault({ reset: true });
    const result = await deliver(listener);
    expect(result.attempts).toBe(3);
    expect(listener.requests).toHaveLength(3);
    expect(new Set(listener.requests.map((request) => request.body)).size).toBe(1);
    expect(new Set(listener.requests.map((request) => request.headers['x-hub-signature-256'])).size).toBe(1);
    expect(listener.deliveries).toHaveLength(1);
    expect(await listener.whenProcessed(result.eventId ?? '')).toMatchObject({ accepted: true });
    expect(kube.list('PipelineRun')).toHaveLength(1);
  });
});
