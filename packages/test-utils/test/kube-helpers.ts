import * as k8s from '@kubernetes/client-node';
import { onTestFinished } from 'vitest';
import { type FakeKube, type FakeKubeOptions, startFakeKube, tempdir } from '../src/index.js';

export interface KubeFixture {
  kube: FakeKube;
  config: k8s.KubeConfig;
  custom: k8s.CustomObjectsApi;
  objects: k8s.KubernetesObjectApi;
}

/** A fake API server and the real client configured from the kubeconfig file it writes. */
export async function kubeFixture(options: FakeKubeOptions = {}): Promise<KubeFixture> {
  const kube = await startFakeKube(options);
  onTestFinished(() => kube.close());
  const config = new k8s.KubeConfig();
  config.loadFromFile(await kube.writeKubeconfig(await tempdir()));
  return {
    kube,
    config,
    custom: config.makeApiClient(k8s.CustomObjectsApi),
    objects: k8s.KubernetesObjectApi.makeApiClient(config),
  };
}

export interface WatchEventLog {
  events: Array<{ type: string; object: k8s.KubernetesObject & Record<string, unknown> }>;
  /** Resolves with the first event (already seen or to come) that satisfies `predicate`. */
  waitFor(
    predicate: (event: WatchEventLog['events'][number]) => boolean,
  ): Promise<WatchEventLog['events'][number]>;
  /** Resolves when the stream ends (with the error, if any). */
  done: Promise<unknown>;
  stop(): void;
}

/** Watches a path with client-node's Watch and records every event. */
export async function watchWith(
  config: k8s.KubeConfig,
  path: string,
  query: Record<string, string>,
): Promise<WatchEventLog> {
  const events: WatchEventLog['events'] = [];
  const waiters: Array<{
    predicate: (event: WatchEventLog['events'][number]) => boolean;
    resolve: (e: WatchEventLog['events'][number]) => void;
  }> = [];
  let finish: (error: unknown) => void = () => {};
  const done = new Promise<unknown>((resolve) => {
    finish = resolve;
  });
  const controller = await new k8s.Watch(config).watch(
    path,
    query,
    (type, object) => {
      const event = { type, object };
      events.push(event);
      for (const waiter of [...waiters]) {
        if (waiter.predicate(event)) {
          waiters.splice(waiters.indexOf(waiter), 1);
          waiter.resolve(event);
        }
      }
    },
    (error) => finish(error ?? null),
  );
  onTestFinished(() => controller.abort());
  return {
    events,
    done,
    stop: () => controller.abort(),
    waitFor(predicate) {
      const seen = events.find(predicate);
      if (seen) return Promise.resolve(seen);
      return new Promise((resolve) => waiters.push({ predicate, resolve }));
    },
  };
}

/** The `Succeeded` condition of a PipelineRun or TaskRun, if any. */
export function succeededOf(
  object: unknown,
): { status: string; reason: string; message: string } | undefined {
  const status = (
    object as {
      status?: { conditions?: Array<{ type: string; status: string; reason: string; message: string }> };
    }
  ).status;
  return status?.conditions?.find((condition) => condition.type === 'Succeeded');
}

export function pipelineRun(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    apiVersion: 'tekton.dev/v1',
    kind: 'PipelineRun',
    metadata: { generateName: 'deploy-', labels: { 'sentry-git.dev/job-id': 'job-1' } },
    spec: { pipelineRef: { name: 'deploy' }, params: [{ name: 'revision', value: 'abc' }] },
    ...overrides,
  };
}
