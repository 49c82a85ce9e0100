/** One REST resource the fake API server serves, as discovery describes it. */
export interface ResourceType {
  /** '' for the core group (`/api/v1`). */
  group: string;
  version: string;
  kind: string;
  /** The plural resource name in paths: `pipelineruns`. */
  plural: string;
  singular: string;
  namespaced: boolean;
  shortNames?: string[];
  /**
   * A custom resource (CRD): its objects carry `generation`, DELETE answers the object and
   * strategic-merge-patch is refused with 415, as the real API server does.
   */
  custom: boolean;
  /** Has a `/status` subresource: writes to the main resource keep the stored status. */
  statusSubresource: boolean;
  /** Objects carry `metadata.generation`, bumped when anything but metadata and status changes. */
  generation: boolean;
}

const ALL_VERBS = ['create', 'delete', 'deletecollection', 'get', 'list', 'patch', 'update', 'watch'];

function resource(
  group: string,
  version: string,
  kind: string,
  extra: Partial<ResourceType> = {},
): ResourceType {
  const singular = kind.toLowerCase();
  return {
    group,
    version,
    kind,
    plural: extra.plural ?? `${singular}s`,
    singular,
    namespaced: true,
    custom: false,
    statusSubresource: false,
    generation: extra.custom ?? false,
    ...extra,
  };
}

function tekton(version: string): ResourceType[] {
  const crd = { custom: true, statusSubresource: true };
  return [
    resource('tekton.dev', version, 'Pipeline', crd),
    resource('tekton.dev', version, 'Task', crd),
    resource('tekton.dev', version, 'PipelineRun', { ...crd, shortNames: ['pr', 'prs'] }),
    resource('tekton.dev', version, 'TaskRun', { ...crd, shortNames: ['tr', 'trs'] }),
  ];
}

/** Built-in kinds plus the Tekton Pipelines and Triggers CRDs, as a cluster with Tekton installed serves them. */
export function builtinResources(): ResourceType[] {
  const triggers = { custom: true, statusSubresource: true };
  return [
    resource('', 'v1', 'ConfigMap', { shortNames: ['cm'] }),
    resource('', 'v1', 'Secret'),
    resource('', 'v1', 'ServiceAccount', { shortNames: ['sa'] }),
    resource('', 'v1', 'Service', { shortNames: ['svc'], statusSubresource: true }),
    resource('', 'v1', 'PersistentVolumeClaim', { shortNames: ['pvc'], statusSubresource: true }),
    resource('', 'v1', 'Namespace', { namespaced: false, shortNames: ['ns'], statusSubresource: true }),
    resource('apps', 'v1', 'Deployment', {
      shortNames: ['deploy'],
      statusSubresource: true,
      generation: true,
    }),
    resource('rbac.authorization.k8s.io', 'v1', 'Role'),
    resource('rbac.authorization.k8s.io', 'v1', 'RoleBinding'),
    resource('rbac.authorization.k8s.io', 'v1', 'ClusterRole', { namespaced: false }),
    resource('rbac.authorization.k8s.io', 'v1', 'ClusterRoleBinding', { namespaced: false }),
    ...tekton('v1'),
    ...tekton('v1beta1'),
    resource('triggers.tekton.dev', 'v1beta1', 'EventListener', { ...triggers, shortNames: ['el'] }),
    resource('triggers.tekton.dev', 'v1beta1', 'TriggerBinding', { ...triggers, shortNames: ['tb'] }),
    resource('triggers.tekton.dev', 'v1beta1', 'TriggerTemplate', { ...triggers, shortNames: ['tt'] }),
    resource('triggers.tekton.dev', 'v1beta1', 'Trigger', triggers),
  ];
}

/** `apps/v1`, or `v1` for the core group. */
export function groupVersion(type: Pick<ResourceType, 'group' | 'version'>): string {
  return type.group === '' ? type.version : `${type.group}/${type.version}`;
}

/** Where objects of a type live: every served version of one group/resource shares them. */
export function storageKey(type: Pick<ResourceType, 'group' | 'plural'>): string {
  return `${type.group}/${type.plural}`;
}

/** `PipelineRun.tekton.dev`, `Deployment.apps`, `ConfigMap`: how Status messages qualify a kind. */
export function qualifiedKind(type: ResourceType): string {
  return type.group === '' ? type.kind : `${type.kind}.${type.group}`;
}

/** `pipelineruns.tekton.dev` or `configmaps`: how Status messages name a resource. */
export function qualifiedResource(type: ResourceType): string {
  return type.group === '' ? type.plural : `${type.plural}.${type.group}`;
}

/** The verbs discovery lists for a resource. */
export function resourceVerbs(): string[] {
  return [...ALL_VERBS];
}

/** A lookup over a resource table. */
export interface ResourceTable {
  all: ResourceType[];
  byPath(group: string, version: string, plural: string): ResourceType | undefined;
  /** By kind, preferring the first version listed (the storage version). */
  byKind(kind: string, apiVersion?: string): ResourceType | undefined;
  groupVersions(): Array<{ group: string; versions: string[] }>;
}

export function resourceTable(types: ResourceType[]): ResourceTable {
  return {
    all: types,
    byPath: (group, version, plural) =>
      types.find((t) => t.group === group && t.version === version && t.plural === plural),
    byKind: (kind, apiVersion) =>
      types.find((t) => t.kind === kind && (apiVersion === undefined || groupVersion(t) === apiVersion)),
    groupVersions() {
      const groups = new Map<string, string[]>();
      for (const type of types) {
        const versions = groups.get(type.group) ?? [];
        if (!versions.includes(type.version)) versions.push(type.version);
        groups.set(type.group, versions);
      }
      return [...groups].map(([group, versions]) => ({ group, versions }));
    },
  };
}
