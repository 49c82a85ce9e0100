import type { DeployConfig } from '@sentry-git/core';
import { describe, expect, it } from 'vitest';
import { validateDeploy } from '../src/validate.js';

function problems(tekton: unknown, deploy: Partial<DeployConfig> = {}) {
  return validateDeploy({ executor: 'tekton', ...deploy, tekton } as DeployConfig);
}

function keys(tekton: unknown, deploy: Partial<DeployConfig> = {}) {
  return problems(tekton, deploy).map((problem) => problem.key);
}

describe('validate', () => {
  it('accepts a complete block of each mode', () => {
    expect(problems({ pipeline_ref: 'deploy', params: { revision: '$(sentry.sha)' } })).toEqual([]);
    expect(problems({ pipelinerun: { apiVersion: 'tekton.dev/v1', kind: 'PipelineRun', spec: {} } })).toEqual(
      [],
    );
    expect(problems({ pipelinerun_file: 'runs/deploy.yaml' }, { qa_repo_url: 'https://git/qa' })).toEqual([]);
    expect(problems({ mode: 'eventlistener', event_listener_url: 'http://el:8080', secret: 's' })).toEqual(
      [],
    );
    expect(problems({ mode: 'apply' }, { qa_repo_url: 'https://git/qa' })).toEqual([]);
  });

  it('asks for the tekton block with an example when it is missing', () => {
    const [problem] = validateDeploy({ executor: 'tekton' } as DeployConfig);
    expect(problem?.key).toBe('tekton');
    expect(problem?.message).toMatch(/needs a deploy\.tekton block; e\.g\. tekton: \{ pipeline_ref: deploy/);
  });

  it('pipelinerun mode needs exactly one of pipeline_ref, pipelinerun, pipelinerun_file', () => {
    expect(problems({})).toEqual([
      {
        key: 'tekton.pipeline_ref',
        message: expect.stringMatching(/needs one of pipeline_ref .* e\.g\. pipeline_ref: deploy/),
      },
    ]);
    expect(problems({ pipeline_ref: 'a', pipelinerun_file: 'b' }, { qa_repo_url: 'x' })).toEqual([
      {
        key: 'tekton.pipelinerun_file',
        message: 'is set together with pipeline_ref; keep only one of pipeline_ref, pipelinerun_file',
      },
    ]);
  });

  it('pipelinerun_file and apply mode need qa_repo_url', () => {
    expect(keys({ pipelinerun_file: 'run.yaml' })).toEqual(['qa_repo_url']);
    expect(problems({ mode: 'apply', tekton_dir: 'ci/tekton' })).toEqual([
      {
        key: 'qa_repo_url',
        message: 'apply mode applies the ci/tekton folder of the QA repository; set qa_repo_url to it',
      },
    ]);
  });

  it('eventlistener mode needs event_listener_url', () => {
    expect(problems({ mode: 'eventlistener' })).toEqual([
      {
        key: 'tekton.event_listener_url',
        message: expect.stringMatching(/needs the EventListener's address, e\.g\. event_listener_url: http/),
      },
    ]);
  });

  it('flags keys of another mode', () => {
    expect(
      keys({ mode: 'eventlistener', event_listener_url: 'http://el:8080', pipeline_ref: 'deploy' }),
    ).toEqual(['tekton.pipeline_ref']);
    expect(keys({ pipeline_ref: 'deploy', event_listener_url: 'http://el:8080' })).toEqual([
      'tekton.event_listener_url',
    ]);
  });

  it('names unknown $(sentry.x) variables where they are', () => {
    expect(
      problems({
        pipeline_ref: 'deploy',
        params: { revision: '$(sentry.commit)' },
        labels: { 'app.kubernetes.io/name': '$(sentry.name)' },
      }),
    ).toEqual([
      {
        key: 'tekton.params.revision',
        message: expect.stringMatching(/^unknown variable \$\(sentry\.commit\); the job variables are/),
      },
      {
        key: 'tekton.labels["app.kubernetes.io/name"]',
        message: expect.stringMatching(/unknown variable \$\(sentry\.name\)/),
      },
    ]);
  });

  it('explains a v1beta1 inline template', () => {
    const [problem] = problems({
      pipelinerun: { apiVersion: 'tekton.dev/v1beta1', kind: 'PipelineRun', spec: {} },
    });
    expect(problem?.key).toBe('tekton.pipelinerun');
    expect(problem?.message).toMatch(
      /tekton\.dev\/v1beta1 PipelineRun; the executor creates tekton\.dev\/v1.*Fix: Convert it/,
    );
  });

  it('reports schema problems of a block that skipped the config loader', () => {
    expect(problems({ mode: 'sideways', pipeline_ref: 'deploy' })).toEqual([
      { key: 'tekton.mode', message: expect.any(String) },
    ]);
  });
});
