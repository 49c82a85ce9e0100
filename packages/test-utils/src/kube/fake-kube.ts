import { randomUUID } from 'node:crypto';
import type { RecordedRequest } from '../forge/server.js';
import { startFakeServer } from '../forge/server.js';
import { type KubeconfigOptions, kubeconfigYaml, writeKubeconfigFile } from './kubeconfig.js';
import { createObjectApi } from './object-api.js';
import { createPipelineRunValidator, type PipelineRunValidator } from './pipelinerun-validator.js';
import type { PipelineRunHandler } from './progressions.js';
import { hasReference } from './reference.js';
import { builtinResources, type ResourceType, resourceTable, storageKey } from './resources.js';
import { kubeRoutes, statusAnswer } from './routes.js';
import { failure, noSuchResource, StatusError, unauthorized } from './status.js';
import { createStore } from './store.js';
import { createTektonController } from './tekton-controller.js';
import { type KubeObject, kubeTime } from './types.js';
import { createWatchHub } from './watch.js';

export interface FakeKubeOptions {
  /** The bearer token every request must carry. @default 'sentry-test-token' */
  token?: string;
  /** Namespaces that exist from the start; creating into any other one is a 404, as on a real cluster. @default ['default'] */
  namespaces?: string[];
  /** More resource types to serve (another CRD), besides the built-in table. */
  resources?: ResourceType[];
  /**
   * Validate `tekton.dev/v1` PipelineRuns against the real CRD schema (422 when invalid). A
   * validator from `createPipelineRunValidator()` can be passed to share one compiled schema
   * between servers (compiling takes about half a second).
   * @default true when the reference folder is present (see `hasReference()`)
   */
  validate?: boolean | PipelineRunValidator;
}

/** A fault for the next matching requests: a Status with `status`, or a dropped connection. */
export interface KubeFault {
  status?: number;
  /** @default 1 */
  times?: number;
  /** A RegExp, or a path prefix. @default every path */
  path?: RegExp | string;
  method?: string;
  /** Drop the connection instead of answering. */
  reset?: boolean;
  /** Extra headers, e.g. `retry-after` (429 gets `retry-after: 1` unless given). */
  headers?: Record<string, string>;
  /** The body; defaults to a Status matching `status`. */
  body?: unknown;
}

export interface FakeKube {
  /** `http://127.0.0.1:<port>`. */
  url: string;
  token: string;
  /** Whether PipelineRuns are validated against the CRD schema (false without the reference folder). */
  validating: boolean;
  requests: RecordedRequest[];
  /** Requests no route understood: tests assert it stays empty. */
  unexpected(): RecordedRequest[];
  fault(fault: KubeFault): void;
  /** A kubeconfig YAML for this server (token user, `insecure-skip-tls-verify: true`). */
  kubeconfig(options?: KubeconfigOptions): string;
  /** Writes `kubeconfig(options)` to `<dir>/kubeconfig` (or `options.file`) and returns its path. */
  writeKubeconfig(dir: string, options?: KubeconfigOptions): Promise<string>;
  /** Scripts new PipelineRuns: the first handler that returns a progression wins. Returns an unsubscribe. */
  onPipelineRun(handler: PipelineRunHandler): () => void;
  /** Objects of a kind (`'PipelineRun'`), in one namespace or all, as the API would show them. */
  list(kind: string, namespace?: string): KubeObject[];
  get(kind: string, namespace: string | undefined, name: string): KubeObject | undefined;
  /** Creates an object as a client's POST would (admission, generateName, progressions); throws a StatusError. */
  create(object: KubeObject): KubeObject;
  /** Ends every open watch stream. */
  dropWatches(): void;
  /** Refuse watch requests (403 Forbidden by default, or 500) so a client must poll. */
  refuseWatches(on: boolean, status?: 403 | 500): void;
  /** How many watch streams are open. */
  watchCount(): number;
  /** Forget the change history (etcd compaction): watches from an older resourceVersion get 410 Expired. */
  compact(): void;
  close(): Promise<void>;
}

function defaultFaultBody(status: number): unknown {
  if (status === 429) {
    return failure(429, 'TooManyRequests', 'Too many requests, please try again later.', {
      retryAfterSeconds: 1,
    }).status;
  }
  if (status === 503)
    return failure(503, 'ServiceUnavailable', 'the server is currently unable to handle the request').status;
  if (status === 504)
    return failure(504, 'Timeout', 'the server was unable to return a response in the time allotted').status;
  return failure(status, 'InternalError', 'Internal error occurred: injected by the test').status;
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/**
 * A loopback Kubernetes API server with Tekton installed, speaking the real wire format to
 * @kubernetes/client-node: bearer-token auth, discovery, CRUD, merge/JSON/apply patches, watch
 * with resourceVersion replay, Status errors, PipelineRun validation against the real CRD, and a
 * scripted Tekton controller (progressions, cancellation).
 */
export async function startFakeKube(options: FakeKubeOptions = {}): Promise<FakeKube> {
  const token = options.token ?? 'sentry-test-token';
  const table = resourceTable([...builtinResources(), ...(options.resources ?? [])]);
  const validate = options.validate ?? hasReference();
  const validator =
    typeof validate === 'function' ? validate : validate ? createPipelineRunValidator() : null;
  const store = createStore();
  const api = createObjectApi(store, table, validator);
  const watches = createWatchHub(store, api);
  const controller = createTektonController(store);
  let watchRefusal: number | null = null;

  const namespaceType = table.byKind('Namespace', 'v1')!;
  for (const name of options.namespaces ?? ['default']) {
    store.write(storageKey(namespaceType), {
      apiVersion: 'v1',
      kind: 'Namespace',
      metadata: {
        name,
        uid: randomUUID(),
        creationTimestamp: kubeTime(),
        labels: { 'kubernetes.io/metadata.name': name },
      },
      spec: { finalizers: ['kubernetes'] },
      status: { phase: 'Active' },
    });
  }

  function authorized(header: string | undefined): boolean {
    const match = /^Bearer\s+(.+)$/i.exec(header?.trim() ?? '');
    return match?.[1] === token;
  }

  const server = await startFakeServer(
    kubeRoutes(table, api, {
      watchRefusal: () => watchRefusal,
      openWatch: (type, namespace, query) => watches.open(type, namespace, query),
    }),
    {
      before: (context) =>
        authorized(context.req.headers.authorization) ? null : statusAnswer(unauthorized()),
      notFound: (context) =>
        statusAnswer(authorized(context.req.headers.authorization) ? noSuchResource() : unauthorized()),
    },
  );

  function typeOf(kind: string): ResourceType {
    const type = table.byKind(kind);
    if (!type)
      throw new Error(
        `fake kube: no resource of kind "${kind}" (known: ${table.all.map((t) => t.kind).join(', ')})`,
      );
    return type;
  }

  return {
    url: server.url,
    token,
    validating: validator !== null,
    requests: server.requests,
    unexpected: server.unexpected,
    fault(fault) {
      const status = fault.status ?? 500;
      const headers = {
        'content-type': 'application/json',
        ...(status === 429 ? { 'retry-after': '1' } : {}),
        ...fault.headers,
      };
      const path = typeof fault.path === 'string' ? new RegExp(`^${escapeRegExp(fault.path)}`) : fault.path;
      server.fault({
        status,
        headers,
        body: fault.body ?? defaultFaultBody(status),
        times: fault.times ?? 1,
        ...(path ? { path } : {}),
        ...(fault.method ? { method: fault.method.toUpperCase() } : {}),
        ...(fault.reset ? { reset: true } : {}),
      });
    },
    kubeconfig: (kubeconfigOptions) => kubeconfigYaml(server.url, token, kubeconfigOptions),
    writeKubeconfig: (dir, kubeconfigOptions) =>
      writeKubeconfigFile(dir, server.url, token, kubeconfigOptions),
    onPipelineRun: (handler) => controller.onPipelineRun(handler),
    list(kind, namespace) {
      const type = typeOf(kind);
      return store.list(storageKey(type), namespace).map((object) => api.present(type, object));
    },
    get(kind, namespace, name) {
      const type = typeOf(kind);
      const found = store.get(storageKey(type), type.namespaced ? (namespace ?? '') : '', name);
      return found && api.present(type, found);
    },
    create(object) {
      const type = table.byKind(object.kind, object.apiVersion);
      if (!type) throw new StatusError(noSuchResource().status);
      return api.present(type, api.create(type, object.metadata.namespace ?? 'default', object));
    },
    dropWatches: () => watches.dropAll(),
    refuseWatches(on, status = 403) {
      watchRefusal = on ? status : null;
    },
    watchCount: () => watches.count(),
    compact: () => store.compact(),
    async close() {
      controller.close();
      watches.dropAll();
      await server.close();
    },
  };
}
