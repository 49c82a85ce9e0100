import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { expect } from 'vitest';
import { parseAllDocuments } from 'yaml';

const RBAC_DIR = path.resolve(__dirname, '../../../deploy/rbac');

interface PolicyRule {
  apiGroups: string[];
  resources: string[];
  verbs: string[];
}

interface ResourceRequest {
  verb: string;
  group: string;
  resource: string;
  namespace: string | null;
}

const RESOURCE_PATH =
  /^\/(?:api\/v1|apis\/(?<group>[^/]+)\/[^/]+)(?:\/namespaces\/(?<namespace>[^/]+))?\/(?<resource>[^/]+)(?:\/(?<name>[^/]+))?$/;

/** The RBAC verb and resource a request to the API server is authorised as; null for discovery. */
function authorisedAs(request: {
  method: string;
  path: string;
  query: URLSearchParams;
}): ResourceRequest | null {
  const match = RESOURCE_PATH.exec(request.path);
  if (!match?.groups) return null;
  const { group = '', namespace = null, resource = '', name } = match.groups;
  // `/api/v1/namespaces` and `/apis/g/v/namespaces/x` are the namespaces resource itself.
  if (resource === 'namespaces' && namespace === null && !name) return null;
  const watching = request.query.get('watch') === 'true' || request.query.get('watch') === '1';
  const verb =
    request.method === 'GET'
      ? name
        ? 'get'
        : watching
          ? 'watch'
          : 'list'
      : (({ POST: 'create', PATCH: 'patch', PUT: 'update', DELETE: 'delete' } as Record<string, string>)[
          request.method
        ] ?? request.method.toLowerCase());
  return { verb, group, resource, namespace };
}

async function roleIn(file: string): Promise<{ namespace: string; rules: PolicyRule[] }> {
  const text = await readFile(path.join(RBAC_DIR, file), 'utf8');
  const role = parseAllDocuments(text)
    .map((doc) => doc.toJS() as { kind?: string; metadata?: { namespace?: string }; rules?: PolicyRule[] })
    .find((doc) => doc.kind === 'Role');
  if (!role?.rules || !role.metadata?.namespace) throw new Error(`${file} holds no namespaced Role`);
  return { namespace: role.metadata.namespace, rules: role.rules };
}

/**
 * Every request the executor made is one the mode's Role in deploy/rbac allows, in the Role's
 * namespace: the manifests are checked against what the code really does.
 */
export async function expectAllowedByRole(
  file: string,
  requests: ReadonlyArray<{ method: string; path: string; query: URLSearchParams }>,
): Promise<void> {
  const role = await roleIn(file);
  const denied: string[] = [];
  let checked = 0;
  for (const request of requests) {
    const wanted = authorisedAs(request);
    if (!wanted) continue;
    checked += 1;
    const allowed =
      wanted.namespace === role.namespace &&
      role.rules.some(
        (rule) =>
          rule.apiGroups.includes(wanted.group) &&
          rule.resources.includes(wanted.resource) &&
          rule.verbs.includes(wanted.verb),
      );
    if (!allowed)
      denied.push(
        `${wanted.verb} ${wanted.group || 'core'}/${wanted.resource} in ${wanted.namespace ?? '(cluster)'}`,
      );
  }
  expect(checked).toBeGreaterThan(0);
  expect([...new Set(denied)], `requests deploy/rbac/${file} does not allow`).toEqual([]);
}
