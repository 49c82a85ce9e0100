import { recordingContext } from '@sentry-git/core/testing';
import { progressions, promiseGate } from '@sentry-git/test-utils';
import { describe, expect, it } from 'vitest';
import { type Cluster, clusterPerTest } from './cluster.js';
import { onFirstOutput, tektonJob } from './helpers.js';

const cluster = clusterPerTest();

function watchRequests(cluster: Cluster, plural: string) {
  return cluster.kube.requests.filter(
    (request) => request.path.endsWith(`/${plural}`) && request.query.get('watch') === 'true',
  );
}

describe('following a PipelineRun', () => {
  it('falls back to polling when watches are refused, and still completes', async () => {
    const gate = promiseGate();
    cluster.kube.onPipelineRun(() => progressions.runsUntil(gate.promise));
    cluster.kube.refuseWatches(true, 403);
    const recording = recordingContext();
    // The gate opens once the job has polled its way to the running state.
    onFirstOutput(recording.context, /\[build\] Running/, () => gate.open());
    const result = await cluster.executor.execute(
      tektonJob(cluster.block({ pipeline_ref: 'deploy' })),
      recording.context,
    );
    expect(result.status, result.error ?? '').toBe('succeeded');
    const name = cluster.kube.list('PipelineRun')[0]?.metadata.name;
    expect(recording.text('system')).toMatch(
      new RegExp(`Watching PipelineRun ${name} failed \\(403: .*\\); polling every 0\\.05s instead`),
    );
    expect(recording.text('stdout')).toContain('[build] Succeeded: All Steps have completed executing');
    const polls = cluster.kube.requests.filter(
      (request) => request.method === 'GET' && request.path.endsWith(`/pipelineruns/${name}`),
    );
    expect(polls.length).toBeGreaterThan(0);
  });

  it('opens a dropped watch again and follows the PipelineRun to its end (no polling)', async () => {
    const gate = promiseGate();
    cluster.kube.onPipelineRun(() => progressions.runsUntil(gate.promise));
    // The gate opens once the executor has seen its watch end and watches again.
    const recording = recordingContext({
      onDebug: (message) => {
        if (message.startsWith('the PipelineRun watch was closed')) gate.open();
      },
    });
    // "Running" comes from a watch event: the PipelineRun's watch is open when it is dropped.
    onFirstOutput(recording.context, /PipelineRun rag-\w+: Running/, () => cluster.kube.dropWatches());
    const result = await cluster.executor.execute(
      tektonJob(cluster.block({ pipeline_ref: 'deploy' })),
      recording.context,
    );
    expect(result.status, result.error ?? '').toBe('succeeded');
    expect(watchRequests(cluster, 'pipelineruns').length).toBeGreaterThanOrEqual(2);
    const name = cluster.kube.list('PipelineRun')[0]?.metadata.name;
    expect(
      cluster.kube.requests.some(
        (request) => request.method === 'GET' && request.path.endsWith(`/pipelineruns/${name}`),
      ),
    ).toBe(false);
    expect(recording.text('system')).not.toContain('polling');
    expect(recording.text('stdout')).toContain('[build] Succeeded');
  });

  it('reads the PipelineRun again when its resourceVersion expired (410), then watches on', async () => {
    const gate = promiseGate();
    cluster.kube.onPipelineRun(() => progressions.runsUntil(gate.promise));
    const recording = recordingContext({
      onDebug: (message) => {
        if (message.startsWith('the PipelineRun watch was closed')) gate.open();
      },
    });
    onFirstOutput(recording.context, /PipelineRun rag-\w+: Running/, () => {
      // A change the watch never saw, then compaction: its resourceVersion is now too old.
      cluster.kube.create({
        apiVersion: 'v1',
        kind: 'ConfigMap',
        metadata: { name: 'unrelated', namespace: 'default' },
      });
      cluster.kube.compact();
      cluster.kube.dropWatches();
    });
    const result = await cluster.executor.execute(
      tektonJob(cluster.block({ pipeline_ref: 'deploy' })),
      recording.context,
    );
    expect(result.status, result.error ?? '').toBe('succeeded');
    const name = cluster.kube.list('PipelineRun')[0]?.metadata.name;
    expect(
      cluster.kube.requests.some(
        (request) => request.method === 'GET' && request.path.endsWith(`/pipelineruns/${name}`),
      ),
    ).toBe(true);
    expect(recording.text('stdout')).toContain('[build] Succeeded');
  });

  it('follows every PipelineRun state with TaskRuns of several tasks, one line per change', async () => {
    cluster.kube.onPipelineRun(() => progressions.fails('Failed', undefined, { tasks: ['build', 'lint'] }));
    const recording = recordingContext();
    const result = await cluster.executor.execute(
      tektonJob(cluster.block({ pipeline_ref: 'deploy' })),
      recording.context,
    );
    expect(result.status).toBe('failed');
    expect(recording.text('stdout').split('\n').filter(Boolean)).toEqual([
      '[build] Running',
      '[lint] Running',
      '[build] Failed: "step-build" exited with code 1',
    ]);
  });

  it('fails when the PipelineRun is deleted while it runs', async () => {
    cluster.kube.onPipelineRun(() => progressions.runsForever());
    const recording = recordingContext();
    onFirstOutput(recording.context, /\[build\] Running/, () => {
      const [run] = cluster.kube.list('PipelineRun');
      void fetch(
        `${cluster.kube.url}/apis/tekton.dev/v1/namespaces/default/pipelineruns/${run?.metadata.name}`,
        {
          method: 'DELETE',
          headers: { authorization: `Bearer ${cluster.kube.token}` },
        },
      );
    });
    const result = await cluster.executor.execute(
      tektonJob(cluster.block({ pipeline_ref: 'deploy' })),
      recording.context,
    );
    expect(result.status).toBe('failed');
    expect(result.error).toMatch(/^PipelineRun rag-[a-z0-9]{5} was deleted before it finished\. Fix: /);
  });
});
