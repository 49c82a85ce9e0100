import * as k8s from '@kubernetes/client-node';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  createPipelineRunValidator,
  hasReference,
  type PipelineRunValidator,
  type Progression,
  progressions,
  promiseGate,
} from '../src/index.js';
import { kubeFixture, pipelineRun, succeededOf, watchWith } from './kube-helpers.js';

const PIPELINERUNS = {
  group: 'tekton.dev',
  version: 'v1',
  namespace: 'default',
  plural: 'pipelineruns',
} as const;
const PRS_PATH = '/apis/tekton.dev/v1/namespaces/default/pipelineruns';

describe('fake Tekton controller: scripted progressions and cancellation', () => {
  let validator: PipelineRunValidator | false;
  beforeAll(() => {
    validator = hasReference() && createPipelineRunValidator();
  });

  /** Creates a PipelineRun scripted with `progression` and watches it from its create resourceVersion. */
  async function run(progression: Progression | undefined, body = pipelineRun()) {
    const fixture = await kubeFixture({ validate: validator });
    fixture.kube.onPipelineRun(() => progression);
    const created = await fixture.custom.createNamespacedCustomObject({ ...PIPELINERUNS, body });
    const name = created.metadata.name as string;
    const log = await watchWith(fixture.config, PRS_PATH, {
      fieldSelector: `metadata.name=${name}`,
      resourceVersion: created.metadata.resourceVersion,
    });
    const reasons = () => log.events.map((event) => succeededOf(event.object)?.reason);
    const until = (status: string, reason?: string) =>
      log.waitFor((event) => {
        const condition = succeededOf(event.object);
        return condition?.status === status && (reason === undefined || condition.reason === reason);
      });
    const taskRuns = () =>
      fixture.kube
        .list('TaskRun', 'default')
        .filter((tr) => tr.metadata.labels?.['tekton.dev/pipelineRun'] === name);
    return { ...fixture, name, log, reasons, until, taskRuns };
  }

  it('succeeds(): Started, Running, one event per task, then True/Succeeded with Tekton messages', async () => {
    const story = await run(progressions.succeeds({ tasks: ['build', 'deploy'] }));
    const done = await story.until('True');
    expect(story.reasons()).toEqual(['Started', 'Running', 'Running', 'Succeeded']);
    expect(succeededOf(done.object)).toMatchObject({
      reason: 'Succeeded',
      message: 'Tasks Completed: 2 (Failed: 0, Cancelled 0), Skipped: 0',
    });
    expect((done.object.status as { childReferences: unknown[] }).childReferences).toEqual([
      {
        apiVersion: 'tekton.dev/v1',
        kind: 'TaskRun',
        name: `${story.name}-build`,
        pipelineTaskName: 'build',
      },
      {
        apiVersion: 'tekton.dev/v1',
        kind: 'TaskRun',
        name: `${story.name}-deploy`,
        pipelineTaskName: 'deploy',
      },
    ]);
    const taskRuns = story.taskRuns();
    expect(taskRuns.map((tr) => [tr.metadata.name, succeededOf(tr)?.reason])).toEqual([
      [`${story.name}-build`, 'Succeeded'],
      [`${story.name}-deploy`, 'Succeeded'],
    ]);
    expect(taskRuns[0]!.metadata.ownerReferences).toEqual([
      expect.objectContaining({
        kind: 'PipelineRun',
        name: story.name,
        uid: done.object.metadata?.uid,
        controller: true,
      }),
    ]);
    if (validator) {
      // Every state the fake controller wrote is a valid PipelineRun by the real schema.
      for (const event of story.log.events) expect(validator(event.object).errors).toEqual([]);
    }
    expect(story.kube.unexpected()).toEqual([]);
  });

  it('fails(): False with the reason and message given, the failed TaskRun too', async () => {
    const story = await run(
      progressions.fails('Failed', 'Tasks Completed: 1 (Failed: 1, Cancelled 0), Skipped: 0'),
    );
    const done = await story.until('False');
    expect(succeededOf(done.object)).toMatchObject({
      reason: 'Failed',
      message: 'Tasks Completed: 1 (Failed: 1, Cancelled 0), Skipped: 0',
    });
    expect(succeededOf(story.taskRuns()[0])).toMatchObject({
      status: 'False',
      reason: 'Failed',
      message: '"step-build" exited with code 1',
    });
  });

  it('timesOut(): False/PipelineRunTimeout naming the run and its timeout', async () => {
    const story = await run(
      progressions.timesOut(),
      pipelineRun({ spec: { pipelineRef: { name: 'd' }, timeouts: { pipeline: '10m0s' } } }),
    );
    const done = await story.until('False');
    expect(succeededOf(done.object)).toMatchObject({
      reason: 'PipelineRunTimeout',
      message: `PipelineRun "${story.name}" failed to finish within "10m0s"`,
    });
    expect(succeededOf(story.taskRuns()[0])?.reason).toBe('TaskRunTimeout');
  });

  it('createRunFailed(): False/CreateRunFailed without TaskRuns', async () => {
    const story = await run(progressions.createRunFailed());
    const done = await story.until('False');
    expect(succeededOf(done.object)?.reason).toBe('CreateRunFailed');
    expect(story.taskRuns()).toEqual([]);
  });

  it('runsUntil(gate): Running with a Running TaskRun until the gate opens, then succeeds', async () => {
    const gate = promiseGate();
    const story = await run(progressions.runsUntil(gate.promise));
    await story.until('Unknown', 'Running');
    expect(succeededOf(story.taskRuns()[0])).toMatchObject({ status: 'Unknown', reason: 'Running' });
    expect(succeededOf(story.kube.get('PipelineRun', 'default', story.name))?.reason).toBe('Running');
    gate.open();
    await story.until('True');
    expect(story.reasons()).toEqual(['Started', 'Running', 'Succeeded']);
  });

  it('cancellation by merge patch: stops the progression, then False/Cancelled and TaskRunCancelled', async () => {
    const gate = promiseGate();
    const story = await run(progressions.runsUntil(gate.promise));
    await story.until('Unknown', 'Running');
    await story.custom.patchNamespacedCustomObject(
      { ...PIPELINERUNS, name: story.name, body: { spec: { status: 'Cancelled' } } },
      k8s.setHeaderOptions('Content-Type', k8s.PatchStrategy.MergePatch),
    );
    const done = await story.until('False');
    expect(succeededOf(done.object)).toMatchObject({
      reason: 'Cancelled',
      message: `PipelineRun "${story.name}" was cancelled`,
    });
    const [taskRun] = story.taskRuns();
    expect(succeededOf(taskRun)).toMatchObject({ status: 'False', reason: 'TaskRunCancelled' });
    expect(taskRun!.spec).toMatchObject({ status: 'TaskRunCancelled' });
    // Opening the gate now changes nothing: the progression was stopped.
    gate.open();
    await story.custom.patchNamespacedCustomObject(
      { ...PIPELINERUNS, name: story.name, body: { metadata: { labels: { after: 'gate' } } } },
      k8s.setHeaderOptions('Content-Type', k8s.PatchStrategy.MergePatch),
    );
    await story.log.waitFor((event) => event.object.metadata?.labels?.after === 'gate');
    // The client's patch (still Running), the controller's Cancelled, the label patch.
    expect(story.reasons()).toEqual(['Started', 'Running', 'Running', 'Cancelled', 'Cancelled']);
  });

  it('cancellation by server-side apply (StoppedRunFinally) on a run that runs forever', async () => {
    const story = await run(progressions.runsForever());
    await story.until('Unknown', 'Running');
    await story.objects.patch(
      {
        apiVersion: 'tekton.dev/v1',
        kind: 'PipelineRun',
        metadata: { name: story.name, namespace: 'default' },
        spec: { status: 'StoppedRunFinally' },
      },
      undefined,
      undefined,
      'sentry-git',
      true,
      k8s.PatchStrategy.ServerSideApply,
    );
    expect(succeededOf((await story.until('False')).object)?.reason).toBe('Cancelled');
  });

  it('a cancel on a finished run changes nothing; without a handler a run is left alone but still cancellable', async () => {
    const finished = await run(progressions.fails());
    await finished.until('False');
    await finished.custom.patchNamespacedCustomObject(
      { ...PIPELINERUNS, name: finished.name, body: { spec: { status: 'Cancelled' } } },
      k8s.setHeaderOptions('Content-Type', k8s.PatchStrategy.MergePatch),
    );
    await finished.log.waitFor(
      (event) => (event.object as { spec?: { status?: string } }).spec?.status === 'Cancelled',
    );
    expect(succeededOf(finished.kube.get('PipelineRun', 'default', finished.name))?.reason).toBe('Failed');

    const idle = await run(undefined);
    expect(idle.kube.get('PipelineRun', 'default', idle.name)).not.toHaveProperty('status');
    await idle.custom.patchNamespacedCustomObject(
      { ...PIPELINERUNS, name: idle.name, body: { spec: { status: 'CancelledRunFinally' } } },
      k8s.setHeaderOptions('Content-Type', k8s.PatchStrategy.MergePatch),
    );
    expect(succeededOf((await idle.until('False')).object)?.reason).toBe('Cancelled');
  });

  it('handlers: the first one that returns a progression wins; unsubscribing removes one', async () => {
    const { kube, custom } = await kubeFixture({ validate: validator });
    const seen: string[] = [];
    kube.onPipelineRun((pr) => {
      seen.push(pr.metadata.name!);
      return undefined;
    });
    const off = kube.onPipelineRun(() => progressions.fails());
    kube.onPipelineRun(() => progressions.succeeds());
    await custom.createNamespacedCustomObject({
      ...PIPELINERUNS,
      body: pipelineRun({ metadata: { name: 'first' } }),
    });
    off();
    await custom.createNamespacedCustomObject({
      ...PIPELINERUNS,
      body: pipelineRun({ metadata: { name: 'second' } }),
    });
    expect(seen).toEqual(['first', 'second']);
    const config = new k8s.KubeConfig();
    config.loadFromString(kube.kubeconfig());
    const log = await watchWith(config, PRS_PATH, {});
    await log.waitFor(
      (e) => e.object.metadata?.name === 'first' && succeededOf(e.object)?.status === 'False',
    );
    await log.waitFor(
      (e) => e.object.metadata?.name === 'second' && succeededOf(e.object)?.status === 'True',
    );
  });

  it('deleting a running PipelineRun stops its progression', async () => {
    const gate = promiseGate();
    const story = await run(progressions.runsUntil(gate.promise));
    await story.until('Unknown', 'Running');
    await story.custom.deleteNamespacedCustomObject({ ...PIPELINERUNS, name: story.name });
    await story.log.waitFor((event) => event.type === 'DELETED');
    gate.open();
    await gate.promise;
    expect(story.kube.get('PipelineRun', 'default', story.name)).toBeUndefined();
  });
});
