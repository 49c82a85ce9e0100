import type { Executor, TektonDeployInput } from '@sentry-git/core';
import {
  createPipelineRunValidator,
  type FakeKube,
  type FakeKubeOptions,
  hasReference,
  type PipelineRunValidator,
  startFakeKube,
  tempdir,
} from '@sentry-git/test-utils';
import { afterEach, beforeEach, expect } from 'vitest';
import { createTektonExecutor, type TektonExecutorOptions } from '../src/index.js';

/** A fake cluster, a kubeconfig for it, and a Tekton executor that reads nothing from the host. */
export interface Cluster {
  kube: FakeKube;
  kubeconfig: string;
  executor: Executor;
  /** A deploy.tekton block pointing at the fake cluster. */
  block(extra?: TektonDeployInput): TektonDeployInput;
  /** The POSTs that created PipelineRuns. */
  pipelineRunCreates(): FakeKube['requests'];
  /** Every PipelineRun in the fake passes the real CRD schema (when the reference folder is there). */
  expectValidPipelineRuns(): void;
  /** No request the fake did not understand. */
  expectNoUnexpectedRequests(): void;
  close(): Promise<void>;
}

/** One compiled CRD schema per test file (compiling takes about half a second). */
export function sharedValidator(): PipelineRunValidator | false {
  return hasReference() ? createPipelineRunValidator() : false;
}

export async function startCluster(
  options: { kube?: FakeKubeOptions; executor?: TektonExecutorOptions; namespace?: string } = {},
): Promise<Cluster> {
  const kube = await startFakeKube({ namespaces: ['default', 'ci'], ...options.kube });
  const dir = await tempdir();
  const kubeconfig = await kube.writeKubeconfig(
    dir,
    options.namespace ? { namespace: options.namespace } : {},
  );
  const executor = createTektonExecutor({ cancelGraceMs: 10_000, env: {}, ...options.executor });
  const validator = typeof options.kube?.validate === 'function' ? options.kube.validate : undefined;
  return {
    kube,
    kubeconfig,
    executor,
    block: (extra = {}) => ({ kubeconfig, poll_interval: 0.05, ...extra }),
    pipelineRunCreates: () =>
      kube.requests.filter((request) => request.method === 'POST' && request.path.endsWith('/pipelineruns')),
    expectValidPipelineRuns() {
      if (!validator) return;
      for (const run of kube.list('PipelineRun')) {
        expect(validator(run).errors, run.metadata.name).toEqual([]);
      }
    },
    expectNoUnexpectedRequests() {
      expect(kube.unexpected()).toEqual([]);
    },
    close: () => kube.close(),
  };
}

/**
 * A fresh cluster for every test of the file, checked after each (every PipelineRun valid, no
 * request the fake did not understand) and closed. The returned object always stands for the
 * current test's cluster.
 */
export function clusterPerTest(validate: PipelineRunValidator | false = sharedValidator()): Cluster {
  let current: Cluster | undefined;
  beforeEach(async () => {
    current = await startCluster({ kube: { validate } });
  });
  afterEach(async () => {
    const cluster = now();
    current = undefined;
    cluster.expectValidPipelineRuns();
    cluster.expectNoUnexpectedRequests();
    await cluster.close();
  });
  function now(): Cluster {
    if (!current) throw new Error('The cluster exists only while a test runs.');
    return current;
  }
  return {
    get kube() {
      return now().kube;
    },
    get kubeconfig() {
      return now().kubeconfig;
    },
    get executor() {
      return now().executor;
    },
    block: (extra) => now().block(extra),
    pipelineRunCreates: () => now().pipelineRunCreates(),
    expectValidPipelineRuns: () => now().expectValidPipelineRuns(),
    expectNoUnexpectedRequests: () => now().expectNoUnexpectedRequests(),
    close: () => now().close(),
  };
}
