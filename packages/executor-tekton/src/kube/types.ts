/** The parts of Kubernetes objects the executor reads; everything else passes through untouched. */
export interface ObjectMeta {
  name?: string;
  generateName?: string;
  namespace?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  resourceVersion?: string;
  uid?: string;
  creationTimestamp?: string;
  [key: string]: unknown;
}

export interface KubeObject {
  apiVersion?: string;
  kind?: string;
  metadata?: ObjectMeta;
  [key: string]: unknown;
}

/** A Knative-style condition, as Tekton reports `Succeeded`. */
export interface Condition {
  type: string;
  status: string;
  reason?: string;
  message?: string;
}

export interface RunStatus {
  conditions?: Condition[];
  startTime?: string;
  completionTime?: string;
  childReferences?: Array<{ kind?: string; name?: string; pipelineTaskName?: string }>;
  [key: string]: unknown;
}

/** A PipelineRun or a TaskRun. */
export interface TektonRun extends KubeObject {
  spec?: Record<string, unknown>;
  status?: RunStatus;
}

export interface ListResult<T> {
  items: T[];
  /** The list's resourceVersion: a watch from here misses nothing. */
  resourceVersion: string | undefined;
}
