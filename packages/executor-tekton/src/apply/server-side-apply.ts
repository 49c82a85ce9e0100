import { type KubernetesObject, PatchStrategy } from '@kubernetes/client-node';
import { SentryError } from '@sentry-git/core';
import { type CallOptions, callKube } from '../kube/call.js';
import type { KubeClient } from '../kube/client.js';
import type { KubeAction } from '../kube/errors.js';
import type { Manifest } from '../manifests.js';

/** The field manager of everything the executor applies (kubectl uses "kubectl"). */
export const FIELD_MANAGER = 'sentry-git';

export interface ApplyContext {
  client: KubeClient;
  signal: AbortSignal;
  /** deploy.tekton.namespace: overrides every namespaced object's namespace. */
  namespaceOverride: string | undefined;
  call: Omit<CallOptions, 'signal'>;
  note(line: string): void;
}

/** "configmaps", "tasks.tekton.dev": how RBAC names a resource. */
function rbacResource(apiVersion: string, plural: string): string {
  const [group, version] = apiVersion.split('/');
  return version ? `${plural}.${group}` : plural;
}

/**
 * Server-side applies manifests in order (field manager "sentry-git", force: the QA repository is
 * the source of truth for what it declares). Namespaced objects go to the override namespace, else
 * their own, else the context's; cluster-scoped ones lose any namespace. Discovery (which kinds
 * are namespaced) goes through KubernetesObjectApi, which caches it per API version.
 */
export async function applyManifests(manifests: readonly Manifest[], context: ApplyContext): Promise<void> {
  const { client, signal } = context;
  const api = client.objects(signal);
  const callOptions: CallOptions = { ...context.call, signal };
  for (const manifest of manifests) {
    const object = structuredClone(manifest.object);
    const where = `${manifest.file}:${manifest.line}`;
    const metadata = { ...object.metadata };
    if (!metadata.name) {
      throw new SentryError(
        'TEKTON_MANIFEST_INVALID',
        `${where}: ${object.kind} has no metadata.name; server-side apply needs one.`,
        {
          fix: 'Give the object a name (generateName only works for PipelineRuns, which the executor creates).',
        },
      );
    }
    const apiVersion = object.apiVersion ?? '';
    const kind = object.kind ?? '';
    const discovery: KubeAction = { verb: 'get', resource: `API ${apiVersion}`, server: client.server };
    const info = await callKube(discovery, () => api.describeKind(apiVersion, kind), callOptions);
    if (info === undefined) {
      throw new SentryError(
        'TEKTON_UNKNOWN_KIND',
        `${where}: the cluster does not serve ${kind} in ${apiVersion}.`,
        {
          fix: `Install the CRD that defines it (for Tekton kinds: Tekton Pipelines or Triggers), or correct apiVersion/kind.`,
        },
      );
    }
    const namespaced = info.namespaced;
    if (namespaced) metadata.namespace = context.namespaceOverride ?? metadata.namespace ?? client.namespace;
    else delete metadata.namespace;
    // As read from YAML: client-node's types expect Dates where a manifest has strings (or nothing).
    const spec = { ...object, apiVersion, kind, metadata } as KubernetesObject;
    const action: KubeAction = {
      verb: 'patch',
      resource: rbacResource(apiVersion, info.name),
      namespace: metadata.namespace,
      name: metadata.name,
      server: client.server,
    };
    await callKube(
      action,
      () => api.patch(spec, undefined, undefined, FIELD_MANAGER, true, PatchStrategy.ServerSideApply),
      callOptions,
    );
    context.note(
      `Applied ${kind}/${metadata.name}${namespaced ? ` in namespace ${metadata.namespace}` : ''} (${where})`,
    );
  }
}
