import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import {
  type FakeKube,
  type GitFixture,
  gitdir,
  hasReference,
  type KubeObject,
  progressions,
  promiseGate,
  startFakeEventListener,
  startFakeKube,
  tempdir,
  validatePipelineRun,
} from '@sentry-git/test-utils';
import { describe, expect, it, onTestFinished } from 'vitest';
import { cli, spawnCli } from './cli.js';
import { expectAllowedByRole } from './rbac.js';

const NAMESPACE = 'tekton-pipelines';

async function fakeKube(): Promise<FakeKube> {
  const kube = await startFakeKube({ namespaces: ['default', NAMESPACE] });
  onTestFinished(() => kube.close());
  return kube;
}

function pipelineRuns(kube: FakeKube): KubeObject[] {
  return kube.list('PipelineRun', NAMESPACE);
}

function posts(kube: FakeKube, resource: string): number {
  return kube.requests.filter((r) => r.method === 'POST' && r.path.endsWith(`/${resource}`)).length;
}

function expectValidPipelineRuns(kube: FakeKube): void {
  if (!hasReference()) return;
  for (const run of pipelineRuns(kube)) {
    const { valid, errors } = validatePipelineRun(run);
    expect(valid, JSON.stringify(errors)).toBe(true);
  }
}

async function project(files: Record<string, string>): Promise<string> {
  const dir = await tempdir();
  for (const [name, text] of Object.entries(files)) await writeFile(path.join(dir, name), text);
  return dir;
}

function pipelinerunConfig(remote: GitFixture): string {
  return `polling_interval: 1
global: { tmp_dir: ./jobs, shutdown_grace: 5 }
repositories:
  - name: app
    monitor: { repo_url: "${remote.bare}", branches: ["main"] }
    deploy:
      executor: tekton
      project_name: app
      tekton:
        kubeconfig: ./kubeconfig
        namespace: ${NAMESPACE}
        pipeline_ref: deploy
        poll_interval: 1
        params:
          revision: "$(sentry.sha)"
          git-url: "$(sentry.repo_url)"
          branch: "$(sentry.branch)"
`;
}

describe('tekton executor through the CLI (pipelinerun mode)', () => {
  it('trigger creates a valid, labelled PipelineRun and reports its success', async () => {
    const kube = await fakeKube();
    const remote = await gitdir({ branches: ['main'] });
    const sha = (await remote.heads()).get('main');
    const dir = await project({ 'sentry.yaml': pipelinerunConfig(remote) });
    await kube.writeKubeconfig(dir);
    kube.onPipelineRun(() => progressions.succeeds({ tasks: ['build', 'deploy'] }));

    const result = await cli(['trigger', 'app'], { cwd: dir });
    expect(result.stderr).not.toMatch(/error/i);
    expect(result.exitCode).toBe(0);
    expect(result.stdout).toMatch(/app\s+main\s+\w{10}\s+succeeded/);

    const [run, ...others] = pipelineRuns(kube);
    expect(others).toHaveLength(0);
    expect(run?.metadata.name).toMatch(/^app-[a-z0-9]{5}$/);
    expect(run?.metadata.labels).toMatchObject({
      'sentry-git.dev/repository': 'app',
      'sentry-git.dev/commit': sha,
    });
    expect(run?.metadata.labels?.['sentry-git.dev/run-id']).toMatch(/^run_/);
    expect(run?.metadata.labels?.['sentry-git.dev/job-id']).toMatch(/^job_/);
    expect(run?.spec).toMatchObject({
      pipelineRef: { name: 'deploy' },
      params: expect.arrayContaining([
        { name: 'revision', value: sha },
        { name: 'git-url', value: remote.bare },
        { name: 'branch', value: 'main' },
      ]),
    });
    expectValidPipelineRuns(kube);
    expect(kube.unexpected()).toEqual([]);
    await expectAllowedByRole('pipelinerun-mode.yaml', kube.requests);

    const runs = JSON.parse((await cli(['runs', '--json'], { cwd: dir })).stdout) as Array<{
      jobs: Array<{ output: string }>;
    }>;
    expect(runs[0]?.jobs[0]?.output).toContain('[deploy] Succeeded');
  });

  it('watch --once after a push deploys the new commit; a failed PipelineRun fails the run with its reason', async () => {
    const kube = await fakeKube();
    const remote = await gitdir({ branches: ['main'] });
    const dir = await project({ 'sentry.yaml': pipelinerunConfig(remote) });
    await kube.writeKubeconfig(dir);
    kube.onPipelineRun(() =>
      progressions.fails('Failed', 'Tasks Completed: 1 (Failed: 1, Cancelled 0), Skipped: 0'),
    );

    expect((await cli(['watch', '--once'], { cwd: dir })).exitCode).toBe(0);
    expect(pipelineRuns(kube)).toHaveLength(0);
    const sha = await remote.commit('main');
    const watched = await cli(['watch', '--once'], { cwd: dir });
    // --once exits 1 when a run it started failed.
    expect(watched.exitCode, watched.stderr).toBe(1);
    expect(
      pipelineRuns(kube).map((run) => run.metadata.labels?.['sentry-git.dev/commit']),
      watched.stderr,
    ).toEqual([sha]);

    const runs = JSON.parse((await cli(['runs', '--json'], { cwd: dir })).stdout) as Array<{
      status: string;
      jobs: Array<{ status: string; sha: string; error: string }>;
    }>;
    expect(runs[0]).toMatchObject({ status: 'failed' });
    expect(runs[0]?.jobs[0]).toMatchObject({ status: 'failed', sha });
    expect(runs[0]?.jobs[0]?.error).toMatch(/Failed: Tasks Completed: 1 \(Failed: 1/);
    expectValidPipelineRuns(kube);
    expect(kube.unexpected()).toEqual([]);
  });

  it('kill -9 while a PipelineRun runs, start again: it re-attaches and creates no second PipelineRun', async () => {
    const kube = await fakeKube();
    const remote = await gitdir({ branches: ['main'] });
    const dir = await project({ 'sentry.yaml': pipelinerunConfig(remote) });
    await kube.writeKubeconfig(dir);
    const finish = promiseGate();
    const created = promiseGate();
    kube.onPipelineRun(() => {
      created.open();
      return progressions.runsUntil(finish.promise);
    });

    expect((await cli(['watch', '--once'], { cwd: dir })).exitCode).toBe(0);
    const sha = await remote.commit('main');
    const watch = spawnCli(['watch', '--log-level', 'debug'], { cwd: dir });
    await created.promise;
    await watch.waitForLog((line) => typeof line.msg === 'string' && line.msg.includes('[build] Running'));
    watch.child.kill('SIGKILL');
    await watch.child;
    expect(pipelineRuns(kube)).toHaveLength(1);

    const restarted = spawnCli(['watch', '--once', '--log-level', 'debug'], { cwd: dir });
    await restarted.waitForLog(
      (line) => typeof line.msg === 'string' && line.msg.includes('Re-attached to PipelineRun'),
    );
    finish.open();
    const result = await restarted.child;
    expect(result.exitCode).toBe(0);
    expect(posts(kube, 'pipelineruns')).toBe(1);
    expect(pipelineRuns(kube)).toHaveLength(1);

    const runs = JSON.parse((await cli(['runs', '--json'], { cwd: dir })).stdout) as Array<{
      status: string;
      attempts: number;
      jobs: Array<{ status: string; sha: string }>;
    }>;
    expect(runs).toHaveLength(1);
    expect(runs[0]).toMatchObject({ status: 'succeeded', attempts: 1 });
    expect(runs[0]?.jobs[0]).toMatchObject({ status: 'succeeded', sha });
    expect(kube.unexpected()).toEqual([]);
  });
});

describe('validate: a tekton deploy block', () => {
  it('names each problem with its full key path and the fix, all at once', async () => {
    const dir = await project({
      'sentry.yaml': `repositories:
  - name: app
    monitor: { repo_url: /tmp/nowhere.git, branches: [main] }
    deploy:
      executor: tekton
      tekton:
        params: { rev: "$(sentry.commit)" }
        event_listener_url: http://el.example:8080
  - name: bare
    monitor: { repo_url: /tmp/nowhere.git, branches: [main] }
    deploy: { executor: tekton }
`,
    });
    const result = await cli(['validate'], { cwd: dir });
    expect(result.exitCode).toBe(1);
    expect(result.stderr).toContain('(4 problems)');
    expect(result.stderr).toMatch(
      /repositories\[0\]\.deploy\.tekton\.pipeline_ref: pipelinerun mode needs one of/,
    );
    expect(result.stderr).toMatch(
      /repositories\[0\]\.deploy\.tekton\.event_listener_url: is not used in pipelinerun mode/,
    );
    expect(result.stderr).toMatch(
      /repositories\[0\]\.deploy\.tekton\.params\.rev: unknown variable \$\(sentry\.commit\)/,
    );
    expect(result.stderr).toMatch(
      /repositories\[1\]\.deploy\.tekton: the tekton executor needs a deploy\.tekton block/,
    );
  });
});

describe('tekton executor through the CLI (eventlistener mode)', () => {
  it('signs the event, follows the PipelineRun it created, and reports its failure, never the 202', async () => {
    const kube = await fakeKube();
    const secret = 'el-shared-secret-1234';
    const listener = await startFakeEventListener({
      kube,
      namespace: NAMESPACE,
      interceptor: 'github',
      secret,
    });
    onTestFinished(() => listener.close());
    kube.onPipelineRun(() => progressions.fails('Failed'));
    const remote = await gitdir({ branches: ['main'] });
    const dir = await project({
      'sentry.yaml': `repositories:
  - name: app
    monitor: { repo_url: "${remote.bare}", branches: ["main"] }
    deploy:
      executor: tekton
      tekton:
        mode: eventlistener
        event_listener_url: ${listener.url}
        secret: "\${EL_SECRET}"
        kubeconfig: ./kubeconfig
        namespace: ${NAMESPACE}
        poll_interval: 1
`,
    });
    await kube.writeKubeconfig(dir);

    const result = await cli(['trigger', 'app'], { cwd: dir, env: { EL_SECRET: secret } });
    expect(result.exitCode).toBe(1);
    expect(result.stdout).toMatch(/app\s+main\s+\w{10}\s+failed/);
    expect(listener.deliveries).toHaveLength(1);
    expect(listener.deliveries[0]).toMatchObject({ accepted: true });
    const [run] = pipelineRuns(kube);
    expect(run?.metadata.labels?.['triggers.tekton.dev/triggers-eventid']).toBe(
      listener.deliveries[0]?.eventID,
    );
    const runs = (await cli(['runs', '--json'], { cwd: dir, env: { EL_SECRET: secret } })).stdout;
    expect(runs).toContain(listener.deliveries[0]?.eventID);
    expect(`${result.stdout}${result.stderr}${runs}`).not.toContain(secret);
    expect(listener.unexpected()).toEqual([]);
    expect(kube.unexpected()).toEqual([]);
    await expectAllowedByRole('eventlistener-mode.yaml', kube.requests);
  });
});

describe("the simplified Sentry's config (apply mode)", () => {
  async function setup() {
    const kube = await fakeKube();
    const target = await gitdir({ branches: ['main', 'develop'] });
    const qa = await gitdir();
    await qa.commit('main', {
      '.tekton/pipeline.yaml': `apiVersion: tekton.dev/v1
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
        - { name: revision, value: "$(params.revision)" }
`,
      '.tekton/tasks/build.yaml': `apiVersion: tekton.dev/v1
kind: Task
metadata:
  name: build
spec:
  params:
    - name: revision
  steps:
    - name: build
      image: alpine
      script: echo building $(params.revision)
---
apiVersion: v1
kind: ConfigMap
metadata:
  name: deploy-settings
data:
  target: "$(sentry.branch)"
`,
      '.tekton/run.yaml': `apiVersion: tekton.dev/v1
kind: PipelineRun
metadata:
  generateName: deploy-run-
spec:
  pipelineRef: { name: deploy }
  params:
    - name: revision
      value: "$(sentry.sha)"
`,
    });
    const dir = await project({
      'sentry.yaml': `target_repo:
  url: "${target.bare}"
  branches: "main,develop"
  type: "git"

qa_repo:
  url: "${qa.bare}"
  branch: "main"
  type: "git"

polling_interval: 300
tekton_dir: ".tekton"
kubectl_context: "default"
namespace: "${NAMESPACE}"
log_level: "info"
max_retries: 3
timeout: 120
`,
    });
    const kubeconfig = await kube.writeKubeconfig(dir, { context: 'default' });
    return { kube, target, dir, env: { KUBECONFIG: kubeconfig } };
  }

  it('validate explains how the file maps onto the tekton executor', async () => {
    const { dir, env } = await setup();
    const result = await cli(['validate'], { cwd: dir, env });
    expect(result.exitCode).toBe(0);
    expect(result.stdout).toContain('Read as a simplified Sentry configuration');
    expect(result.stdout).toMatch(/tekton_dir -> repositories\[0\]\.deploy\.tekton\.tekton_dir/);
    expect(result.stdout).toMatch(/kubectl_context -> repositories\[0\]\.deploy\.tekton\.context/);
    expect(result.stdout).toContain('deploy.tekton.mode: apply');
  });

  it('runs end to end: a push applies .tekton, creates its PipelineRun and follows it to success', async () => {
    const { kube, target, dir, env } = await setup();
    kube.onPipelineRun(() => progressions.succeeds());

    expect((await cli(['watch', '--once'], { cwd: dir, env })).exitCode).toBe(0);
    expect(kube.list('Pipeline', NAMESPACE)).toHaveLength(0);
    const sha = await target.commit('develop');
    const result = await cli(['watch', '--once'], { cwd: dir, env });
    expect(result.exitCode).toBe(0);

    expect(kube.get('Pipeline', NAMESPACE, 'deploy')).toBeDefined();
    expect(kube.get('Task', NAMESPACE, 'build')).toBeDefined();
    expect(kube.get('ConfigMap', NAMESPACE, 'deploy-settings')).toMatchObject({
      data: { target: 'develop' },
    });
    const [run, ...others] = pipelineRuns(kube);
    expect(others).toHaveLength(0);
    expect(run?.metadata.name).toMatch(/^deploy-run-[a-z0-9]{5}$/);
    expect(run?.metadata.labels).toMatchObject({
      'sentry-git.dev/commit': sha,
      'sentry-git.dev/repository': 'remote',
    });
    expect(run?.spec).toMatchObject({ params: [{ name: 'revision', value: sha }] });

    const runs = JSON.parse((await cli(['runs', '--json'], { cwd: dir, env })).stdout) as Array<{
      status: string;
      jobs: Array<{ status: string; branch: string }>;
    }>;
    expect(runs[0]).toMatchObject({
      status: 'succeeded',
      jobs: [{ status: 'succeeded', branch: 'develop' }],
    });
    expectValidPipelineRuns(kube);
    expect(kube.unexpected()).toEqual([]);
    await expectAllowedByRole('apply-mode.yaml', kube.requests);
  });
});
