import { describe, expect, it } from 'vitest';
import { jobLabels, jobSelector, labelValue } from '../src/labels.js';
import { tektonJob } from './helpers.js';

const VALID_LABEL_VALUE = /^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$/;

describe('labels', () => {
  it('sanitises any text into a valid label value', () => {
    for (const text of [
      'acme/rag service',
      '--x--',
      'a'.repeat(100),
      'ok_1.2',
      '日本',
      '',
      'feature/#123-',
    ]) {
      const value = labelValue(text);
      expect(value).toMatch(VALID_LABEL_VALUE);
      expect(value.length).toBeLessThanOrEqual(63);
    }
    expect(labelValue('acme/rag service')).toBe('acme-rag-service');
    expect(labelValue('ok_1.2')).toBe('ok_1.2');
  });

  it('labels a job with repository, run id, job id and the full commit', () => {
    const job = tektonJob(
      { pipeline_ref: 'deploy' },
      { repository: 'acme/rag', id: 'job_abc', runId: 'run_xyz' },
    );
    expect(jobLabels(job)).toEqual({
      'sentry-git.dev/repository': 'acme-rag',
      'sentry-git.dev/run-id': 'run_xyz',
      'sentry-git.dev/job-id': 'job_abc',
      'sentry-git.dev/commit': '0123456789abcdef0123456789abcdef01234567',
    });
    expect(jobSelector(job)).toBe('sentry-git.dev/job-id=job_abc');
  });
});
