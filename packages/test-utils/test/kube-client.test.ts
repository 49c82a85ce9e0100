import * as k8s from '@kubernetes/client-node';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  createPipelineRunValidator,
  hasReference,
  type PipelineRunValidator,
  progressions,
  tempdir,
} from '../src/index.js';
import { pipelineRun, kubeFixture as startFixture, succeededOf, watchWith } from './kube-helpers.js';

const PIPELINERUNS = { group: 'tekton.dev', version: 'v1', plural: 'pipelineruns' } as const;
const mergePatch = k8s.setHeaderOptions('Content-Type', k8s.PatchStrategy.MergePatch);

async function apiError(promise: Promise<unknown>): Promise<{ code: number; body: Record<string, unknown> }> {
  const error = await promise.then(
    () => {
      throw new Error('expected the request to fail');
    },
    (caught: unknown) => caught,
  );
  expect(error).toBeInstanceOf(k8s.ApiException);
  const { code, body } = error as k8s.ApiException<string>;
  return { code, body: typeof body === 'string' ? JSON.parse(body) : (body as Record<string, unknown>) };
}

describe('fake kube against @kubernetes/client-node 1.x', () => {
  let validator: PipelineRunValidator | false;
  beforeAll(() => {
    validator = hasReference() && createPipelineRunValidator();
  });
  const kubeFixture = () => startFixture({ validate: validator });

  it('CustomObjectsApi: create with generateName, get, list by label, merge-patch', async () => {
    const { kube, custom } = await kubeFixture();
    const created = await custom.createNamespacedCustomObject({
      ...PIPELINERUNS,
      namespace: 'default',
      body: pipelineRun(),
    });
    expect(created.metadata.name).toMatch(/^deploy-[bcdfghjklmnpqrstvwxz2456789]{5}$/);
    expect(created.metadata).toMatchObject({
      namespace: 'default',
      uid: expect.stringMatching(/^[0-9a-f-]{36}$/),
      generation: 1,
      resourceVersion: expect.stringMatching(/^\d+$/),
      creationTimestamp: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/),
    });
    // Tekton's defaulting webhook fills these in on a real cluster.
    expect(created.spec).toMatchObject({
      timeouts: { pipeline: '1h0m0s' },
      taskRunTemplate: { serviceAccountName: 'default' },
    });

    const name = created.metadata.name as string;
    const read = await custom.getNamespacedCustomObject({ ...PIPELINERUNS, namespace: 'default', name });
    expect(read).toEqual(created);

    await custom.createNamespacedCustomObject({
      ...PIPELINERUNS,
      namespace: 'default',
      body: pipelineRun({ metadata: { name: 'other', labels: { 'sentry-git.dev/job-id': 'job-2' } } }),
    });
    const list = await custom.listNamespacedCustomObject({
      ...PIPELINERUNS,
      namespace: 'default',
      labelSelector: 'sentry-git.dev/job-id=job-1',
    });
    expect(list).toMatchObject({
      kind: 'PipelineRunList',
      apiVersion: 'tekton.dev/v1',
      metadata: { resourceVersion: expect.any(String) },
    });
    expect(list.items.map((item: k8s.KubernetesObject) => item.metadata?.name)).toEqual([name]);

    const patched = await custom.patchNamespacedCustomObject(
      { ...PIPELINERUNS, namespace: 'default', name, body: { spec: { status: 'Cancelled' } } },
      mergePatch,
    );
    expect(patched.spec.status).toBe('Cancelled');
    expect(Number(patched.metadata.resourceVersion)).toBeGreaterThan(
      Number(created.metadata.resourceVersion),
    );
    expect(patched.metadata.generation).toBe(2);
    expect(kube.requests.find((r) => r.method === 'PATCH')?.headers['content-type']).toBe(
      'application/merge-patch+json',
    );
    expect(kube.unexpected()).toEqual([]);
  });

  it('CustomObjectsApi: Kubernetes Status errors (404, 409, 422, 415) reach the client intact', async () => {
    const { kube, custom } = await kubeFixture();
    const missing = await apiError(
      custom.getNamespacedCustomObject({ ...PIPELINERUNS, namespace: 'default', name: 'nope' }),
    );
    expect(missing).toEqual({
      code: 404,
      body: {
        kind: 'Status',
        apiVersion: 'v1',
        metadata: {},
        status: 'Failure',
        message: 'pipelineruns.tekton.dev "nope" not found',
        reason: 'NotFound',
        details: { name: 'nope', group: 'tekton.dev', kind: 'pipelineruns' },
        code: 404,
      },
    });

    const fixed = pipelineRun({ metadata: { name: 'fixed' } });
    await custom.createNamespacedCustomObject({ ...PIPELINERUNS, namespace: 'default', body: fixed });
    const again = await apiError(
      custom.createNamespacedCustomObject({ ...PIPELINERUNS, namespace: 'default', body: fixed }),
    );
    expect(again.code).toBe(409);
    expect(again.body).toMatchObject({
      reason: 'AlreadyExists',
      message: 'pipelineruns.tekton.dev "fixed" already exists',
    });

    if (kube.validating) {
      const invalid = pipelineRun({
        metadata: { name: 'bad' },
        spec: { pipelineRef: { name: 'deploy' }, params: [{ name: 'x' }] },
      });
      const rejected = await apiError(
        custom.createNamespacedCustomObject({ ...PIPELINERUNS, namespace: 'default', body: invalid }),
      );
      expect(rejected).toEqual({
        code: 422,
        body: {
          kind: 'Status',
          apiVersion: 'v1',
          metadata: {},
          status: 'Failure',
          message: 'PipelineRun.tekton.dev "bad" is invalid: spec.params[0].value: Required value',
          reason: 'Invalid',
          details: {
            name: 'bad',
            group: 'tekton.dev',
            kind: 'PipelineRun',
            causes: [
              { reason: 'FieldValueRequired', message: 'Required value', field: 'spec.params[0].value' },
            ],
          },
          code: 422,
        },
      });
    }

    // CustomObjectsApi's patch defaults to JSON patch; a strategic merge patch is refused on a CRD.
    const strategic = await apiError(
      custom.patchNamespacedCustomObject(
        { ...PIPELINERUNS, namespace: 'default', name: 'fixed', body: { spec: { status: 'Cancelled' } } },
        k8s.setHeaderOptions('Content-Type', k8s.PatchStrategy.StrategicMergePatch),
      ),
    );
    expect(strategic.code).toBe(415);
    expect(strategic.body.reason).toBe('UnsupportedMediaType');

    const jsonPatched = await custom.patchNamespacedCustomObject({
      ...PIPELINERUNS,
      namespace: 'default',
      name: 'fixed',
      body: [{ op: 'add', path: '/metadata/labels', value: { team: 'qa' } }],
    });
    expect(jsonPatched.metadata.labels).toEqual({ team: 'qa' });
    expect(kube.unexpected()).toEqual([]);
  });

  it('KubernetesObjectApi: server-side apply creates (201) then merges (200), using discovery', async () => {
    const { kube, objects } = await kubeFixture();
    const configMap = {
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: 'settings', namespace: 'default' },
      data: { a: '1' },
    };
    const created: k8s.KubernetesObject = await objects.patch(
      configMap,
      undefined,
      undefined,
      'sentry-git',
      true,
      k8s.PatchStrategy.ServerSideApply,
    );
    expect(created).toMatchObject({ kind: 'ConfigMap', metadata: { name: 'settings' }, data: { a: '1' } });
    const updated: k8s.KubernetesObject = await objects.patch(
      { ...configMap, data: { b: '2' } },
      undefined,
      undefined,
      'sentry-git',
      true,
      k8s.PatchStrategy.ServerSideApply,
    );
    expect(updated).toMatchObject({ data: { a: '1', b: '2' } });
    expect(updated.metadata?.uid).toBe(created.metadata?.uid);

    const task = {
      apiVersion: 'tekton.dev/v1',
      kind: 'Task',
      metadata: { name: 'build', namespace: 'default' },
      spec: { steps: [{ name: 'build', image: 'alpine', script: 'echo hi' }] },
    };
    const appliedTask = await objects.patch(
      task,
      undefined,
      undefined,
      'sentry-git',
      true,
      k8s.PatchStrategy.ServerSideApply,
    );
    expect(appliedTask).toMatchObject({ apiVersion: 'tekton.dev/v1', kind: 'Task', spec: task.spec });

    const role = {
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'ClusterRole',
      metadata: { name: 'reader' },
      rules: [],
    };
    const appliedRole = await objects.patch(
      role,
      undefined,
      undefined,
      'sentry-git',
      true,
      k8s.PatchStrategy.ServerSideApply,
    );
    expect(appliedRole.metadata).not.toHaveProperty('namespace');

    const statuses = kube.requests.map((r) => `${r.method} ${r.path} ${r.status}`);
    expect(statuses).toEqual([
      'GET /api/v1 200',
      'PATCH /api/v1/namespaces/default/configmaps/settings 201',
      'PATCH /api/v1/namespaces/default/configmaps/settings 200',
      'GET /apis/tekton.dev/v1 200',
      'PATCH /apis/tekton.dev/v1/namespaces/default/tasks/build 201',
      'GET /apis/rbac.authorization.k8s.io/v1 200',
      'PATCH /apis/rbac.authorization.k8s.io/v1/clusterroles/reader 201',
    ]);
    expect(
      kube.requests
        .filter((r) => r.method === 'PATCH')
        .every((r) => r.query.get('fieldManager') === 'sentry-git'),
    ).toBe(true);
    expect(kube.list('Task')).toHaveLength(1);
    expect(kube.unexpected()).toEqual([]);
  });

  it('KubernetesObjectApi: the default strategic merge patch is refused on a custom resource (415)', async () => {
    const { objects, custom } = await kubeFixture();
    await custom.createNamespacedCustomObject({
      ...PIPELINERUNS,
      namespace: 'default',
      body: pipelineRun({ metadata: { name: 'p' } }),
    });
    const spec = {
      apiVersion: 'tekton.dev/v1',
      kind: 'PipelineRun',
      metadata: { name: 'p', namespace: 'default' },
      spec: { status: 'Cancelled' },
    };
    const error = await apiError(objects.patch(spec));
    expect(error.code).toBe(415);
    const merged = await objects.patch(
      spec,
      undefined,
      undefined,
      undefined,
      undefined,
      k8s.PatchStrategy.MergePatch,
    );
    expect((merged as unknown as { spec: { status: string } }).spec.status).toBe('Cancelled');
  });

  it('KubernetesObjectApi: an apiVersion no CRD serves fails discovery with 404', async () => {
    const { objects } = await kubeFixture();
    const missing = {
      apiVersion: 'argoproj.io/v1alpha1',
      kind: 'Application',
      metadata: { name: 'a', namespace: 'default' },
    };
    await expect(
      objects.patch(missing, undefined, undefined, 'sentry-git', true, k8s.PatchStrategy.ServerSideApply),
    ).rejects.toThrow(/Failed to fetch resource metadata for argoproj.io\/v1alpha1\/Application/);
  });

  it('Watch: follows a PipelineRun from its create resourceVersion to Succeeded, TaskRuns included', async () => {
    const { kube, config, custom } = await kubeFixture();
    kube.onPipelineRun(() => progressions.succeeds());
    const created = await custom.createNamespacedCustomObject({
      ...PIPELINERUNS,
      namespace: 'default',
      body: pipelineRun(),
    });
    const name = created.metadata.name as string;
    const log = await watchWith(config, '/apis/tekton.dev/v1/namespaces/default/pipelineruns', {
      fieldSelector: `metadata.name=${name}`,
      resourceVersion: created.metadata.resourceVersion,
    });
    const done = await log.waitFor((event) => succeededOf(event.object)?.status === 'True');
    expect(log.events.map((event) => [event.type, succeededOf(event.object)?.reason])).toEqual([
      ['MODIFIED', 'Started'],
      ['MODIFIED', 'Running'],
      ['MODIFIED', 'Succeeded'],
    ]);
    expect((done.object as { status: unknown }).status).toMatchObject({
      childReferences: [
        { apiVersion: 'tekton.dev/v1', kind: 'TaskRun', name: `${name}-build`, pipelineTaskName: 'build' },
      ],
      startTime: expect.any(String),
      completionTime: expect.any(String),
    });

    const taskRuns = await custom.listNamespacedCustomObject({
      group: 'tekton.dev',
      version: 'v1',
      namespace: 'default',
      plural: 'taskruns',
      labelSelector: `tekton.dev/pipelineRun=${name}`,
    });
    expect(taskRuns.items).toHaveLength(1);
    expect(taskRuns.items[0].metadata.labels).toMatchObject({
      'tekton.dev/pipelineTask': 'build',
      'sentry-git.dev/job-id': 'job-1',
    });
    expect(succeededOf(taskRuns.items[0])).toMatchObject({ status: 'True', reason: 'Succeeded' });
  });

  it('Watch: the client sees a dropped stream end and a refused one fail with the status code', async () => {
    const { kube, config } = await kubeFixture();
    const log = await watchWith(config, '/apis/tekton.dev/v1/namespaces/default/pipelineruns', {});
    expect(kube.watchCount()).toBe(1);
    kube.dropWatches();
    expect(await log.done).toBeNull();

    kube.refuseWatches(true);
    const refused = await watchWith(config, '/apis/tekton.dev/v1/namespaces/default/pipelineruns', {});
    expect(await refused.done).toMatchObject({ statusCode: 403 });
    kube.refuseWatches(true, 500);
    const broken = await watchWith(config, '/apis/tekton.dev/v1/namespaces/default/pipelineruns', {});
    expect(await broken.done).toMatchObject({ statusCode: 500 });
  });

  it('a wrong token is answered 401 Unauthorized with a Status body', async () => {
    const { kube } = await kubeFixture();
    const config = new k8s.KubeConfig();
    config.loadFromFile(
      await kube.writeKubeconfig(await tempdir(), { token: 'wrong', context: 'ci', namespace: 'tekton' }),
    );
    expect(config.getCurrentContext()).toBe('ci');
    expect(config.getContextObject('ci')?.namespace).toBe('tekton');
    // The generated client drops a 401's body (it throws ApiException 'Unauthorized'); the wire has the Status.
    const error = await apiError(
      config
        .makeApiClient(k8s.CustomObjectsApi)
        .listNamespacedCustomObject({ ...PIPELINERUNS, namespace: 'default' }),
    );
    expect(error.code).toBe(401);
    const raw = await fetch(`${kube.url}/apis/tekton.dev/v1/namespaces/default/pipelineruns`, {
      headers: { authorization: 'Bearer wrong' },
    });
    expect(raw.status).toBe(401);
    expect(await raw.json()).toEqual({
      kind: 'Status',
      apiVersion: 'v1',
      metadata: {},
      status: 'Failure',
      message: 'Unauthorized',
      reason: 'Unauthorized',
      code: 401,
    });
  });
});
