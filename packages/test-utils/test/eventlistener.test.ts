import { createHmac } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { describe, expect, it, onTestFinished } from 'vitest';
import {
  type FakeEventListenerOptions,
  hasReference,
  referencePath,
  startFakeEventListener,
  startFakeKube,
} from '../src/index.js';

const sign = (secret: string, body: string) =>
  `sha256=${createHmac('sha256', secret).update(body).digest('hex')}`;

async function listener(options: Omit<FakeEventListenerOptions, 'kube'> & { withKube?: boolean }) {
  const kube = options.withKube === false ? undefined : await startFakeKube({ validate: false });
  if (kube) onTestFinished(() => kube.close());
  const sink = await startFakeEventListener({ ...options, ...(kube ? { kube } : {}) });
  onTestFinished(() => sink.close());
  async function post(headers: Record<string, string>, body: string) {
    const response = await fetch(`${sink.url}/`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...headers },
      body,
    });
    return { status: response.status, body: (await response.json()) as Record<string, string> };
  }
  return { kube, sink, post };
}

const push = JSON.stringify({
  ref: 'refs/heads/main',
  after: 'a'.repeat(40),
  repository: { clone_url: 'https://github.com/acme/app.git' },
});

describe('fake EventListener sink', () => {
  it('the GitHub signature rule gives the known answer', () => {
    expect(sign("It's a Secret to Everybody", 'Hello, World!')).toBe(
      'sha256=757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17',
    );
  });

  it('github: 202 at once, then a labelled PipelineRun only for a correctly signed push', async () => {
    const { kube, sink, post } = await listener({
      interceptor: 'github',
      secret: 's3cret',
      name: 'el',
      namespace: 'default',
    });
    const good = await post({ 'X-GitHub-Event': 'push', 'X-Hub-Signature-256': sign('s3cret', push) }, push);
    expect(good.status).toBe(202);
    expect(good.body).toEqual({
      eventListener: 'el',
      namespace: 'default',
      eventListenerUID: sink.uid,
      eventID: expect.stringMatching(/^[0-9a-f-]{36}$/),
    });
    const delivery = await sink.whenProcessed(good.body.eventID!);
    expect(delivery).toMatchObject({ accepted: true, reason: 'accepted' });
    const [run] = kube!.list('PipelineRun', 'default');
    expect(run?.metadata.labels).toEqual({
      'triggers.tekton.dev/eventlistener': 'el',
      'triggers.tekton.dev/trigger': 'el-trigger',
      'triggers.tekton.dev/triggers-eventid': good.body.eventID,
    });
    expect(run?.spec).toMatchObject({
      pipelineRef: { name: 'deploy' },
      params: [
        { name: 'revision', value: 'a'.repeat(40) },
        { name: 'git-url', value: 'https://github.com/acme/app.git' },
        { name: 'branch', value: 'main' },
      ],
    });
    expect(delivery.pipelineRun?.metadata.name).toBe(run?.metadata.name);

    // A wrong signature, a missing one and another event type still get 202, but create nothing.
    const cases: Array<[Record<string, string>, string]> = [
      [
        { 'X-GitHub-Event': 'push', 'X-Hub-Signature-256': sign('wrong', push) },
        'payload signature check failed',
      ],
      [{ 'X-GitHub-Event': 'push' }, 'no X-Hub-Signature-256 header set'],
      [
        { 'X-GitHub-Event': 'ping', 'X-Hub-Signature-256': sign('s3cret', push) },
        'event type ping is not allowed',
      ],
    ];
    for (const [headers, reason] of cases) {
      const answer = await post(headers, push);
      expect(answer.status).toBe(202);
      expect(await sink.whenProcessed(answer.body.eventID!)).toMatchObject({ accepted: false, reason });
    }
    expect(kube!.list('PipelineRun')).toHaveLength(1);
    expect(sink.deliveries.map((d) => d.accepted)).toEqual([true, false, false, false]);
    expect(sink.deliveries[0]!.body.toString()).toBe(push);
    expect(sink.unexpected()).toEqual([]);
    await expect(sink.whenProcessed('not-an-event')).rejects.toThrow(/no event not-an-event was received/);
  });

  it('github: the signature covers the exact bytes (the known answer body)', async () => {
    const { sink, post } = await listener({
      interceptor: 'github',
      secret: "It's a Secret to Everybody",
      withKube: false,
    });
    const answer = await post(
      {
        'X-GitHub-Event': 'push',
        'X-Hub-Signature-256': 'sha256=757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17',
      },
      'Hello, World!',
    );
    // The signature passes; the body is not JSON, so no trigger fires.
    expect(await sink.whenProcessed(answer.body.eventID!)).toMatchObject({
      accepted: false,
      reason: 'the event body is not JSON',
    });
  });

  it.skipIf(!hasReference())(
    'gitlab: event type and token (constant time), with the real gitlab.com payload',
    async () => {
      const payload = readFileSync(referencePath('webhooks', 'gitlab-push-event.json'), 'utf8');
      const { kube, sink, post } = await listener({ interceptor: 'gitlab', secret: 'glpat-token' });
      const good = await post({ 'X-Gitlab-Event': 'Push Hook', 'X-Gitlab-Token': 'glpat-token' }, payload);
      expect(await sink.whenProcessed(good.body.eventID!)).toMatchObject({ accepted: true });
      const parsed = JSON.parse(payload);
      expect(kube!.list('PipelineRun')[0]?.spec).toMatchObject({
        params: [
          { name: 'revision', value: parsed.after },
          { name: 'git-url', value: parsed.project.git_http_url },
          { name: 'branch', value: parsed.ref.replace('refs/heads/', '') },
        ],
      });
      const wrong = await post({ 'X-Gitlab-Event': 'Push Hook', 'X-Gitlab-Token': 'nope' }, payload);
      expect(await sink.whenProcessed(wrong.body.eventID!)).toMatchObject({
        accepted: false,
        reason: 'Invalid X-GitLab-Token',
      });
      const tag = await post({ 'X-Gitlab-Event': 'Tag Push Hook', 'X-Gitlab-Token': 'glpat-token' }, payload);
      expect(await sink.whenProcessed(tag.body.eventID!)).toMatchObject({
        reason: 'event type Tag Push Hook is not allowed',
      });
    },
  );

  it('cloudevents: the four ce-* headers are required; a custom TriggerTemplate builds the run', async () => {
    const { kube, sink, post } = await listener({
      interceptor: 'cloudevents',
      pipelineRun: (body, headers) => ({
        apiVersion: 'tekton.dev/v1',
        kind: 'PipelineRun',
        metadata: { generateName: 'ce-', labels: { source: String(headers['ce-source']).replace('/', '-') } },
        spec: {
          pipelineRef: { name: 'release' },
          params: [{ name: 'sha', value: (body as { commit: { sha: string } }).commit.sha }],
        },
      }),
    });
    const body = JSON.stringify({ commit: { sha: 'b'.repeat(40) } });
    const headers = {
      'ce-specversion': '1.0',
      'ce-type': 'dev.reposentry.repository.branch_updated',
      'ce-source': 'sentry-git/github',
      'ce-id': 'd-1',
    };
    const good = await post(headers, body);
    expect(await sink.whenProcessed(good.body.eventID!)).toMatchObject({ accepted: true });
    expect(kube!.list('PipelineRun')[0]).toMatchObject({
      metadata: {
        labels: { source: 'sentry-git-github', 'triggers.tekton.dev/triggers-eventid': good.body.eventID },
      },
      spec: { pipelineRef: { name: 'release' } },
    });
    const { 'ce-id': _dropped, ...missing } = headers;
    const bad = await post(missing, body);
    expect(await sink.whenProcessed(bad.body.eventID!)).toMatchObject({
      accepted: false,
      reason: 'missing CloudEvents header ce-id',
    });
  });

  it('without a kube an accepted event is recorded and nothing is created', async () => {
    const { sink, post } = await listener({ interceptor: 'github', withKube: false });
    const answer = await post({ 'X-GitHub-Event': 'push' }, push);
    const delivery = await sink.whenProcessed(answer.body.eventID!);
    expect(delivery).toMatchObject({
      accepted: true,
      reason: 'accepted; no kube to create a PipelineRun in',
    });
    expect(delivery).not.toHaveProperty('pipelineRun');
  });

  it('a PipelineRun the kube refuses is recorded, not thrown', async () => {
    const { sink, post } = await listener({
      interceptor: 'github',
      pipelineRun: () => ({ apiVersion: 'tekton.dev/v1', kind: 'PipelineRun', metadata: {}, spec: {} }),
    });
    const answer = await post({ 'X-GitHub-Event': 'push' }, push);
    const delivery = await sink.whenProcessed(answer.body.eventID!);
    expect(delivery.reason).toMatch(
      /^accepted, but creating the PipelineRun failed: .*name or generateName is required/,
    );
  });

  it('faults: 503 and dropped connections for the next posts, then normal service', async () => {
    const { sink, post } = await listener({ interceptor: 'github', withKube: false });
    sink.fault({ status: 503, times: 1 });
    sink.fault({ reset: true });
    const unavailable = await fetch(sink.url, { method: 'POST', body: push });
    expect(unavailable.status).toBe(503);
    await expect(fetch(sink.url, { method: 'POST', body: push })).rejects.toThrow();
    expect((await post({ 'X-GitHub-Event': 'push' }, push)).status).toBe(202);
    expect(sink.deliveries).toHaveLength(1);
    expect((await fetch(`${sink.url}/nothing`)).status).toBe(404);
    expect(sink.unexpected().map((r) => r.path)).toEqual(['/nothing']);
  });
});
