import { describe, expect, it } from 'vitest';
import { expandVariables, jobVariables, unknownVariables } from '../src/variables.js';
import { tektonJob } from './helpers.js';

describe('$(sentry.*) job variables', () => {
  const job = tektonJob(
    { pipeline_ref: 'deploy' },
    { branch: 'feature/x', group: null, previousSha: null, runId: 'run_1', id: 'job_1', trigger: 'poll' },
  );
  const variables = jobVariables(job);

  it('gives every documented variable its job value', () => {
    expect(variables).toEqual({
      repo_url: 'https://github.com/acme/rag.git',
      repository: 'rag-service',
      branch: 'feature/x',
      sha: '0123456789abcdef0123456789abcdef01234567',
      short_sha: '0123456',
      previous_sha: '',
      project: 'rag',
      run_id: 'run_1',
      job_id: 'job_1',
      trigger: 'poll',
      group: '',
    });
  });

  it('expands them deep inside objects and arrays, leaving Tekton variables alone', () => {
    const value = {
      params: [{ name: 'revision', value: '$(sentry.sha)' }],
      list: ['$(sentry.branch)@$(sentry.short_sha)', '$(params.revision)', '$(context.pipelineRun.name)'],
      number: 3,
    };
    expect(expandVariables(value, variables, 'test')).toEqual({
      params: [{ name: 'revision', value: '0123456789abcdef0123456789abcdef01234567' }],
      list: ['feature/x@0123456', '$(params.revision)', '$(context.pipelineRun.name)'],
      number: 3,
    });
  });

  it('finds unknown names and refuses to expand them, naming where', () => {
    expect(
      unknownVariables({ a: '$(sentry.commit) $(sentry.sha) $(sentry.commit)', b: ['$(sentry.nope)'] }),
    ).toEqual(['commit', 'nope']);
    expect(() => expandVariables({ a: '$(sentry.commit)' }, variables, '.tekton/run.yaml:1')).toThrow(
      /\.tekton\/run\.yaml:1: unknown variable \$\(sentry\.commit\); the job variables are \$\(sentry\.repo_url\)/,
    );
  });
});
