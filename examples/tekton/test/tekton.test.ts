import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { execa } from 'execa';
import { describe, expect, it, onTestFinished } from 'vitest';
// The examples are not workspace packages: the loopback Kubernetes API comes from test-utils'
// sources by path (vitest compiles them), the CLI from its build (`pnpm build`).
import {
  type FakeKube,
  gitdir,
  hasReference,
  type KubeObject,
  progressions,
  startFakeKube,
  tempdir,
  validatePipelineRun,
} from '../../../packages/test-utils/src/index.js';

const here = path.resolve(__dirname, '..');
const bin = path.resolve(here, '../../packages/cli/bin/run.js');
const config = path.join(here, 'sentry.yaml');
const NAMESPACE = 'tekton-pipelines';
// yaml through test-utils, which depends on it: the examples have no dependencies of their own.
const { parseAllDocuments } = createRequire(path.resolve(here, '../../packages/test-utils/package.json'))(
  'yaml',
) as typeof import('yaml');
const HAS_KUBECTL = spawnSync('kubectl', ['version', '--client'], { encoding: 'utf8' }).status === 0;

interface Param {
  name: string;
  value?: unknown;
  default?: unknown;
}

function manifests(file: string): KubeObject[] {
  return parseAllDocuments(readFileSync(path.join(here, file), 'utf8')).map(
    (doc) => doc.toJS() as KubeObject,
  );
}

function specOf<T>(object: KubeObject | undefined): T {
  return (object?.spec ?? {}) as T;
}

function succeededCondition(run: KubeObject | undefined): { status?: string; reason?: string } | undefined {
  const status = run?.status as { conditions?: Array<{ type: string; status: string; reason: string }> };
  return status?.conditions?.find((condition) => condition.type === 'Succeeded');
}

/**
 * The example's sentry.yaml against a loopback Kubernetes API with Tekton: temporary copies of
 * the web, api and deploy-config (qa/) repositories, the manifests of tekton/ installed.
 */
async function setup() {
  const kube: FakeKube = await startFakeKube({ namespaces: ['default', NAMESPACE] });
  onTestFinished(() => kube.close());
  for (const object of [...manifests('tekton/task.yaml'), ...manifests('tekton/pipeline.yaml')])
    kube.create({ ...object, metadata: { ...object.metadata, namespace: NAMESPACE } });
  const web = await gitdir({ branches: ['main'] });
  const api = await gitdir({ branches: ['main'] });
  const qa = await gitdir();
  await qa.commit('main', {
    '.tekton/pipeline.yaml': readFileSync(path.join(here, 'qa/.tekton/pipeline.yaml'), 'utf8'),
    '.tekton/run.yaml': readFileSync(path.join(here, 'qa/.tekton/run.yaml'), 'utf8'),
  });
  const dir = await tempdir();
  const env = {
    KUBECONFIG: await kube.writeKubeconfig(dir),
    WEB_REPO: web.bare,
    API_REPO: api.bare,
    QA_REPO: qa.bare,
    TEKTON_NAMESPACE: NAMESPACE,
    STATE_PATH: path.join(dir, 'state.db'),
    SENTRY_GIT_LOG_FORMAT: 'json',
    NO_COLOR: '1',
  };
  const sentryGit = (...args: string[]) =>
    execa('node', [bin, ...args, '-c', config], { reject: false, timeout: 60_000, env });
  return { kube, web, api, sentryGit };
}

/** A repository's PipelineRuns for a commit (two repositories may hold the same commit). */
function runsOf(kube: FakeKube, repository: string, sha: string): KubeObject[] {
  return kube
    .list('PipelineRun', NAMESPACE)
    .filter(
      (run) =>
        run.metadata.labels?.['sentry-git.dev/repository'] === repository &&
        run.metadata.labels?.['sentry-git.dev/commit'] === sha,
    );
}

function expectValid(kube: FakeKube): void {
  if (!hasReference()) return;
  for (const run of kube.list('PipelineRun', NAMESPACE)) {
    const { valid, errors } = validatePipelineRun(run);
    expect(valid, JSON.stringify(errors)).toBe(true);
  }
}

describe('examples/tekton: sentry.yaml against a loopback Kubernetes API with Tekton', () => {
  it('a push deploys web through a PipelineRun of tekton/pipeline.yaml and api through qa/.tekton; both succeed', async () => {
    const { kube, web, api, sentryGit } = await setup();
    const taskNames = (name: string) =>
      specOf<{ tasks: Array<{ name: string }> }>(kube.get('Pipeline', NAMESPACE, name)).tasks.map(
        (t) => t.name,
      );
    kube.onPipelineRun((run) =>
      progressions.succeeds({
        tasks: taskNames(specOf<{ pipelineRef: { name: string } }>(run).pipelineRef.name),
      }),
    );

    const validated = await sentryGit('validate');
    expect(validated.exitCode, validated.stderr).toBe(0);
    const baseline = await sentryGit('watch', '--once');
    expect(baseline.exitCode, baseline.stderr).toBe(0);
    expect(kube.list('PipelineRun', NAMESPACE)).toEqual([]);

    const webSha = await web.commit('main', { 'index.html': '<h1>web v2</h1>\n' });
    const apiSha = await api.commit('main', { 'server.js': '// api v2\n' });
    expect(webSha).not.toBe(apiSha);
    const deployed = await sentryGit('watch', '--once');
    expect(deployed.stderr).not.toMatch(/"level":50/);
    expect(deployed.exitCode, deployed.stderr).toBe(0);

    // web, pipelinerun mode: the Pipeline of tekton/, every param it declares filled from sentry.*.
    const [webRun, ...moreWeb] = runsOf(kube, 'web', webSha);
    expect(moreWeb).toEqual([]);
    expect(webRun?.metadata.name).toMatch(/^web-[a-z0-9]{5}$/);
    expect(webRun?.metadata.labels).toMatchObject({
      'sentry-git.dev/repository': 'web',
      'sentry-git.dev/commit': webSha,
      'sentry-git.dev/run-id': expect.stringMatching(/^run_/),
      'sentry-git.dev/job-id': expect.stringMatching(/^job_/),
    });
    const webSpec = specOf<{ pipelineRef: { name: string }; params: Param[] }>(webRun);
    expect(webSpec.pipelineRef).toEqual({ name: 'sentry-deploy' });
    expect(webSpec.params).toEqual(
      expect.arrayContaining([
        { name: 'git-url', value: web.bare },
        { name: 'revision', value: webSha },
        { name: 'branch', value: 'main' },
      ]),
    );
    const declared = specOf<{ params: Param[] }>(kube.get('Pipeline', NAMESPACE, 'sentry-deploy')).params;
    expect(webSpec.params.map((p) => p.name).sort()).toEqual(declared.map((p) => p.name).sort());
    expect(succeededCondition(webRun)).toMatchObject({ status: 'True', reason: 'Succeeded' });

    // api, apply mode: qa/.tekton's Pipeline applied, its PipelineRun created from run.yaml.
    expect(kube.get('Pipeline', NAMESPACE, 'api-release')).toBeDefined();
    const [apiRun, ...moreApi] = runsOf(kube, 'api', apiSha);
    expect(moreApi).toEqual([]);
    expect(apiRun?.metadata.name).toMatch(/^api-release-[a-z0-9]{5}$/);
    expect(apiRun?.metadata.labels).toMatchObject({ 'sentry-git.dev/repository': 'api' });
    expect(specOf<{ params: Param[] }>(apiRun).params).toEqual([
      { name: 'git-url', value: api.bare },
      { name: 'revision', value: apiSha },
    ]);
    expect(succeededCondition(apiRun)).toMatchObject({ status: 'True', reason: 'Succeeded' });
    expectValid(kube);
    expect(kube.unexpected()).toEqual([]);

    const runs = JSON.parse((await sentryGit('runs', '--json')).stdout) as Array<{
      status: string;
      jobs: Array<{ repository: string; sha: string; status: string; output: string }>;
    }>;
    expect(runs.map((run) => run.status)).toEqual(['succeeded', 'succeeded']);
    const webJob = runs.flatMap((run) => run.jobs).find((job) => job.repository === 'web');
    expect(webJob).toMatchObject({ sha: webSha, status: 'succeeded' });
    expect(webJob?.output).toContain('[deploy] Succeeded');
  }, 180_000);

  it('a failed PipelineRun fails the run, with Tekton’s reason as the error, and watch --once exits 1', async () => {
    const { kube, web, sentryGit } = await setup();
    kube.onPipelineRun(() => progressions.fails('Failed', undefined, { tasks: ['test', 'deploy'] }));
    const baseline = await sentryGit('watch', '--once');
    expect(baseline.exitCode, baseline.stderr).toBe(0);

    const sha = await web.commit('main');
    const watched = await sentryGit('watch', '--once');
    expect(watched.exitCode, watched.stderr).toBe(1);
    const [run, ...others] = runsOf(kube, 'web', sha);
    expect(others).toEqual([]);
    expect(succeededCondition(run)).toMatchObject({ status: 'False', reason: 'Failed' });

    const runs = JSON.parse((await sentryGit('runs', '--json')).stdout) as Array<{
      status: string;
      jobs: Array<{ status: string; sha: string; error: string }>;
    }>;
    expect(runs[0]).toMatchObject({ status: 'failed', jobs: [{ status: 'failed', sha }] });
    expect(runs[0]?.jobs[0]?.error).toMatch(
      new RegExp(`^PipelineRun ${run?.metadata.name} Failed: Tasks Completed: 1 \\(Failed: 1`),
    );
    expect(kube.unexpected()).toEqual([]);
  }, 180_000);
});

describe('examples/tekton: the manifests', () => {
  it.skipIf(!HAS_KUBECTL)('tekton/ renders with kubectl kustomize: the Task and the Pipeline', async () => {
    const result = await execa('kubectl', ['kustomize', path.join(here, 'tekton')], { reject: false });
    expect(result.exitCode, result.stderr).toBe(0);
    const objects = parseAllDocuments(result.stdout).map((doc) => doc.toJS() as KubeObject);
    expect(objects.map((o) => `${o.kind}/${o.metadata.name}`).sort()).toEqual([
      'Pipeline/sentry-deploy',
      'Task/sentry-checkout-run',
    ]);
  });

  it('every pipeline task passes the params its Task requires, and only those it declares', () => {
    const [task] = manifests('tekton/task.yaml');
    const [pipeline] = manifests('tekton/pipeline.yaml');
    const taskParams = specOf<{ params: Param[] }>(task).params;
    const required = taskParams.filter((p) => p.default === undefined).map((p) => p.name);
    const pipelineTasks = specOf<{
      tasks: Array<{ name: string; taskRef: { name: string }; params: Param[] }>;
    }>(pipeline).tasks;
    expect(pipelineTasks.map((t) => t.name)).toEqual(['test', 'deploy']);
    for (const pipelineTask of pipelineTasks) {
      expect(pipelineTask.taskRef.name).toBe(task?.metadata.name);
      const passed = pipelineTask.params.map((p) => p.name);
      expect(passed).toEqual(expect.arrayContaining(required));
      expect(taskParams.map((p) => p.name)).toEqual(expect.arrayContaining(passed));
    }
    const [run] = manifests('qa/.tekton/run.yaml');
    const [qaPipeline] = manifests('qa/.tekton/pipeline.yaml');
    expect(specOf<{ pipelineRef: { name: string } }>(run).pipelineRef.name).toBe(qaPipeline?.metadata.name);
  });
});

it('the demo deploys both repositories, shows the PipelineRuns, and a failed PipelineRun fails the run', async () => {
  const result = await execa('node', [path.join(here, 'demo.mjs')], {
    reject: false,
    timeout: 120_000,
    env: { SENTRY_GIT_LOG_FORMAT: 'json', NO_COLOR: '1' },
  });
  expect(result.exitCode, result.stdout + result.stderr).toBe(0);
  expect(result.stdout).toMatch(/web: 1 PipelineRun for [0-9a-f]{10}, Succeeded \(as expected\)/);
  expect(result.stdout).toMatch(/api: 1 PipelineRun for [0-9a-f]{10}, Succeeded \(as expected\)/);
  expect(result.stdout).toMatch(/sentry-git watch --once exited with 1 \(as expected\)/);
  expect(result.stdout).toMatch(/web: 1 PipelineRun for [0-9a-f]{10}, Failed \(as expected\)/);
  expect(result.stdout).toMatch(
    /web\s+main\s+[0-9a-f]{10}\s+failed\s+-\s+.*PipelineRun web-[a-z0-9]{5} Failed/,
  );
  expect(result.stdout).toMatch(/Done\./);
}, 180_000);
