import { beforeAll, describe, expect, it, onTestFinished } from 'vitest';
import {
  createPipelineRunValidator,
  type FakeKube,
  hasReference,
  type PipelineRunValidator,
  startFakeKube,
} from '../src/index.js';
import { pipelineRun } from './kube-helpers.js';

/** The parts of an answer's JSON these tests read directly (the rest goes through toMatchObject). */
interface Body {
  [key: string]: unknown;
  apiVersion?: string;
  message?: string;
  groupVersion?: string;
  data?: Record<string, string>;
  status?: unknown;
  metadata: { name?: string; generation?: number; labels?: Record<string, string>; continue?: string };
  items: Array<{ metadata: { name: string } }>;
  resources: Array<{ name: string; kind: string }>;
  groups: Array<{ name: string; versions: Array<{ version: string }> }>;
  details: { causes: Array<{ field: string }> };
}

interface Answer {
  status: number;
  body: Body;
  headers: Headers;
}

function client(kube: FakeKube) {
  return async (
    method: string,
    path: string,
    body?: unknown,
    contentType = 'application/json',
  ): Promise<Answer> => {
    const init: RequestInit = {
      method,
      headers: { authorization: `Bearer ${kube.token}`, 'content-type': contentType },
    };
    if (body !== undefined) init.body = typeof body === 'string' ? body : JSON.stringify(body);
    const response = await fetch(`${kube.url}${path}`, init);
    const text = await response.text();
    return { status: response.status, body: text ? JSON.parse(text) : {}, headers: response.headers };
  };
}

const PRS = '/apis/tekton.dev/v1/namespaces/default/pipelineruns';

describe('fake kube wire format', () => {
  let validator: PipelineRunValidator | false;
  beforeAll(() => {
    validator = hasReference() && createPipelineRunValidator();
  });
  async function fixture(options: Parameters<typeof startFakeKube>[0] = {}) {
    const kube = await startFakeKube({ validate: validator, ...options });
    onTestFinished(() => kube.close());
    return { kube, call: client(kube) };
  }

  it('serves discovery for the built-in table; unknown groups are 404 like a missing CRD', async () => {
    const { kube, call } = await fixture();
    expect((await call('GET', '/api')).body).toMatchObject({ kind: 'APIVersions', versions: ['v1'] });
    const groups = (await call('GET', '/apis')).body.groups as Array<{
      name: string;
      versions: Array<{ version: string }>;
    }>;
    expect(groups.map((g) => [g.name, g.versions.map((v) => v.version)])).toEqual([
      ['apps', ['v1']],
      ['rbac.authorization.k8s.io', ['v1']],
      ['tekton.dev', ['v1', 'v1beta1']],
      ['triggers.tekton.dev', ['v1beta1']],
    ]);
    const core = (await call('GET', '/api/v1')).body;
    expect(core.groupVersion).toBe('v1');
    expect(core.resources).toContainEqual({
      name: 'namespaces',
      singularName: 'namespace',
      namespaced: false,
      kind: 'Namespace',
      verbs: expect.arrayContaining(['get', 'list', 'watch', 'create', 'patch']),
      shortNames: ['ns'],
    });
    const tekton = (await call('GET', '/apis/tekton.dev/v1')).body;
    expect(tekton.resources.map((r: { name: string }) => r.name)).toEqual([
      'pipelines',
      'pipelines/status',
      'tasks',
      'tasks/status',
      'pipelineruns',
      'pipelineruns/status',
      'taskruns',
      'taskruns/status',
    ]);
    const triggers = (await call('GET', '/apis/triggers.tekton.dev/v1beta1')).body;
    expect(
      triggers.resources
        .filter((r: { name: string }) => !r.name.includes('/'))
        .map((r: { kind: string }) => r.kind),
    ).toEqual(['EventListener', 'TriggerBinding', 'TriggerTemplate', 'Trigger']);
    expect(await call('GET', '/apis/argoproj.io/v1alpha1')).toMatchObject({
      status: 404,
      body: {
        kind: 'Status',
        reason: 'NotFound',
        message: 'the server could not find the requested resource',
      },
    });
    expect((await call('GET', '/apis/tekton.dev/v1/namespaces/default/widgets')).status).toBe(404);
    expect(kube.unexpected()).toEqual([]);
    expect((await call('GET', '/healthz/nothing')).status).toBe(404);
    expect(kube.unexpected().map((r) => r.path)).toEqual(['/healthz/nothing']);
  });

  it('checks the namespace: body vs path (400) and that it exists (404)', async () => {
    const { call } = await fixture({ namespaces: ['default', 'ci'] });
    const mismatch = await call('POST', PRS, pipelineRun({ metadata: { name: 'a', namespace: 'ci' } }));
    expect(mismatch).toMatchObject({
      status: 400,
      body: {
        reason: 'BadRequest',
        message: 'the namespace of the provided object does not match the namespace sent on the request',
      },
    });
    const missing = await call('POST', '/apis/tekton.dev/v1/namespaces/nowhere/pipelineruns', pipelineRun());
    expect(missing).toMatchObject({
      status: 404,
      body: { reason: 'NotFound', message: 'namespaces "nowhere" not found' },
    });
    expect((await call('POST', '/apis/tekton.dev/v1/namespaces/ci/pipelineruns', pipelineRun())).status).toBe(
      201,
    );
    const made = await call('POST', '/api/v1/namespaces', {
      apiVersion: 'v1',
      kind: 'Namespace',
      metadata: { name: 'later' },
    });
    expect(made.status).toBe(201);
    expect(
      (await call('POST', '/apis/tekton.dev/v1/namespaces/later/pipelineruns', pipelineRun())).status,
    ).toBe(201);
    expect((await call('GET', '/api/v1/namespaces/later')).body.metadata.name).toBe('later');
  });

  it('refuses a body of another kind or version, and one without name or generateName', async () => {
    const { call } = await fixture();
    expect(
      (await call('POST', PRS, { ...pipelineRun(), apiVersion: 'tekton.dev/v1beta1' })).body.message,
    ).toBe(
      'the API version in the data (tekton.dev/v1beta1) does not match the expected API version (tekton.dev/v1)',
    );
    expect((await call('POST', PRS, { ...pipelineRun(), kind: 'TaskRun' })).status).toBe(400);
    expect((await call('POST', PRS, 'not json')).status).toBe(400);
    const nameless = await call('POST', PRS, pipelineRun({ metadata: {} }));
    expect(nameless).toMatchObject({
      status: 422,
      body: {
        reason: 'Invalid',
        details: { causes: [{ reason: 'FieldValueRequired', field: 'metadata.name' }] },
      },
    });
  });

  it('validates names and labels like ObjectMeta validation (422)', async () => {
    const { call } = await fixture();
    const bad = await call(
      'POST',
      PRS,
      pipelineRun({
        metadata: { name: 'Deploy_1', labels: { 'sentry-git.dev/repository': 'github.com/acme/app' } },
      }),
    );
    expect(bad.status).toBe(422);
    expect(bad.body.details.causes.map((c: { field: string }) => c.field)).toEqual([
      'metadata.name',
      'metadata.labels',
    ]);
    expect(bad.body.message).toMatch(
      /^PipelineRun\.tekton\.dev "Deploy_1" is invalid: \[metadata\.name: Invalid value: "Deploy_1": a lowercase RFC 1123 subdomain/,
    );
    const long = await call('POST', '/api/v1/namespaces/default/configmaps', {
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: 'c', labels: { k: 'x'.repeat(64) } },
    });
    expect(long.body.message).toMatch(
      /^ConfigMap "c" is invalid: metadata\.labels: Invalid value: "x{64}": a valid label/,
    );
  });

  it.skipIf(!hasReference())(
    "answers 422 with the schema causes, and 400 for what Tekton's webhook denies",
    async () => {
      const { kube, call } = await fixture();
      expect(kube.validating).toBe(true);
      const invalid = await call(
        'POST',
        PRS,
        pipelineRun({
          metadata: { name: 'x' },
          spec: { pipelineRef: { name: 'd' }, params: [{ value: 'v' }] },
        }),
      );
      expect(invalid.body).toMatchObject({
        code: 422,
        reason: 'Invalid',
        message: 'PipelineRun.tekton.dev "x" is invalid: spec.params[0].name: Required value',
        details: { name: 'x', group: 'tekton.dev', kind: 'PipelineRun' },
      });
      const neither = await call('POST', PRS, pipelineRun({ spec: { params: [] } }));
      expect(neither).toMatchObject({
        status: 400,
        body: {
          reason: 'BadRequest',
          message:
            'admission webhook "validation.webhook.pipeline.tekton.dev" denied the request: validation failed: expected exactly one, got neither: spec.pipelineRef, spec.pipelineSpec',
        },
      });
      const longName = await call('POST', PRS, pipelineRun({ metadata: { name: 'x'.repeat(64) } }));
      expect(longName.body.message).toMatch(/length must be no more than 63 characters/);
      const badStatus = await call(
        'POST',
        PRS,
        pipelineRun({ metadata: { name: 'y' }, spec: { pipelineRef: { name: 'd' }, status: 'Canceled' } }),
      );
      expect(badStatus.status).toBe(400);
      // v1beta1 is served (and shares storage) but only v1 bodies are schema-checked.
      const beta = await call('POST', '/apis/tekton.dev/v1beta1/namespaces/default/pipelineruns', {
        ...pipelineRun({ metadata: { name: 'beta' } }),
        apiVersion: 'tekton.dev/v1beta1',
      });
      expect(beta.status).toBe(201);
      expect((await call('GET', `${PRS}/beta`)).body.apiVersion).toBe('tekton.dev/v1');
      expect(kube.get('PipelineRun', 'default', 'x')).toBeUndefined();
    },
  );

  it('lists with every label selector operator, field selectors and pagination', async () => {
    const { call } = await fixture();
    const labels: Array<[string, Record<string, string>]> = [
      ['a', { app: 'web', tier: 'front' }],
      ['b', { app: 'web', tier: 'back' }],
      ['c', { app: 'db' }],
      ['d', {}],
    ];
    for (const [name, set] of labels) {
      await call('POST', '/api/v1/namespaces/default/configmaps', {
        apiVersion: 'v1',
        kind: 'ConfigMap',
        metadata: { name, labels: set },
      });
    }
    const names = async (query: string) =>
      (
        (await call('GET', `/api/v1/namespaces/default/configmaps?${query}`)).body.items as Array<{
          metadata: { name: string };
        }>
      ).map((item) => item.metadata.name);
    const selector = (text: string) => names(`labelSelector=${encodeURIComponent(text)}`);
    expect(await selector('app=web')).toEqual(['a', 'b']);
    expect(await selector('app==web,tier=back')).toEqual(['b']);
    expect(await selector('app!=web')).toEqual(['c', 'd']);
    expect(await selector('tier')).toEqual(['a', 'b']);
    expect(await selector('!tier')).toEqual(['c', 'd']);
    expect(await selector('app in (db, web),tier notin (front)')).toEqual(['b', 'c']);
    expect(await names('fieldSelector=metadata.name%3Dc')).toEqual(['c']);
    expect(await names('fieldSelector=metadata.namespace%3Ddefault,metadata.name!%3Dc')).toEqual([
      'a',
      'b',
      'd',
    ]);
    const bad = await call('GET', '/api/v1/namespaces/default/configmaps?fieldSelector=spec.x%3D1');
    expect(bad).toMatchObject({ status: 400, body: { reason: 'BadRequest' } });
    expect((await call('GET', '/api/v1/namespaces/default/configmaps?labelSelector=a%20b%20c')).status).toBe(
      400,
    );

    const first = (await call('GET', '/api/v1/namespaces/default/configmaps?limit=3')).body;
    expect(first).toMatchObject({
      kind: 'ConfigMapList',
      apiVersion: 'v1',
      metadata: { remainingItemCount: 1 },
    });
    // Items of built-in lists carry no kind/apiVersion, as on a real server.
    expect(first.items[0]).not.toHaveProperty('kind');
    const rest = (
      await call('GET', `/api/v1/namespaces/default/configmaps?limit=3&continue=${first.metadata.continue}`)
    ).body;
    expect(rest.items.map((item: { metadata: { name: string } }) => item.metadata.name)).toEqual(['d']);
    expect(rest.metadata).not.toHaveProperty('continue');
    // All namespaces.
    expect((await call('GET', '/api/v1/configmaps')).body.items).toHaveLength(4);
  });

  it('patches: merge, JSON patch (422 on a failed test), apply needs a fieldManager, unknown types are 415', async () => {
    const { call } = await fixture();
    await call('POST', PRS, pipelineRun({ metadata: { name: 'p', labels: { a: '1' } } }));
    const merged = await call(
      'PATCH',
      `${PRS}/p`,
      { metadata: { labels: { a: null, b: '2' } } },
      'application/merge-patch+json',
    );
    expect(merged.body.metadata.labels).toEqual({ b: '2' });
    expect(merged.body.metadata.generation).toBe(1);
    const failed = await call(
      'PATCH',
      `${PRS}/p`,
      [{ op: 'test', path: '/spec/pipelineRef/name', value: 'x' }],
      'application/json-patch+json',
    );
    expect(failed.status).toBe(422);
    const noManager = await call(
      'PATCH',
      `${PRS}/p`,
      { apiVersion: 'tekton.dev/v1', kind: 'PipelineRun' },
      'application/apply-patch+yaml',
    );
    expect(noManager).toMatchObject({ status: 400, body: { reason: 'BadRequest' } });
    const yaml =
      'apiVersion: tekton.dev/v1\nkind: PipelineRun\nmetadata:\n  name: p\n  labels:\n    c: "3"\n';
    const applied = await call(
      'PATCH',
      `${PRS}/p?fieldManager=t&force=true`,
      yaml,
      'application/apply-patch+yaml',
    );
    expect(applied).toMatchObject({ status: 200, body: { metadata: { labels: { b: '2', c: '3' } } } });
    expect((await call('PATCH', `${PRS}/p`, {}, 'text/plain')).status).toBe(415);
    expect((await call('PATCH', `${PRS}/missing`, {}, 'application/merge-patch+json')).status).toBe(404);
    const stale = await call(
      'PATCH',
      `${PRS}/p`,
      { metadata: { resourceVersion: '1' } },
      'application/merge-patch+json',
    );
    expect(stale).toMatchObject({ status: 409, body: { reason: 'Conflict' } });
    // Strategic merge works on built-in kinds.
    await call('POST', '/api/v1/namespaces/default/configmaps', {
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: 'c' },
      data: { a: '1' },
    });
    const strategic = await call(
      'PATCH',
      '/api/v1/namespaces/default/configmaps/c',
      { data: { b: '2' } },
      'application/strategic-merge-patch+json',
    );
    expect(strategic.body.data).toEqual({ a: '1', b: '2' });
  });

  it('keeps status out of main-resource writes (status subresource) and bumps generation on spec changes', async () => {
    const { kube, call } = await fixture();
    const created = (
      await call(
        'POST',
        PRS,
        pipelineRun({
          metadata: { name: 'p' },
          status: { conditions: [{ type: 'Succeeded', status: 'True' }] },
        }),
      )
    ).body;
    expect(created).not.toHaveProperty('status');
    const put = await call('PUT', `${PRS}/p`, {
      ...created,
      spec: { ...(created.spec as object), params: [] },
      status: { x: 1 },
    });
    expect(put.status).toBe(200);
    expect(put.body.metadata.generation).toBe(2);
    expect(put.body).not.toHaveProperty('status');
    const unconditional = await call('PUT', `${PRS}/p`, { ...created, metadata: { name: 'p' } });
    expect(unconditional.status).toBe(422);
    const conflict = await call('PUT', `${PRS}/p`, created);
    expect(conflict.status).toBe(409);
    const statusPatch = await call(
      'PATCH',
      `${PRS}/p/status`,
      { status: { startTime: '2024-01-01T00:00:00Z' } },
      'application/merge-patch+json',
    );
    expect(statusPatch.body.status).toEqual({ startTime: '2024-01-01T00:00:00Z' });
    expect(statusPatch.body.metadata.generation).toBe(2);
    expect(kube.get('PipelineRun', 'default', 'p')?.status).toEqual({ startTime: '2024-01-01T00:00:00Z' });
  });

  it('deletes: a custom resource answers the object, a built-in kind a Success Status', async () => {
    const { kube, call } = await fixture();
    await call('POST', PRS, pipelineRun({ metadata: { name: 'p' } }));
    const deleted = await call('DELETE', `${PRS}/p`);
    expect(deleted.body).toMatchObject({ kind: 'PipelineRun', metadata: { name: 'p' } });
    expect((await call('DELETE', `${PRS}/p`)).status).toBe(404);
    await call('POST', '/api/v1/namespaces/default/configmaps', {
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: 'c' },
    });
    expect((await call('DELETE', '/api/v1/namespaces/default/configmaps/c')).body).toMatchObject({
      kind: 'Status',
      status: 'Success',
      details: { name: 'c', kind: 'configmaps' },
    });
    expect(kube.list('ConfigMap')).toEqual([]);
  });

  it('injects faults for matching requests: Status bodies, 429 with retry-after, dropped connections', async () => {
    const { kube, call } = await fixture();
    kube.fault({ status: 503, path: '/apis/tekton.dev', method: 'post', times: 2 });
    expect(await call('POST', PRS, pipelineRun())).toMatchObject({
      status: 503,
      body: { kind: 'Status', reason: 'ServiceUnavailable' },
    });
    expect((await call('GET', PRS)).status).toBe(200);
    expect((await call('POST', PRS, pipelineRun())).status).toBe(503);
    expect((await call('POST', PRS, pipelineRun())).status).toBe(201);
    kube.fault({ status: 429 });
    const limited = await call('GET', PRS);
    expect(limited.status).toBe(429);
    expect(limited.headers.get('retry-after')).toBe('1');
    kube.fault({ reset: true });
    await expect(call('GET', PRS)).rejects.toThrow();
    expect(kube.requests.map((r) => r.status)).toEqual([503, 200, 503, 201, 429, -1]);
    expect(kube.unexpected()).toEqual([]);
  });

  it('create() seeds objects through the same admission as a POST', async () => {
    const { kube } = await fixture();
    const seeded = kube.create(pipelineRun() as never);
    expect(seeded.metadata.name).toMatch(/^deploy-/);
    expect(kube.list('PipelineRun', 'default')).toHaveLength(1);
    expect(() => kube.create({ apiVersion: 'tekton.dev/v1', kind: 'PipelineRun', metadata: {} })).toThrow(
      /name or generateName/,
    );
  });
});
