import { describeExecutor } from '@sentry-git/core/testing';
import { progressions } from '@sentry-git/test-utils';
import { afterAll, beforeAll } from 'vitest';
import { type Cluster, sharedValidator, startCluster } from './cluster.js';
import { tektonJob } from './helpers.js';

const validate = sharedValidator();
let cluster: Cluster;

beforeAll(async () => {
  cluster = await startCluster({ kube: { validate } });
  // The Pipeline's name picks the story.
  cluster.kube.onPipelineRun((run) => {
    const pipeline = (run.spec as { pipelineRef?: { name?: string } }).pipelineRef?.name;
    if (pipeline === 'succeeds') return progressions.succeeds();
    if (pipeline === 'fails')
      return progressions.fails('Failed', 'Tasks Completed: 1 (Failed: 1, Cancelled 0), Skipped: 0');
    if (pipeline === 'hangs') return progressions.runsForever();
    return undefined;
  });
});

afterAll(async () => {
  cluster.expectValidPipelineRuns();
  cluster.expectNoUnexpectedRequests();
  await cluster.close();
});

describeExecutor({
  name: 'tekton executor conformance',
  executor: () => cluster.executor,
  jobs: {
    succeed: () => tektonJob(cluster.block({ pipeline_ref: 'succeeds' })),
    fail: () => tektonJob(cluster.block({ pipeline_ref: 'fails' })),
    hang: () => tektonJob(cluster.block({ pipeline_ref: 'hangs' })),
  },
});
