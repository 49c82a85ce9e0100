import { existsSync } from 'node:fs';
import { isIPv6 } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { KubeConfig } from '@kubernetes/client-node';
import { errorMessage, SentryError } from '@sentry-git/core';

/** Where the Kubernetes connection comes from, as the `deploy.tekton` block says. */
export interface KubeTarget {
  kubeconfig?: string | undefined;
  context?: string | undefined;
  inCluster?: boolean | undefined;
}

/** A loaded kubeconfig with its current context chosen. */
export interface LoadedKubeConfig {
  kubeConfig: KubeConfig;
  /** The current context's namespace, else "default". */
  namespace: string;
  /** The API server's URL. */
  server: string;
  /** Where the configuration came from, for messages ("context kind-ci of /home/me/.kube/config"). */
  source: string;
}

export interface LoadOptions {
  /** A ready KubeConfig (the executor's `kubeConfig` option); used unless the block names a file or in_cluster. */
  kubeConfig?: KubeConfig | undefined;
  /** Environment for KUBECONFIG, HOME and the in-cluster variables. */
  env: Record<string, string | undefined>;
  /** Prefix of the pod's service account paths (a test's stand-in for `/`). @default '' */
  serviceAccountRoot?: string | undefined;
}

const SERVICE_ACCOUNT_TOKEN = '/var/run/secrets/kubernetes.io/serviceaccount/token';

function inPod(options: LoadOptions): boolean {
  return (
    Boolean(options.env.KUBERNETES_SERVICE_HOST) &&
    existsSync(`${options.serviceAccountRoot ?? ''}${SERVICE_ACCOUNT_TOKEN}`)
  );
}

/**
 * The pod's service account: token file (re-read as it rotates), CA and namespace. client-node
 * reads the API server's address from process.env; it is taken from our `env` instead, so the
 * executor's `env` option means the same thing everywhere.
 */
function loadServiceAccount(kubeConfig: KubeConfig, options: LoadOptions): void {
  kubeConfig.loadFromCluster(options.serviceAccountRoot ?? '');
  const host = options.env.KUBERNETES_SERVICE_HOST ?? '';
  const port = options.env.KUBERNETES_SERVICE_PORT ?? '443';
  const scheme = ['80', '8080', '8001'].includes(port) ? 'http' : 'https';
  const server = `${scheme}://${isIPv6(host) ? `[${host}]` : host}:${port}`;
  kubeConfig.clusters = kubeConfig.clusters.map((cluster) => ({ ...cluster, server }));
}

function configError(message: string, fix: string, cause?: unknown): SentryError {
  return new SentryError('KUBE_CONFIG_INVALID', message, { fix, cause, path: 'deploy.tekton' });
}

function loadFile(kubeConfig: KubeConfig, file: string): void {
  if (!existsSync(file)) {
    throw configError(
      `The kubeconfig file ${file} does not exist.`,
      'Set deploy.tekton.kubeconfig (or KUBECONFIG) to an existing kubeconfig, or use in_cluster: true inside a pod.',
    );
  }
  try {
    kubeConfig.loadFromFile(file);
  } catch (error) {
    throw configError(
      `The kubeconfig file ${file} could not be read: ${errorMessage(error)}`,
      'Check that it is a valid kubeconfig (kubectl config view --kubeconfig <file>).',
      error,
    );
  }
}

function loadInCluster(kubeConfig: KubeConfig, options: LoadOptions): void {
  if (!inPod(options)) {
    throw configError(
      'in_cluster is set but this process does not run in a Kubernetes pod (no KUBERNETES_SERVICE_HOST or service account token).',
      'Run sentry-git in the cluster, or remove in_cluster and set deploy.tekton.kubeconfig.',
    );
  }
  loadServiceAccount(kubeConfig, options);
}

/**
 * Adds another file's entries like kubectl does: the first file to name a cluster, user or
 * context wins (client-node's mergeConfig throws on a duplicate name instead).
 */
function mergeFirstWins(kubeConfig: KubeConfig, other: KubeConfig): void {
  for (const cluster of other.getClusters())
    if (!kubeConfig.getCluster(cluster.name)) kubeConfig.addCluster(cluster);
  for (const user of other.getUsers()) if (!kubeConfig.getUser(user.name)) kubeConfig.addUser(user);
  for (const context of other.getContexts()) {
    if (!kubeConfig.getContextObject(context.name)) kubeConfig.addContext(context);
  }
  if (!kubeConfig.getCurrentContext()) kubeConfig.setCurrentContext(other.getCurrentContext());
}

/** KUBECONFIG (a list of files, merged like kubectl), else ~/.kube/config, else in-cluster. */
function loadDefault(kubeConfig: KubeConfig, options: LoadOptions): string {
  const { env } = options;
  const files = (env.KUBECONFIG ?? '').split(path.delimiter).filter(Boolean);
  if (files.length > 0) {
    const [first, ...rest] = files as [string, ...string[]];
    loadFile(kubeConfig, first);
    for (const file of rest) {
      const other = new KubeConfig();
      loadFile(other, file);
      mergeFirstWins(kubeConfig, other);
    }
    return files.join(path.delimiter);
  }
  const home = env.HOME ?? os.homedir();
  const file = path.join(home, '.kube', 'config');
  if (existsSync(file)) {
    loadFile(kubeConfig, file);
    return file;
  }
  if (inPod(options)) {
    loadServiceAccount(kubeConfig, options);
    return 'the in-cluster service account';
  }
  throw configError(
    'No Kubernetes configuration found: deploy.tekton.kubeconfig is not set, KUBECONFIG is empty, ~/.kube/config does not exist and this is not a pod.',
    'Set deploy.tekton.kubeconfig to a kubeconfig file, export KUBECONFIG, or run in the cluster with in_cluster: true.',
  );
}

function selectContext(kubeConfig: KubeConfig, context: string | undefined, source: string): void {
  if (context === undefined) return;
  const names = kubeConfig.getContexts().map((entry) => entry.name);
  if (!names.includes(context)) {
    throw configError(
      `The kubeconfig (${source}) has no context "${context}" (it has: ${names.join(', ') || 'none'}).`,
      'Set deploy.tekton.context to one of them (kubectl config get-contexts).',
    );
  }
  kubeConfig.setCurrentContext(context);
}

/** Loads the kubeconfig a `deploy.tekton` block points at and picks its context. */
export function loadKubeConfig(target: KubeTarget, options: LoadOptions): LoadedKubeConfig {
  const kubeConfig = new KubeConfig();
  let source: string;
  if (target.inCluster) {
    loadInCluster(kubeConfig, options);
    source = 'the in-cluster service account';
  } else if (target.kubeconfig) {
    loadFile(kubeConfig, target.kubeconfig);
    source = target.kubeconfig;
  } else if (options.kubeConfig) {
    // A copy, so choosing deploy.tekton.context does not change the caller's object.
    kubeConfig.mergeConfig(options.kubeConfig, false);
    source = 'the kubeConfig option';
  } else {
    source = loadDefault(kubeConfig, options);
  }
  selectContext(kubeConfig, target.context, source);
  const cluster = kubeConfig.getCurrentCluster();
  if (!cluster) {
    throw configError(
      `The kubeconfig (${source}) has no cluster for context "${kubeConfig.getCurrentContext()}".`,
      'Set deploy.tekton.context to a context with a cluster, or fix the file (kubectl config view).',
    );
  }
  const namespace =
    kubeConfig.getContextObject(kubeConfig.getCurrentContext())?.namespace?.trim() || 'default';
  return {
    kubeConfig,
    namespace,
    server: cluster.server,
    source: `context ${kubeConfig.getCurrentContext()} of ${source}`,
  };
}
