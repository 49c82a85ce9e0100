import { groupVersion, type ResourceTable, resourceVerbs } from './resources.js';
import { noSuchResource } from './status.js';

/** `GET /api`: the core group's versions. */
export function coreVersions(serverAddress: string): object {
  return {
    kind: 'APIVersions',
    versions: ['v1'],
    serverAddressByClientCIDRs: [{ clientCIDR: '0.0.0.0/0', serverAddress }],
  };
}

function groupBody(group: string, versions: string[]): object {
  const entries = versions.map((version) => ({ groupVersion: `${group}/${version}`, version }));
  return { name: group, versions: entries, preferredVersion: entries[0] };
}

/** `GET /apis`: every named group, its versions first-preferred. */
export function groupList(table: ResourceTable): object {
  return {
    kind: 'APIGroupList',
    apiVersion: 'v1',
    groups: table
      .groupVersions()
      .filter(({ group }) => group !== '')
      .map(({ group, versions }) => groupBody(group, versions)),
  };
}

/** `GET /apis/{group}`; 404 for a group no CRD or built-in serves. */
export function apiGroup(table: ResourceTable, group: string): object {
  const found = table.groupVersions().find((entry) => entry.group === group && group !== '');
  if (!found) throw noSuchResource();
  return { kind: 'APIGroup', apiVersion: 'v1', ...groupBody(found.group, found.versions) };
}

/** `GET /api/v1` or `/apis/{group}/{version}`: the APIResourceList client-node's KubernetesObjectApi reads. */
export function resourceList(table: ResourceTable, group: string, version: string): object {
  const types = table.all.filter((type) => type.group === group && type.version === version);
  if (types.length === 0) throw noSuchResource();
  const resources = types.flatMap((type) => {
    const main: Record<string, unknown> = {
      name: type.plural,
      singularName: type.singular,
      namespaced: type.namespaced,
      kind: type.kind,
      verbs: resourceVerbs(),
    };
    if (type.shortNames) main.shortNames = type.shortNames;
    if (type.custom)
      main.categories = type.group.startsWith('tekton.dev') ? ['tekton', 'tekton-pipelines'] : ['tekton'];
    if (!type.statusSubresource) return [main];
    const status = {
      name: `${type.plural}/status`,
      singularName: '',
      namespaced: type.namespaced,
      kind: type.kind,
      verbs: ['get', 'patch', 'update'],
    };
    return [main, status];
  });
  return { kind: 'APIResourceList', apiVersion: 'v1', groupVersion: groupVersion(types[0]!), resources };
}

/** `GET /version`: a plausible server version. */
export function serverVersion(): object {
  return {
    major: '1',
    minor: '30',
    gitVersion: 'v1.30.0',
    gitCommit: '0000000000000000000000000000000000000000',
    gitTreeState: 'clean',
    buildDate: '2024-04-17T17:27:16Z',
    goVersion: 'go1.22.2',
    compiler: 'gc',
    platform: 'linux/amd64',
  };
}
