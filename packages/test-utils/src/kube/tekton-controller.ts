import { randomUUID } from 'node:crypto';
import type { PipelineRunHandler, Progression, ProgressionStep, TaskRunState, Text } from './progressions.js';
import type { ObjectStore, StoreEvent } from './store.js';
import { isRecord, type KubeObject, kubeTime } from './types.js';

const PIPELINERUNS = 'tekton.dev/pipelineruns';
const TASKRUNS = 'tekton.dev/taskruns';

/** `spec.status` values that stop a PipelineRun (Tekton's graceful variants end the same way here). */
const CANCEL_STATUSES = new Set(['Cancelled', 'CancelledRunFinally', 'StoppedRunFinally']);

interface Condition {
  type: string;
  status: string;
  reason?: string;
  message?: string;
  lastTransitionTime?: string;
}

/** An entry of `status.childReferences`. */
interface ChildReference {
  apiVersion: string;
  kind: string;
  name: string;
  pipelineTaskName: string;
}

interface Run {
  stop: AbortController;
  cancelling: boolean;
}

export interface TektonController {
  onPipelineRun(handler: PipelineRunHandler): () => void;
  close(): void;
}

function succeeded(object: KubeObject): Condition | undefined {
  const status = isRecord(object.status) ? object.status : {};
  const conditions = Array.isArray(status.conditions) ? (status.conditions as Condition[]) : [];
  return conditions.find((condition) => condition.type === 'Succeeded');
}

function finished(object: KubeObject): boolean {
  const condition = succeeded(object);
  return condition?.status === 'True' || condition?.status === 'False';
}

function text(value: Text | undefined, pipelineRun: KubeObject): string {
  return typeof value === 'function' ? value(pipelineRun) : (value ?? '');
}

function setCondition(
  object: KubeObject,
  status: string,
  reason: string,
  message: string,
  now: string,
): void {
  const current = isRecord(object.status) ? object.status : {};
  const previous = succeeded(object);
  const condition: Condition = {
    type: 'Succeeded',
    status,
    reason,
    message,
    // Like knative's condition manager: the transition time moves only when the status does.
    lastTransitionTime: previous?.status === status ? (previous.lastTransitionTime ?? now) : now,
  };
  const others = (Array.isArray(current.conditions) ? (current.conditions as Condition[]) : []).filter(
    (entry) => entry.type !== 'Succeeded',
  );
  object.status = { ...current, conditions: [condition, ...others] };
  if (status !== 'Unknown') (object.status as Record<string, unknown>).completionTime ??= now;
}

const nextTurn = () => new Promise<void>((resolve) => setImmediate(resolve));

/**
 * A stand-in for the Tekton controller: plays the test's scripted progression on each new
 * PipelineRun (status conditions, child TaskRuns, childReferences) and honours cancellation
 * through `spec.status`, writing through the store so every change is a watch event.
 */
export function createTektonController(store: ObjectStore): TektonController {
  const handlers: PipelineRunHandler[] = [];
  const runs = new Map<string, Run>();

  function latest(uid: string, namespace: string, name: string): KubeObject | undefined {
    const found = store.get(PIPELINERUNS, namespace, name);
    return found?.metadata.uid === uid ? found : undefined;
  }

  function taskRunFor(pipelineRun: KubeObject, state: TaskRunState, now: string): KubeObject {
    const { name, namespace, uid } = pipelineRun.metadata;
    const taskRunName = `${name}-${state.pipelineTask}`;
    const existing = store.get(TASKRUNS, namespace ?? '', taskRunName);
    const spec = isRecord(pipelineRun.spec) ? pipelineRun.spec : {};
    const pipelineRef = isRecord(spec.pipelineRef) ? spec.pipelineRef : {};
    const template = isRecord(spec.taskRunTemplate) ? spec.taskRunTemplate : {};
    const taskRun: KubeObject = existing ?? {
      apiVersion: 'tekton.dev/v1',
      kind: 'TaskRun',
      metadata: {
        name: taskRunName,
        namespace: namespace!,
        uid: randomUUID(),
        generation: 1,
        creationTimestamp: now,
        // Tekton copies the PipelineRun's labels onto its TaskRuns, then adds its own.
        labels: {
          ...pipelineRun.metadata.labels,
          'app.kubernetes.io/managed-by': 'tekton-pipelines',
          ...(typeof pipelineRef.name === 'string' ? { 'tekton.dev/pipeline': pipelineRef.name } : {}),
          'tekton.dev/pipelineRun': name!,
          'tekton.dev/pipelineRunUID': uid!,
          'tekton.dev/pipelineTask': state.pipelineTask,
        },
        ownerReferences: [
          {
            apiVersion: 'tekton.dev/v1',
            kind: 'PipelineRun',
            name,
            uid,
            controller: true,
            blockOwnerDeletion: true,
          },
        ],
      },
      spec: {
        serviceAccountName: template.serviceAccountName ?? 'default',
        taskRef: { name: state.pipelineTask, kind: 'Task' },
        timeout: '1h0m0s',
      },
      status: { podName: `${taskRunName}-pod`, startTime: now },
    };
    setCondition(taskRun, state.status, state.reason, text(state.message, pipelineRun), now);
    return taskRun;
  }

  function applyStep(pipelineRun: KubeObject, step: ProgressionStep): void {
    const now = kubeTime();
    const status: Record<string, unknown> = isRecord(pipelineRun.status) ? pipelineRun.status : {};
    status.startTime = step.startTime ?? status.startTime ?? now;
    status.observedGeneration = pipelineRun.metadata.generation ?? 1;
    pipelineRun.status = status;
    const children = Array.isArray(status.childReferences)
      ? (status.childReferences as ChildReference[])
      : [];
    for (const state of step.taskRuns ?? []) {
      const taskRun = store.write(TASKRUNS, taskRunFor(pipelineRun, state, now));
      if (!children.some((child) => child.name === taskRun.metadata.name)) {
        children.push({
          apiVersion: 'tekton.dev/v1',
          kind: 'TaskRun',
          name: taskRun.metadata.name!,
          pipelineTaskName: state.pipelineTask,
        });
      }
    }
    if (children.length > 0) status.childReferences = children;
    if (step.status) {
      setCondition(pipelineRun, step.status, step.reason ?? '', text(step.message, pipelineRun), now);
      if (step.completionTime && step.status !== 'Unknown') {
        (pipelineRun.status as Record<string, unknown>).completionTime = step.completionTime;
      }
    }
    store.write(PIPELINERUNS, pipelineRun);
  }

  async function play(pipelineRun: KubeObject, progression: Progression, run: Run): Promise<void> {
    const { uid, namespace, name } = pipelineRun.metadata as { uid: string; namespace: string; name: string };
    const stopped = new Promise<void>((resolve) =>
      run.stop.signal.addEventListener('abort', () => resolve()),
    );
    for (const step of progression) {
      try {
        if (step.after) await Promise.race([step.after, stopped]);
        else await nextTurn();
      } catch {
        // A gate the test rejected ends the story where it is.
        return;
      }
      if (run.stop.signal.aborted) return;
      const current = latest(uid, namespace, name);
      if (!current) return;
      applyStep(current, step);
    }
  }

  async function cancel(pipelineRun: KubeObject): Promise<void> {
    const { uid, namespace, name } = pipelineRun.metadata as { uid: string; namespace: string; name: string };
    await nextTurn();
    const current = latest(uid, namespace, name);
    if (!current || finished(current)) return;
    const now = kubeTime();
    for (const child of store.list(TASKRUNS, namespace)) {
      if (child.metadata.labels?.['tekton.dev/pipelineRunUID'] !== uid || finished(child)) continue;
      child.spec = { ...(isRecord(child.spec) ? child.spec : {}), status: 'TaskRunCancelled' };
      child.metadata.generation = (child.metadata.generation ?? 1) + 1;
      setCondition(
        child,
        'False',
        'TaskRunCancelled',
        `TaskRun "${child.metadata.name}" was cancelled. TaskRun cancelled as the PipelineRun it belongs to has been cancelled.`,
        now,
      );
      store.write(TASKRUNS, child);
    }
    setCondition(current, 'False', 'Cancelled', `PipelineRun "${name}" was cancelled`, now);
    store.write(PIPELINERUNS, current);
  }

  function react(event: StoreEvent): void {
    if (event.key !== PIPELINERUNS) return;
    const pipelineRun = event.object;
    const uid = pipelineRun.metadata.uid!;
    if (event.type === 'DELETED') {
      runs.get(uid)?.stop.abort();
      runs.delete(uid);
      return;
    }
    let run = runs.get(uid);
    if (!run) {
      run = { stop: new AbortController(), cancelling: false };
      runs.set(uid, run);
      const progression = handlers.reduce<Progression | undefined>(
        (chosen, handler) => chosen ?? handler(structuredClone(pipelineRun)),
        undefined,
      );
      const wantsCancel = CANCEL_STATUSES.has(
        String((pipelineRun.spec as { status?: unknown } | undefined)?.status),
      );
      if (progression && !wantsCancel) void play(pipelineRun, progression, run);
    }
    const spec = isRecord(pipelineRun.spec) ? pipelineRun.spec : {};
    if (!run.cancelling && CANCEL_STATUSES.has(String(spec.status)) && !finished(pipelineRun)) {
      run.cancelling = true;
      run.stop.abort();
      void cancel(pipelineRun);
    }
  }

  const unsubscribe = store.subscribe(react);
  return {
    onPipelineRun(handler) {
      handlers.push(handler);
      return () => {
        const index = handlers.indexOf(handler);
        if (index >= 0) handlers.splice(index, 1);
      };
    },
    close() {
      unsubscribe();
      for (const run of runs.values()) run.stop.abort();
      runs.clear();
    },
  };
}
