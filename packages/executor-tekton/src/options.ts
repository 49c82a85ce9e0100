import type { KubeConfig } from '@kubernetes/client-node';
import { SentryError } from '@sentry-git/core';

export interface TektonExecutorOptions {
  /**
   * A ready Kubernetes configuration (for library users and tests). Used unless a job's
   * `deploy.tekton` names a `kubeconfig` file or sets `in_cluster`; its `context` still applies.
   * @default undefined (the block's kubeconfig, else $KUBECONFIG, else ~/.kube/config, else in-cluster)
   */
  kubeConfig?: KubeConfig;
  /**
   * The git binary that clones the QA repository (pipelinerun_file and apply modes).
   * @default 'git'
   */
  gitBinary?: string;
  /**
   * Milliseconds between SIGTERM and SIGKILL when a QA clone is stopped.
   * @default 5000
   */
  killGraceMs?: number;
  /**
   * Milliseconds to wait, after a timeout or shutdown, for a cancelled PipelineRun to report
   * Cancelled before the job ends anyway.
   * @default 30000
   */
  cancelGraceMs?: number;
  /**
   * The environment KUBECONFIG, HOME and the in-cluster variables are read from.
   * @default process.env
   */
  env?: Record<string, string | undefined>;
  /**
   * Prefix of the pod's service account files (`/var/run/secrets/kubernetes.io/serviceaccount/`
   * token, ca.crt, namespace) for in-cluster access: a stand-in for `/` in tests or chroots.
   * @default '' (the real paths)
   */
  serviceAccountRoot?: string;
}

export interface ResolvedTektonExecutorOptions {
  kubeConfig: KubeConfig | undefined;
  gitBinary: string;
  killGraceMs: number;
  cancelGraceMs: number;
  env: Record<string, string | undefined>;
  serviceAccountRoot: string;
}

function invalid(message: string): SentryError {
  return new SentryError('TEKTON_EXECUTOR_OPTIONS_INVALID', `@sentry-git/executor-tekton: ${message}`, {
    fix: 'Correct the options given to createTektonExecutor().',
  });
}

function milliseconds(name: string, value: number): number {
  if (!Number.isFinite(value) || value < 0)
    throw invalid(`${name} must be a number of milliseconds ≥ 0, got ${value}`);
  return value;
}

export function resolveOptions(options: TektonExecutorOptions = {}): ResolvedTektonExecutorOptions {
  const { kubeConfig } = options;
  if (kubeConfig !== undefined && typeof kubeConfig?.getCurrentCluster !== 'function') {
    throw invalid('kubeConfig must be a KubeConfig from @kubernetes/client-node');
  }
  const gitBinary = options.gitBinary ?? 'git';
  if (typeof gitBinary !== 'string' || gitBinary === '')
    throw invalid('gitBinary must be a non-empty string');
  return {
    kubeConfig,
    gitBinary,
    killGraceMs: milliseconds('killGraceMs', options.killGraceMs ?? 5000),
    cancelGraceMs: milliseconds('cancelGraceMs', options.cancelGraceMs ?? 30_000),
    env: options.env ?? process.env,
    serviceAccountRoot: options.serviceAccountRoot ?? '',
  };
}
