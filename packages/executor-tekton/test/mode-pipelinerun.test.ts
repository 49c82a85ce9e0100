import { RunCancelledError, ShutdownError } from '@sentry-git/core';
import { tektonDeploySchema } from '@sentry-git/core/internal';
import { recordingContext } from '@sentry-git/core/testing';
import {
  gitdir,
  hasReference,
  type Progression,
  progressions,
  promiseGate,
  tasksSummary,
  tempdir,
} from '@sentry-git/test-utils';
import { describe, expect, it } from 'vitest';
import { clusterPerTest } from './cluster.js';
import { onFirstOutput, tektonJob } from './helpers.js';

const cluster = clusterPerTest();

function story(progression: Progression): void {
  cluster.kube.onPipelineRun(() => progression);
}

describe('pipelinerun mode: outcomes', () => {
  it('Succeeded → succeeded, with TaskRun progress on stdout and notes on system', async () => {
    story(progressions.succeeds({ tasks: ['build', 'test'] }));
    const recording = recordingContext();
    const job = tektonJob(cluster.block({ pipeline_ref: 'deploy', params: { revision: '$(sentry.sha)' } }));
    const result = await cluster.executor.execute(job, recording.context);
    expect(result).toMatchObject({ status: 'succeeded', error: null, exitCode: null });

    const [run] = cluster.kube.list('PipelineRun', 'default');
    const name = run?.metadata.name ?? '';
    expect(name).toMatch(/^rag-[a-z0-9]{5}$/);
    expect(run?.metadata.labels).toMatchObject({
      'sentry-git.dev/repository': 'rag-service',
      'sentry-git.dev/job-id': job.id,
      'sentry-git.dev/run-id': job.runId,
      'sentry-git.dev/commit': job.sha,
    });
    expect(run?.spec).toMatchObject({
      pipelineRef: { name: 'deploy' },
      params: [{ name: 'revision', value: job.sha }],
    });
    expect(recording.text('stdout')).toBe(
      [
        '[build] Running',
        '[test] Running',
        '[build] Succeeded: All Steps have completed executing',
        '[test] Succeeded: All Steps have completed executing',
        '',
      ].join('\n'),
    );
    expect(recording.text('system')).toContain(`Created PipelineRun ${name} in namespace default\n`);
    expect(recording.text('system')).toContain(`PipelineRun ${name}: Succeeded: ${tasksSummary(2)}\n`);
    expect(result.output).toContain('[test] Succeeded');
  });

  it.each([
    ['Failed', progressions.fails('Failed', tasksSummary(1, 1)), 'failed', `Failed: ${tasksSummary(1, 1)}`],
    [
      'PipelineRunTimeout',
      progressions.timesOut(),
      'failed',
      'PipelineRunTimeout: PipelineRun "NAME" failed to finish within "1h0m0s"',
    ],
    [
      'CreateRunFailed',
      progressions.createRunFailed('Failed to create TaskRun "x": quota exceeded'),
      'failed',
      'CreateRunFailed: Failed to create TaskRun "x": quota exceeded',
    ],
    [
      'Cancelled (by someone else)',
      [
        { status: 'Unknown', reason: 'Started' },
        {
          status: 'False',
          reason: 'Cancelled',
          message: (pr) => `PipelineRun "${pr.metadata.name}" was cancelled`,
        },
      ] satisfies Progression,
      'cancelled',
      'Cancelled: PipelineRun "NAME" was cancelled',
    ],
  ] as const)('%s → %s, reason and message kept', async (_label, progression, status, error) => {
    story([...progression]);
    const result = await cluster.executor.execute(
      tektonJob(cluster.block({ pipeline_ref: 'deploy' })),
      recordingContext().context,
    );
    const name = cluster.kube.list('PipelineRun')[0]?.metadata.name ?? '';
    expect(result.status).toBe(status);
    expect(result.error).toBe(`PipelineRun ${name} ${error.replace('NAME', name)}`);
  });

  it.skipIf(!hasReference())(
    "fails with the API server's Status message and causes when the PipelineRun is invalid (422)",
    async () => {
      const template = {
        apiVersion: 'tekton.dev/v1',
        kind: 'PipelineRun',
        metadata: { name: 'nightly' },
        spec: { pipelineRef: { name: 'deploy' }, params: [{ name: 'revision' }] },
      };
      const result = await cluster.executor.execute(
        tektonJob(cluster.block({ pipelinerun: template })),
        recordingContext().context,
      );
      expect(result.status).toBe('failed');
      expect(result.error).toMatch(
        /^Kubernetes answered 422 Invalid to create pipelineruns\.tekton\.dev in namespace default \(http:\/\/127\.0\.0\.1:\d+\): PipelineRun\.tekton\.dev "nightly-[a-z0-9]{5}" is invalid: /,
      );
      expect(result.error).toContain('spec.params[0].value');
      expect(result.error).toMatch(/Fix: Correct the object/);
      expect(cluster.kube.list('PipelineRun')).toEqual([]);
    },
  );

  it('creates a second PipelineRun for a second deploy (generateName, never a fixed name)', async () => {
    story(progressions.succeeds());
    const template = {
      apiVersion: 'tekton.dev/v1',
      kind: 'PipelineRun',
      metadata: { name: 'nightly' },
      spec: { pipelineRef: { name: 'deploy' } },
    };
    for (let index = 0; index < 2; index++) {
      const result = await cluster.executor.execute(
        tektonJob(cluster.block({ pipelinerun: template })),
        recordingContext().context,
      );
      expect(result.status).toBe('succeeded');
    }
    const names = cluster.kube.list('PipelineRun').map((run) => run.metadata.name);
    expect(names).toHaveLength(2);
    for (const name of names) expect(name).toMatch(/^nightly-[a-z0-9]{5}$/);
  });

  it("uses the block's namespace, service account and labels", async () => {
    story(progressions.succeeds());
    const block = cluster.block({
      pipeline_ref: 'deploy',
      namespace: 'ci',
      service_account: 'deployer',
      labels: { 'app.kubernetes.io/part-of': '$(sentry.project)' },
      generate_name: 'deploy-$(sentry.short_sha)-',
    });
    const result = await cluster.executor.execute(tektonJob(block), recordingContext().context);
    expect(result.status).toBe('succeeded');
    const [run] = cluster.kube.list('PipelineRun', 'ci');
    expect(run?.spec).toMatchObject({ taskRunTemplate: { serviceAccountName: 'deployer' } });
    expect(run?.metadata.labels?.['app.kubernetes.io/part-of']).toBe('rag');
    expect(run?.metadata.name).toMatch(/^deploy-0123456-[a-z0-9]{5}$/);
  });
});

describe('pipelinerun mode: a template file of the QA repository', () => {
  it('clones the QA repository, reads the file, merges the block params and follows the run', async () => {
    story(progressions.succeeds());
    const qa = await gitdir();
    await qa.commit('release', {
      'tekton/run.yaml': [
        'apiVersion: tekton.dev/v1',
        'kind: PipelineRun',
        'metadata:',
        '  name: rag-release',
        '  labels: { team: ml }',
        'spec:',
        '  pipelineRef: { name: release }',
        '  params:',
        '    - { name: revision, value: "$(sentry.sha)" }',
        '    - { name: channel, value: stable }',
        '',
      ].join('\n'),
    });
    const job = tektonJob(
      cluster.block({ pipelinerun_file: 'tekton/run.yaml', params: { channel: 'canary' } }),
      { deploy: { qa_repo_url: qa.url, qa_repo_branch: 'release' } },
    );
    const recording = recordingContext();
    const result = await cluster.executor.execute(job, recording.context);
    expect(result.status, result.error ?? undefined).toBe('succeeded');
    const [run, ...others] = cluster.kube.list('PipelineRun', 'default');
    expect(others).toHaveLength(0);
    expect(run?.metadata.name).toMatch(/^rag-release-[a-z0-9]{5}$/);
    expect(run?.metadata.labels).toMatchObject({ team: 'ml', 'sentry-git.dev/job-id': job.id });
    expect(run?.spec).toMatchObject({
      pipelineRef: { name: 'release' },
      params: [
        { name: 'revision', value: job.sha },
        { name: 'channel', value: 'canary' },
      ],
    });
    expect(recording.text('system')).toContain('Cloning');
  });

  it('fails naming the file when the QA repository does not hold it', async () => {
    const qa = await gitdir();
    const job = tektonJob(cluster.block({ pipelinerun_file: 'tekton/missing.yaml' }), {
      deploy: { qa_repo_url: qa.url },
    });
    const result = await cluster.executor.execute(job, recordingContext().context);
    expect(result.status).toBe('failed');
    expect(result.error).toMatch(/tekton\/missing\.yaml/);
    expect(cluster.kube.list('PipelineRun')).toHaveLength(0);
  });
});

describe('pipelinerun mode: timeouts, shutdown and re-attaching', () => {
  it('a job timeout cancels the PipelineRun and waits for it to report Cancelled', async () => {
    story(progressions.runsForever());
    const recording = recordingContext();
    const job = { ...tektonJob(cluster.block({ pipeline_ref: 'deploy' })), timeoutSeconds: 1 };
    const result = await cluster.executor.execute(job, recording.context);
    expect(result).toMatchObject({ status: 'timed_out', error: 'job timed out after 1s', exitCode: null });
    const [run] = cluster.kube.list('PipelineRun');
    const name = run?.metadata.name;
    expect(run?.spec).toMatchObject({ status: 'Cancelled' });
    expect(run?.status).toMatchObject({
      conditions: [expect.objectContaining({ status: 'False', reason: 'Cancelled' })],
    });
    const cancel = cluster.kube.requests.find((request) => request.method === 'PATCH');
    expect(cancel?.headers['content-type']).toBe('application/merge-patch+json');
    expect(JSON.parse(cancel?.body ?? '{}')).toEqual({ spec: { status: 'Cancelled' } });
    expect(recording.text('system')).toContain(`Cancelling PipelineRun ${name} (job timed out after 1s)`);
    expect(recording.text('system')).toContain(
      `PipelineRun ${name}: Cancelled: PipelineRun "${name}" was cancelled`,
    );
    expect(recording.text('stdout')).toContain('[build] TaskRunCancelled: TaskRun');
  });

  it('shutdown cancels the PipelineRun and reports cancelled', async () => {
    story(progressions.runsForever());
    const recording = recordingContext({
      abortWhen: /\[build\] Running/,
      reason: new ShutdownError('sentry-git is shutting down'),
    });
    const result = await cluster.executor.execute(
      tektonJob(cluster.block({ pipeline_ref: 'deploy' })),
      recording.context,
    );
    expect(result).toMatchObject({ status: 'cancelled', error: 'sentry-git is shutting down' });
    expect(cluster.kube.list('PipelineRun')[0]?.status).toMatchObject({
      conditions: [expect.objectContaining({ reason: 'Cancelled' })],
    });
  });

  it('a run someone cancelled cancels the PipelineRun (spec.status Cancelled) and reports who asked', async () => {
    story(progressions.runsForever());
    const recording = recordingContext({
      abortWhen: /\[build\] Running/,
      reason: new RunCancelledError('cancelled by alice: wrong commit'),
    });
    const result = await cluster.executor.execute(
      tektonJob(cluster.block({ pipeline_ref: 'deploy' })),
      recording.context,
    );
    expect(result).toMatchObject({
      status: 'cancelled',
      error: 'cancelled by alice: wrong commit',
      exitCode: null,
    });
    const [run] = cluster.kube.list('PipelineRun');
    expect(run?.spec).toMatchObject({ status: 'Cancelled' });
    expect(run?.status).toMatchObject({
      conditions: [expect.objectContaining({ status: 'False', reason: 'Cancelled' })],
    });
    expect(recording.text('system')).toContain(
      `Cancelling PipelineRun ${run?.metadata.name} (cancelled by alice: wrong commit)`,
    );
  });

  it('re-attaches to the PipelineRun an earlier attempt of the job created: no second POST', async () => {
    const gate = promiseGate();
    story(progressions.runsUntil(gate.promise));
    const job = tektonJob(cluster.block({ pipeline_ref: 'deploy' }));
    // The first attempt creates the PipelineRun and follows it; then "the process dies" and the
    // job, recovered from the state store with the same id, runs again while the PipelineRun runs.
    const first = recordingContext();
    const started = new Promise<void>((resolve) =>
      onFirstOutput(first.context, /\[build\] Running/, resolve),
    );
    const firstResult = cluster.executor.execute(job, first.context);
    await started;
    const second = recordingContext();
    const secondResult = cluster.executor.execute(job, second.context);
    const name = cluster.kube.list('PipelineRun')[0]?.metadata.name;
    await new Promise<void>((resolve) => onFirstOutput(second.context, /\[build\] Running/, resolve));
    gate.open();
    expect((await secondResult).status).toBe('succeeded');
    expect((await firstResult).status).toBe('succeeded');
    expect(second.text('system')).toContain(`Re-attached to PipelineRun ${name} in namespace default`);
    expect(second.text('system')).not.toContain('Created PipelineRun');
    expect(cluster.pipelineRunCreates()).toHaveLength(1);
  });
});

describe('pipelinerun mode: configuration problems', () => {
  it('fails with the validation problems of a bad block, before any request', async () => {
    const job = tektonJob({}, {});
    const result = await cluster.executor.execute(job, recordingContext().context);
    expect(result.status).toBe('failed');
    expect(result.error).toMatch(
      /^The deploy block is not valid for the tekton executor:\ndeploy\.tekton\.pipeline_ref: pipelinerun mode needs one of/,
    );
    expect(cluster.kube.requests).toEqual([]);
  });

  it('fails with a fix when the credentials are refused (401)', async () => {
    const kubeconfig = await cluster.kube.writeKubeconfig(await tempdir(), { token: 'wrong' });
    const job = tektonJob({ kubeconfig, pipeline_ref: 'deploy' });
    const result = await cluster.executor.execute(job, recordingContext().context);
    expect(result.status).toBe('failed');
    expect(result.error).toMatch(
      /answered 401 to list pipelineruns\.tekton\.dev in namespace default \(.*\): Unauthorized Fix: The credentials were rejected/,
    );
  });

  it('retries a 503 and a dropped connection on create, creating exactly one PipelineRun', async () => {
    story(progressions.succeeds());
    cluster.kube.fault({
      status: 503,
      method: 'POST',
      path: /pipelineruns$/,
      headers: { 'retry-after': '0' },
    });
    cluster.kube.fault({ reset: true, method: 'POST', path: /pipelineruns$/ });
    const recording = recordingContext();
    const result = await cluster.executor.execute(
      tektonJob(cluster.block({ pipeline_ref: 'deploy', max_retries: 3 })),
      recording.context,
    );
    expect(result.status, result.error ?? '').toBe('succeeded');
    expect(cluster.kube.list('PipelineRun')).toHaveLength(1);
    expect(recording.text('system')).toMatch(
      /Kubernetes create pipelineruns\.tekton\.dev failed \(503\); retry 1 of 3/,
    );
  });

  it('says which namespace and resource a 403 is about and how to fix it', async () => {
    cluster.kube.fault({
      status: 403,
      method: 'POST',
      path: /pipelineruns$/,
      body: {
        kind: 'Status',
        apiVersion: 'v1',
        status: 'Failure',
        reason: 'Forbidden',
        code: 403,
        message:
          'pipelineruns.tekton.dev is forbidden: User "system:serviceaccount:sentry:sentry-git" cannot create resource "pipelineruns" in API group "tekton.dev" in the namespace "default"',
      },
    });
    const result = await cluster.executor.execute(
      tektonJob(cluster.block({ pipeline_ref: 'deploy' })),
      recordingContext().context,
    );
    expect(result.status).toBe('failed');
    expect(result.error).toContain(
      'lacks "create" on pipelineruns.tekton.dev in namespace default; grant it (see deploy/rbac/',
    );
  });

  it('checks that the parsed block keeps working as its own input', () => {
    const block = tektonDeploySchema.parse(cluster.block({ pipeline_ref: 'deploy' }));
    expect(tektonDeploySchema.parse(block)).toEqual(block);
  });
});
