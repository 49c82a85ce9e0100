import { PatchStrategy, setHeaderMiddleware } from '@kubernetes/client-node';
import { PIPELINE_RUN_LABEL } from '../labels.js';
import { type CallOptions, callKube } from './call.js';
import type { KubeClient } from './client.js';
import type { KubeAction } from './errors.js';
import type { ListResult, TektonRun } from './types.js';

const GROUP = 'tekton.dev';
const VERSION = 'v1';
const PIPELINE_RUNS = 'pipelineruns';
const TASK_RUNS = 'taskruns';

/** The PipelineRun and TaskRun calls the executor makes, with retries, bound to a signal each. */
export interface TektonApi {
  readonly client: KubeClient;
  /**
   * Creates a PipelineRun. `recover` is asked before a retry whether the failed attempt created
   * it after all (its answer lost): a create with generateName is not idempotent.
   */
  create(
    namespace: string,
    body: TektonRun,
    signal: AbortSignal,
    recover?: () => Promise<TektonRun | undefined>,
  ): Promise<TektonRun>;
  get(namespace: string, name: string, signal: AbortSignal): Promise<TektonRun>;
  list(namespace: string, labelSelector: string, signal: AbortSignal): Promise<ListResult<TektonRun>>;
  /** Asks Tekton to cancel a PipelineRun (merge-patch `spec.status: Cancelled`). */
  cancel(namespace: string, name: string, signal: AbortSignal): Promise<TektonRun>;
  /** The TaskRuns of a PipelineRun (by Tekton's `tekton.dev/pipelineRun` label). */
  listTaskRuns(namespace: string, pipelineRun: string, signal: AbortSignal): Promise<ListResult<TektonRun>>;
  /** The URL path a watch of the namespace's PipelineRuns uses. */
  watchPath(namespace: string): string;
  /** The URL path a watch of the namespace's TaskRuns uses. */
  taskRunWatchPath(namespace: string): string;
}

export interface TektonApiOptions {
  maxRetries: number;
  onRetry?: ((message: string) => void) | undefined;
}

/** Selects a PipelineRun's TaskRuns by the label Tekton puts on them. */
export function taskRunSelector(pipelineRun: string): string {
  return `${PIPELINE_RUN_LABEL}=${pipelineRun}`;
}

function collectionPath(namespace: string, plural: string): string {
  return `/apis/${GROUP}/${VERSION}/namespaces/${encodeURIComponent(namespace)}/${plural}`;
}

function asList(value: unknown): ListResult<TektonRun> {
  const list = (value ?? {}) as { items?: TektonRun[]; metadata?: { resourceVersion?: string } };
  return { items: list.items ?? [], resourceVersion: list.metadata?.resourceVersion };
}

export function createTektonApi(client: KubeClient, options: TektonApiOptions): TektonApi {
  const api = client.customObjects;
  const action = (
    verb: KubeAction['verb'],
    resource: string,
    namespace: string,
    name?: string,
  ): KubeAction => ({
    verb,
    resource: `${resource}.${GROUP}`,
    namespace,
    name,
    server: client.server,
  });
  const callOptions = (signal: AbortSignal): CallOptions => ({
    signal,
    maxRetries: options.maxRetries,
    onRetry: options.onRetry,
  });
  const where = { group: GROUP, version: VERSION };

  return {
    client,
    create(namespace, body, signal, recover) {
      return callKube<TektonRun>(
        action('create', PIPELINE_RUNS, namespace),
        (config) =>
          api.createNamespacedCustomObject({ ...where, namespace, plural: PIPELINE_RUNS, body }, config),
        { ...callOptions(signal), recover },
      );
    },
    get(namespace, name, signal) {
      return callKube<TektonRun>(
        action('get', PIPELINE_RUNS, namespace, name),
        (config) =>
          api.getNamespacedCustomObject({ ...where, namespace, plural: PIPELINE_RUNS, name }, config),
        callOptions(signal),
      );
    },
    async list(namespace, labelSelector, signal) {
      const list = await callKube(
        action('list', PIPELINE_RUNS, namespace),
        (config) =>
          api.listNamespacedCustomObject(
            { ...where, namespace, plural: PIPELINE_RUNS, labelSelector },
            config,
          ),
        callOptions(signal),
      );
      return asList(list);
    },
    cancel(namespace, name, signal) {
      return callKube<TektonRun>(
        action('patch', PIPELINE_RUNS, namespace, name),
        (config) =>
          api.patchNamespacedCustomObject(
            { ...where, namespace, plural: PIPELINE_RUNS, name, body: { spec: { status: 'Cancelled' } } },
            // The generated client sends json-patch; a merge patch says "set this field" simply.
            {
              ...config,
              middleware: [
                ...(config.middleware ?? []),
                setHeaderMiddleware('Content-Type', PatchStrategy.MergePatch),
              ],
            },
          ),
        callOptions(signal),
      );
    },
    async listTaskRuns(namespace, pipelineRun, signal) {
      const list = await callKube(
        action('list', TASK_RUNS, namespace),
        (config) =>
          api.listNamespacedCustomObject(
            {
              ...where,
              namespace,
              plural: TASK_RUNS,
              labelSelector: `tekton.dev/pipelineRun=${pipelineRun}`,
            },
            config,
          ),
        callOptions(signal),
      );
      return asList(list);
    },
    watchPath: (namespace) => collectionPath(namespace, PIPELINE_RUNS),
    taskRunWatchPath: (namespace) => collectionPath(namespace, TASK_RUNS),
  };
}
