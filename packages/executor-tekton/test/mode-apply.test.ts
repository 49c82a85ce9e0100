import { loadConfig } from '@sentry-git/core';
import { makeJob, recordingContext } from '@sentry-git/core/testing';
import {
  gitdir,
  hasReference,
  progressions,
  referencePath,
  startFakeKube,
  tempdir,
} from '@sentry-git/test-utils';
import { describe, expect, it } from 'vitest';
import { createTektonExecutor } from '../src/index.js';
import { clusterPerTest, sharedValidator } from './cluster.js';
import { tektonJob } from './helpers.js';

const validate = sharedValidator();
const cluster = clusterPerTest(validate);

const TASK = `apiVersion: tekton.dev/v1
kind: Task
metadata:
  name: build
spec:
  params:
    - name: revision
  steps:
    - name: build
      image: alpine
      script: echo $(params.revision)
`;

const PIPELINE = `apiVersion: tekton.dev/v1
kind: Pipeline
metadata:
  name: deploy
spec:
  params:
    - name: revision
  tasks:
    - name: build
      taskRef: { name: build }
      params:
        - { name: revision, value: $(params.revision) }
---
apiVersion: v1
kind: ConfigMap
metadata:
  name: deploy-settings
  namespace: somewhere-else
data:
  branch: $(sentry.branch)
`;

const PIPELINE_RUN = `apiVersion: tekton.dev/v1
kind: PipelineRun
metadata:
  generateName: deploy-run-
spec:
  pipelineRef: { name: deploy }
  params:
    - name: revision
      value: $(sentry.sha)
`;

async function qaRepository(files: Record<string, string>) {
  const qa = await gitdir();
  await qa.commit('main', files);
  return qa;
}

async function applyJob(files: Record<string, string>, block: Record<string, unknown> = {}) {
  const qa = await qaRepository(files);
  return tektonJob(cluster.block({ mode: 'apply', ...block }), {
    deploy: { qa_repo_url: qa.url, qa_repo_branch: 'main' },
    settings: { tmpDir: await tempdir() },
  });
}

function applyRequests() {
  return cluster.kube.requests.filter((request) => request.method === 'PATCH');
}

describe('apply mode', () => {
  it('server-side applies the .tekton folder, then creates and follows its PipelineRun', async () => {
    cluster.kube.onPipelineRun(() => progressions.succeeds());
    const job = await applyJob(
      {
        '.tekton/pipeline.yaml': PIPELINE,
        '.tekton/tasks/build.yml': TASK,
        '.tekton/run.yaml': PIPELINE_RUN,
        'README.md': '# qa',
      },
      { namespace: 'ci' },
    );
    const recording = recordingContext();
    const result = await cluster.executor.execute(job, recording.context);
    expect(result.status, result.error ?? '').toBe('succeeded');

    expect(cluster.kube.get('Task', 'ci', 'build')).toBeDefined();
    expect(cluster.kube.get('Pipeline', 'ci', 'deploy')).toBeDefined();
    // The block's namespace overrides the manifest's; variables are expanded.
    expect(cluster.kube.get('ConfigMap', 'ci', 'deploy-settings')?.data).toEqual({ branch: 'main' });
    expect(cluster.kube.get('ConfigMap', 'somewhere-else', 'deploy-settings')).toBeUndefined();

    const patches = applyRequests();
    expect(patches.map((request) => request.path)).toEqual([
      '/apis/tekton.dev/v1/namespaces/ci/pipelines/deploy',
      '/api/v1/namespaces/ci/configmaps/deploy-settings',
      '/apis/tekton.dev/v1/namespaces/ci/tasks/build',
    ]);
    for (const request of patches) {
      expect(request.headers['content-type']).toBe('application/apply-patch+yaml');
      expect(request.query.get('fieldManager')).toBe('sentry-git');
      expect(request.query.get('force')).toBe('true');
    }

    const [run] = cluster.kube.list('PipelineRun', 'ci');
    expect(run?.metadata.name).toMatch(/^deploy-run-[a-z0-9]{5}$/);
    expect(run?.metadata.labels?.['sentry-git.dev/job-id']).toBe(job.id);
    expect(run?.spec).toMatchObject({ params: [{ name: 'revision', value: job.sha }] });
    const system = recording.text('system');
    expect(system).toContain('Applied Pipeline/deploy in namespace ci (.tekton/pipeline.yaml:1)');
    expect(system).toContain('Applied ConfigMap/deploy-settings in namespace ci (.tekton/pipeline.yaml:14)');
    expect(system).toContain(`Created PipelineRun ${run?.metadata.name} in namespace ci`);
    expect(recording.text('stdout')).toContain('[build] Succeeded');
  });

  it('succeeds only when every PipelineRun of the folder succeeds', async () => {
    cluster.kube.onPipelineRun((run) =>
      run.metadata.generateName === 'second-'
        ? progressions.fails('Failed', 'the second one failed')
        : progressions.succeeds(),
    );
    const second = PIPELINE_RUN.replace('deploy-run-', 'second-');
    const job = await applyJob({ '.tekton/a.yaml': PIPELINE_RUN, '.tekton/b.yaml': second });
    const recording = recordingContext();
    const result = await cluster.executor.execute(job, recording.context);
    expect(result.status).toBe('failed');
    const failedRun = cluster.kube.list('PipelineRun').find((run) => run.metadata.generateName === 'second-');
    expect(result.error).toBe(`PipelineRun ${failedRun?.metadata.name} Failed: the second one failed`);
    expect(cluster.kube.list('PipelineRun')).toHaveLength(2);
    // Two runs followed at once: their TaskRun lines say which run they belong to.
    expect(recording.text('stdout')).toContain(`[${failedRun?.metadata.name}/build] Failed`);
  });

  it('succeeds after the apply when the folder holds no PipelineRun, saying so', async () => {
    const recording = recordingContext();
    const result = await cluster.executor.execute(
      await applyJob({ '.tekton/task.yaml': TASK }),
      recording.context,
    );
    expect(result.status).toBe('succeeded');
    expect(recording.text('system')).toContain(
      'No PipelineRun in .tekton: applied 1 object(s), nothing to follow',
    );
    expect(cluster.kube.get('Task', 'default', 'build')).toBeDefined();
  });

  it('applies nothing when a file does not parse, naming the file and line', async () => {
    const job = await applyJob({
      '.tekton/a-task.yaml': TASK,
      '.tekton/broken.yaml': 'apiVersion: v1\nkind: ConfigMap\nkind: Secret\n',
    });
    const result = await cluster.executor.execute(job, recordingContext().context);
    expect(result.status).toBe('failed');
    expect(result.error).toMatch(/^\.tekton\/broken\.yaml:3: Map keys must be unique/);
    expect(applyRequests()).toEqual([]);
  });

  it('fails naming the kind the cluster does not serve', async () => {
    const job = await applyJob({
      '.tekton/x.yaml': 'apiVersion: example.com/v1\nkind: Widget\nmetadata: { name: w }\n',
    });
    const result = await cluster.executor.execute(job, recordingContext().context);
    expect(result.status).toBe('failed');
    expect(result.error).toMatch(
      /\.tekton\/x\.yaml:1: the cluster does not serve Widget in example\.com\/v1\./,
    );
  });

  it('re-attaches to the PipelineRuns of an earlier attempt without applying or creating anything', async () => {
    cluster.kube.onPipelineRun(() => progressions.succeeds());
    const job = await applyJob({ '.tekton/task.yaml': TASK, '.tekton/run.yaml': PIPELINE_RUN });
    expect((await cluster.executor.execute(job, recordingContext().context)).status).toBe('succeeded');
    const applied = applyRequests().length;
    const recording = recordingContext();
    const again = await cluster.executor.execute(job, recording.context);
    expect(again.status).toBe('succeeded');
    expect(recording.text('system')).toMatch(
      /Re-attached to PipelineRun deploy-run-[a-z0-9]{5} in namespace default/,
    );
    expect(applyRequests()).toHaveLength(applied);
    expect(cluster.pipelineRunCreates()).toHaveLength(1);
  });

  it('fails without a QA repository, before any request', async () => {
    const result = await cluster.executor.execute(
      tektonJob(cluster.block({ mode: 'apply' })),
      recordingContext().context,
    );
    expect(result.status).toBe('failed');
    expect(result.error).toMatch(
      /deploy\.qa_repo_url: apply mode applies the \.tekton folder of the QA repository; set qa_repo_url/,
    );
    expect(cluster.kube.requests).toEqual([]);
  });
});

describe("the simplified Sentry's configuration", () => {
  it.skipIf(!hasReference())(
    'loads unchanged and its deploy block runs apply mode against the cluster',
    async () => {
      const { config } = await loadConfig({
        file: referencePath('original-configs', 'sentry-simple.yaml'),
        env: { GITHUB_TOKEN: 'ghp_test', GITLAB_TOKEN: 'glpat-test' },
      });
      const [repository] = config.repositories;
      const deploy = repository?.deploy;
      expect(deploy?.executor).toBe('tekton');
      expect(deploy?.tekton).toMatchObject({
        mode: 'apply',
        tekton_dir: '.tekton',
        context: 'default',
        namespace: 'tekton-pipelines',
      });

      // The same block, with the QA repository and cluster replaced by local ones.
      const kube = await startFakeKube({ namespaces: ['tekton-pipelines'], validate });
      try {
        kube.onPipelineRun(() => progressions.succeeds());
        const dir = await tempdir();
        const kubeconfig = await kube.writeKubeconfig(dir, { context: 'default' });
        const qa = await qaRepository({
          '.tekton/task.yaml': TASK,
          '.tekton/pipeline.yaml': PIPELINE,
          '.tekton/run.yaml': PIPELINE_RUN,
        });
        const executor = createTektonExecutor({ env: { KUBECONFIG: kubeconfig } });
        expect(executor.validate?.({ ...deploy!, qa_repo_url: qa.url })).toEqual([]);
        const job = makeJob({
          deploy: { ...deploy!, qa_repo_url: qa.url, auth: undefined },
          settings: { tmpDir: await tempdir() },
        });
        const result = await executor.execute(job, recordingContext().context);
        expect(result.status, result.error ?? '').toBe('succeeded');
        expect(kube.get('Pipeline', 'tekton-pipelines', 'deploy')).toBeDefined();
        expect(kube.list('PipelineRun', 'tekton-pipelines')).toHaveLength(1);
        expect(kube.unexpected()).toEqual([]);
      } finally {
        await kube.close();
      }
    },
  );
});
