import type { Route, RouteContext, RouteResponse } from '../forge/server.js';
import { apiGroup, coreVersions, groupList, resourceList, serverVersion } from './discovery.js';
import type { ObjectApi } from './object-api.js';
import type { ResourceTable, ResourceType } from './resources.js';
import { failure, forbidden, methodNotAllowed, noSuchResource, StatusError, success } from './status.js';

/** What the routes ask of the server they belong to (test switches live there). */
export interface RouteState {
  /** Null to serve watches; else the status a watch request is refused with (403 or 500). */
  watchRefusal(): number | null;
  openWatch(type: ResourceType, namespace: string | undefined, query: URLSearchParams): RouteResponse;
}

const JSON_HEADERS = { 'content-type': 'application/json' };

function answer(status: number, body: unknown): RouteResponse {
  return { status, headers: JSON_HEADERS, body };
}

/** Runs a handler, turning a thrown StatusError into its Status answer. */
function guarded(handle: (context: RouteContext) => RouteResponse): (context: RouteContext) => RouteResponse {
  return (context) => {
    try {
      return handle(context);
    } catch (error) {
      if (error instanceof StatusError) return answer(error.status.code, error.status);
      throw error;
    }
  };
}

interface Target {
  type: ResourceType;
  namespace: string | undefined;
  name: string | undefined;
  subresource: 'status' | undefined;
}

const RESOURCE =
  /^\/(?:api\/(?<core>v1)|apis\/(?<group>[^/]+)\/(?<version>[^/]+))(?:\/namespaces\/(?<namespace>[^/]+))?\/(?<plural>[^/]+)(?:\/(?<name>[^/]+))?(?:\/(?<sub>status))?$/;

function target(table: ResourceTable, params: Record<string, string>): Target {
  const group = params.group ?? '';
  const version = params.version ?? params.core ?? 'v1';
  let { namespace, plural, name, sub } = params as Partial<Record<string, string>>;
  // `/api/v1/namespaces/<ns>/status` is the Namespace's own status, not a resource called "status".
  if (group === '' && namespace !== undefined && plural === 'status' && name === undefined) {
    [plural, name, sub, namespace] = ['namespaces', namespace, 'status', undefined];
  }
  const type = table.byPath(group, version, plural ?? '');
  if (!type) throw noSuchResource();
  if (!type.namespaced && namespace !== undefined) throw noSuchResource();
  return { type, namespace, name, subresource: sub === 'status' ? 'status' : undefined };
}

/** A namespaced object needs its namespace in the path; only list and watch may span all of them. */
function scoped(found: Target): string {
  if (found.type.namespaced && found.namespace === undefined) throw noSuchResource();
  return found.namespace ?? '';
}

function isWatch(query: URLSearchParams): boolean {
  const value = query.get('watch');
  return value === 'true' || value === '1';
}

/** The HTTP surface of the fake API server: discovery plus CRUD, patch and watch on every resource. */
export function kubeRoutes(table: ResourceTable, api: ObjectApi, state: RouteState): Route[] {
  const discovery = (name: string, pattern: RegExp, body: (context: RouteContext) => unknown): Route => ({
    name,
    method: 'GET',
    pattern,
    handle: guarded((context) => answer(200, body(context))),
  });
  const resource = (
    method: string,
    handle: (found: Target, context: RouteContext) => RouteResponse,
  ): Route => ({
    name: `${method.toLowerCase()}Resource`,
    method,
    pattern: RESOURCE,
    handle: guarded((context) => handle(target(table, context.params), context)),
  });
  const dryRun = (context: RouteContext) => context.query.get('dryRun') === 'All';

  return [
    discovery('version', /^\/version\/?$/, () => serverVersion()),
    discovery('coreVersions', /^\/api\/?$/, (context) => coreVersions(new URL(context.baseUrl).host)),
    discovery('groupList', /^\/apis\/?$/, () => groupList(table)),
    discovery('apiGroup', /^\/apis\/(?<group>[^/]+)\/?$/, (context) =>
      apiGroup(table, context.params.group!),
    ),
    discovery('coreResources', /^\/api\/v1\/?$/, () => resourceList(table, '', 'v1')),
    discovery('groupResources', /^\/apis\/(?<group>[^/]+)\/(?<version>[^/]+)\/?$/, (context) =>
      resourceList(table, context.params.group!, context.params.version!),
    ),
    resource('GET', (found, { query }) => {
      if (found.name !== undefined) return answer(200, api.get(found.type, scoped(found), found.name));
      if (!isWatch(query)) {
        const options = {
          labelSelector: query.get('labelSelector'),
          fieldSelector: query.get('fieldSelector'),
          limit: Number(query.get('limit') ?? '0'),
          continue: query.get('continue'),
        };
        return answer(200, api.list(found.type, found.namespace, options));
      }
      const refusal = state.watchRefusal();
      if (refusal === 403) throw forbidden(found.type, 'watch', found.namespace);
      if (refusal !== null)
        throw failure(refusal, 'InternalError', 'Internal error occurred: the watch cache is not ready');
      return state.openWatch(found.type, found.namespace, query);
    }),
    resource('POST', (found, context) => {
      if (found.name !== undefined) throw methodNotAllowed();
      const body = parseBody(context.body);
      return answer(201, api.create(found.type, scoped(found), body, { dryRun: dryRun(context) }));
    }),
    resource('PUT', (found, context) => {
      if (found.name === undefined) throw methodNotAllowed();
      const options = { dryRun: dryRun(context), subresource: found.subresource };
      return answer(
        200,
        api.replace(found.type, scoped(found), found.name, parseBody(context.body), options),
      );
    }),
    resource('PATCH', (found, context) => {
      if (found.name === undefined) throw methodNotAllowed();
      const result = api.patch(found.type, scoped(found), found.name, {
        contentType: context.req.headers['content-type'] ?? '',
        body: context.body,
        fieldManager: context.query.get('fieldManager'),
        dryRun: dryRun(context),
        subresource: found.subresource,
      });
      return answer(result.created ? 201 : 200, result.object);
    }),
    resource('DELETE', (found, { query }) => {
      if (found.name !== undefined) return answer(200, api.remove(found.type, scoped(found), found.name));
      const options = {
        labelSelector: query.get('labelSelector'),
        fieldSelector: query.get('fieldSelector'),
      };
      const doomed = api.list(found.type, found.namespace, options);
      for (const item of doomed.items)
        api.remove(found.type, item.metadata.namespace ?? '', item.metadata.name!);
      return answer(200, found.type.custom ? doomed : { ...success(found.type, '', undefined), details: {} });
    }),
  ];
}

function parseBody(body: string): unknown {
  try {
    return JSON.parse(body);
  } catch (error) {
    throw failure(
      400,
      'BadRequest',
      `couldn't get version/kind; json parse error: ${(error as Error).message}`,
    );
  }
}

export function statusAnswer(error: StatusError): RouteResponse {
  return answer(error.status.code, error.status);
}
