import type { Job, TektonDeployConfig } from '@sentry-git/core';
import type { KubeClient } from '../kube/client.js';
import type { TektonApi } from '../kube/tekton-api.js';
import type { JobOutput } from '../output.js';
import type { FollowContext } from '../pipelinerun/follow.js';
import type { JobVariables } from '../variables.js';

/** PipelineRuns to cancel if the job is aborted from now on. */
export interface CancelTarget {
  api: TektonApi;
  namespace: string;
  selector: string;
}

/** What a mode gets from the executor for one job. */
export interface ModeContext {
  job: Job;
  block: TektonDeployConfig;
  /** The job's signal, bounded by its timeoutSeconds. */
  signal: AbortSignal;
  output: JobOutput;
  variables: JobVariables;
  /** Whether the executor was given a ready KubeConfig (eventlistener mode then follows by default). */
  hasKubeConfigOption: boolean;
  /** The cached clients for the block's kubeconfig/context (loading them may throw a config error). */
  kube(): KubeClient;
  /** PipelineRun calls with the block's max_retries, retries noted on the output. */
  tekton(client: KubeClient): TektonApi;
  /** Settings for following PipelineRuns in a namespace. */
  follow(api: TektonApi, namespace: string): FollowContext;
  /** Clones the QA repository (once) and returns the checkout's path. */
  checkout(neededBy: string): Promise<string>;
  /** Registers PipelineRuns the executor cancels if the job's signal aborts. */
  track(target: CancelTarget): void;
}
