import type { TektonDeployInput } from '@sentry-git/core';
import { tektonDeploySchema } from '@sentry-git/core/internal';
import { describe, expect, it } from 'vitest';
import { buildPipelineRun } from '../src/pipelinerun/build.js';
import { jobVariables } from '../src/variables.js';
import { tektonJob } from './helpers.js';

function build(block: TektonDeployInput, template?: Record<string, unknown>) {
  const job = tektonJob(block, { id: 'job_1', runId: 'run_1' });
  return buildPipelineRun({
    template,
    source: 'test',
    block: tektonDeploySchema.parse(block),
    job,
    variables: jobVariables(job),
    defaultNamespace: 'from-context',
  });
}

const JOB_LABELS = {
  'sentry-git.dev/repository': 'rag-service',
  'sentry-git.dev/run-id': 'run_1',
  'sentry-git.dev/job-id': 'job_1',
  'sentry-git.dev/commit': '0123456789abcdef0123456789abcdef01234567',
};

describe('building the PipelineRun', () => {
  it('from pipeline_ref and params, with generateName, the context namespace and the job labels', () => {
    const run = build({
      pipeline_ref: 'deploy',
      params: {
        revision: '$(sentry.sha)',
        images: ['a', '$(sentry.short_sha)'],
        meta: { branch: '$(sentry.branch)' },
      },
      service_account: 'deployer',
    });
    expect(run).toEqual({
      apiVersion: 'tekton.dev/v1',
      kind: 'PipelineRun',
      metadata: { generateName: 'rag-', namespace: 'from-context', labels: JOB_LABELS },
      spec: {
        pipelineRef: { name: 'deploy' },
        params: [
          { name: 'revision', value: '0123456789abcdef0123456789abcdef01234567' },
          { name: 'images', value: ['a', '0123456'] },
          { name: 'meta', value: { branch: 'main' } },
        ],
        taskRunTemplate: { serviceAccountName: 'deployer' },
      },
    });
  });

  it('takes a pipelineRef object (a resolver) as it is', () => {
    const ref = { resolver: 'git', params: [{ name: 'url', value: '$(sentry.repo_url)' }] };
    expect(build({ pipeline_ref: ref }).spec?.pipelineRef).toEqual({
      resolver: 'git',
      params: [{ name: 'url', value: 'https://github.com/acme/rag.git' }],
    });
  });

  it('from a template: merges params by name, keeps its labels under the job labels, never keeps a fixed name', () => {
    const template = {
      apiVersion: 'tekton.dev/v1',
      kind: 'PipelineRun',
      metadata: {
        name: 'nightly',
        namespace: 'from-template',
        uid: 'old',
        resourceVersion: '7',
        labels: { team: 'qa', 'sentry-git.dev/job-id': 'forged' },
      },
      spec: {
        pipelineRef: { name: 'deploy' },
        params: [
          { name: 'revision', value: 'main' },
          { name: 'keep', value: 'me' },
        ],
        taskRunTemplate: { podTemplate: { nodeSelector: { pool: 'ci' } } },
      },
      status: { conditions: [] },
    };
    const run = build(
      {
        pipelinerun: template,
        params: { revision: '$(sentry.sha)', extra: 'x' },
        labels: { branch: '$(sentry.branch)' },
        service_account: 'sa',
      },
      template,
    );
    expect(run.metadata).toEqual({
      generateName: 'nightly-',
      namespace: 'from-template',
      labels: { team: 'qa', branch: 'main', ...JOB_LABELS },
    });
    expect(run.spec?.params).toEqual([
      { name: 'revision', value: '0123456789abcdef0123456789abcdef01234567' },
      { name: 'keep', value: 'me' },
      { name: 'extra', value: 'x' },
    ]);
    expect(run.spec?.taskRunTemplate).toEqual({
      podTemplate: { nodeSelector: { pool: 'ci' } },
      serviceAccountName: 'sa',
    });
    expect(run.status).toBeUndefined();
    expect(template.metadata.name).toBe('nightly');
  });

  it('lets generate_name and namespace from the block win', () => {
    const template = {
      apiVersion: 'tekton.dev/v1',
      kind: 'PipelineRun',
      metadata: { generateName: 'tpl-', namespace: 'tpl' },
      spec: {},
    };
    const run = build({ pipelinerun: template, generate_name: 'Deploy_Rag-', namespace: 'ci' }, template);
    expect(run.metadata?.generateName).toBe('deploy-rag-');
    expect(run.metadata?.namespace).toBe('ci');
    expect(build({ pipelinerun: template }, template).metadata?.generateName).toBe('tpl-');
  });

  it('makes branch names valid label values', () => {
    const run = build({ pipeline_ref: 'deploy', labels: { branch: 'feature/$(sentry.branch)/#1' } });
    expect(run.metadata?.labels?.branch).toBe('feature-main-1');
  });

  it('refuses a v1beta1 template and explains why', () => {
    const template = { apiVersion: 'tekton.dev/v1beta1', kind: 'PipelineRun', spec: {} };
    expect(() => build({ pipelinerun: template }, template)).toThrow(
      /tekton\.dev\/v1beta1 PipelineRun.*taskRunTemplate\.serviceAccountName/,
    );
    const task = { apiVersion: 'tekton.dev/v1', kind: 'Task', spec: {} };
    expect(() => build({ pipelinerun: task }, task)).toThrow(/test: is a Task, not a PipelineRun/);
  });
});
