import { recordingContext } from '@sentry-git/core/testing';
import {
  type FakeEventListener,
  progressions,
  promiseGate,
  startFakeEventListener,
} from '@sentry-git/test-utils';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createTektonExecutor } from '../src/index.js';
import { type Cluster, sharedValidator, startCluster } from './cluster.js';
import { onFirstOutput, tektonJob } from './helpers.js';

const SECRET = "It's a Secret to Everybody";
const validate = sharedValidator();
let cluster: Cluster;
let listener: FakeEventListener;

beforeEach(async () => {
  cluster = await startCluster({ kube: { validate } });
  listener = await startFakeEventListener({
    kube: cluster.kube,
    interceptor: 'github',
    secret: SECRET,
    namespace: 'ci',
    name: 'ci',
  });
});

afterEach(async () => {
  cluster.expectValidPipelineRuns();
  cluster.expectNoUnexpectedRequests();
  expect(listener.unexpected()).toEqual([]);
  await listener.close();
  await cluster.close();
});

function eventJob(extra: Record<string, unknown> = {}) {
  return tektonJob(
    cluster.block({
      mode: 'eventlistener',
      event_listener_url: listener.url,
      secret: SECRET,
      follow_timeout: 5,
      ...extra,
    }),
  );
}

describe('eventlistener mode', () => {
  it('delivers a signed push event and follows the PipelineRun it created to success', async () => {
    cluster.kube.onPipelineRun(() => progressions.succeeds());
    const recording = recordingContext();
    const job = eventJob();
    const result = await cluster.executor.execute(job, recording.context);
    expect(result.status, result.error ?? '').toBe('succeeded');

    const [delivery] = listener.deliveries;
    expect(delivery?.accepted).toBe(true);
    const run = delivery?.pipelineRun;
    expect(run?.metadata.labels?.['triggers.tekton.dev/triggers-eventid']).toBe(delivery?.eventID);
    expect(cluster.kube.get('PipelineRun', 'ci', run?.metadata.name ?? '')?.spec).toMatchObject({
      params: expect.arrayContaining([{ name: 'revision', value: job.sha }]),
    });
    const system = recording.text('system');
    expect(system).toContain(
      `EventListener ci accepted event ${delivery?.eventID}; waiting for its PipelineRuns in namespace ci`,
    );
    expect(system).toContain(
      `Following PipelineRun ${run?.metadata.name} created for event ${delivery?.eventID}`,
    );
    expect(recording.text('stdout')).toContain('[build] Succeeded');
    expect(system).not.toContain(SECRET);
  });

  it('does not report the 202 as a success while the PipelineRun runs, and fails when it fails', async () => {
    const gate = promiseGate();
    cluster.kube.onPipelineRun(() =>
      progressions.runsUntil(gate.promise, progressions.fails('Failed', 'the deploy broke').slice(-1)),
    );
    const recording = recordingContext();
    let settled = false;
    let settledWhileRunning: boolean | undefined;
    onFirstOutput(recording.context, /\[build\] Running/, () => {
      settledWhileRunning = settled;
      gate.open();
    });
    const pending = cluster.executor.execute(eventJob(), recording.context).finally(() => {
      settled = true;
    });
    const result = await pending;
    expect(settledWhileRunning).toBe(false);
    expect(result.status).toBe('failed');
    expect(result.error).toMatch(/^PipelineRun ci-run-[a-z0-9]{5} Failed: the deploy broke$/);
  });

  it('waits for the PipelineRun by polling when watches are refused', async () => {
    cluster.kube.onPipelineRun(() => progressions.succeeds());
    cluster.kube.refuseWatches(true, 403);
    const recording = recordingContext();
    const result = await cluster.executor.execute(eventJob(), recording.context);
    expect(result.status, result.error ?? '').toBe('succeeded');
    expect(recording.text('stdout')).toContain('[build] Succeeded');
  });

  it('fails when the interceptor rejected the event and no PipelineRun appears', async () => {
    const recording = recordingContext();
    const result = await cluster.executor.execute(
      eventJob({ secret: 'not the secret', follow_timeout: 0.3 }),
      recording.context,
    );
    const [delivery] = listener.deliveries;
    expect(delivery?.accepted).toBe(false);
    expect(result.status).toBe('failed');
    expect(result.error).toBe(
      `EventListener accepted event ${delivery?.eventID} but no PipelineRun appeared within 0.3s: its interceptor probably rejected it (check the secret and the event type). Fix: Look at the EventListener's log (kubectl logs -n ci -l eventlistener=ci) for event ${delivery?.eventID}; raise follow_timeout if its triggers are slow.`,
    );
    expect(cluster.kube.list('PipelineRun')).toEqual([]);
  });

  it('without a Kubernetes connection, succeeds on delivery and says it did not follow', async () => {
    const executor = createTektonExecutor({ env: {} });
    const recording = recordingContext();
    const job = tektonJob({ mode: 'eventlistener', event_listener_url: listener.url, secret: SECRET });
    const result = await executor.execute(job, recording.context);
    expect(result.status).toBe('succeeded');
    const [delivery] = listener.deliveries;
    expect(recording.text('system')).toMatch(
      new RegExp(
        `Delivered the event to EventListener ci \\(HTTP 202, event ${delivery?.eventID}, delivery .+\\); not following its PipelineRuns`,
      ),
    );
    // The event did start a PipelineRun; the executor never asked the cluster about it.
    await listener.whenProcessed(delivery?.eventID ?? '');
    expect(cluster.kube.list('PipelineRun', 'ci')).toHaveLength(1);
    expect(cluster.kube.requests).toEqual([]);
  });

  it('retries a 503 from the EventListener with the same delivery', async () => {
    cluster.kube.onPipelineRun(() => progressions.succeeds());
    listener.fault({ status: 503 });
    const result = await cluster.executor.execute(eventJob(), recordingContext().context);
    expect(result.status, result.error ?? '').toBe('succeeded');
    const posts = listener.requests.filter((request) => request.method === 'POST');
    expect(posts).toHaveLength(2);
    expect(posts[0]?.headers['x-github-delivery']).toBe(posts[1]?.headers['x-github-delivery']);
    expect(posts[0]?.body).toBe(posts[1]?.body);
  });

  it("cancels the event's PipelineRun when the job times out", async () => {
    cluster.kube.onPipelineRun(() => progressions.runsForever());
    const job = { ...eventJob(), timeoutSeconds: 1 };
    const recording = recordingContext();
    const result = await cluster.executor.execute(job, recording.context);
    expect(result.status).toBe('timed_out');
    const [run] = cluster.kube.list('PipelineRun', 'ci');
    expect(run?.status).toMatchObject({ conditions: [expect.objectContaining({ reason: 'Cancelled' })] });
    expect(recording.text('system')).toContain(`Cancelling PipelineRun ${run?.metadata.name}`);
  });
});
