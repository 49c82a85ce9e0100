import { randomUUID } from 'node:crypto';
import { admit, decodeObject } from './admission.js';
import { type ListBody, type ListOptions, listObjects } from './list.js';
import { applyMerge } from './patch.js';
import { APPLY_PATCH, appliedBody, patched, patchType } from './patch-request.js';
import type { PipelineRunValidator } from './pipelinerun-validator.js';
import { groupVersion, type ResourceTable, type ResourceType, storageKey } from './resources.js';
import {
  alreadyExists,
  badRequest,
  conflict,
  failure,
  invalid,
  type KubeStatus,
  notFound,
  success,
} from './status.js';
import type { ObjectStore } from './store.js';
import { type KubeObject, kubeTime } from './types.js';

/** The alphabet of generated name suffixes (Kubernetes' `utilrand.String`: no vowels, no look-alikes). */
const NAME_ALPHABET = 'bcdfghjklmnpqrstvwxz2456789';

export interface WriteOptions {
  /** `dryRun=All`: admit and answer, store nothing. */
  dryRun?: boolean;
  /** Write the `/status` subresource: only `status` changes. */
  subresource?: 'status';
}

export interface PatchRequest extends WriteOptions {
  contentType: string;
  body: string;
  fieldManager?: string | null;
}

/** The REST semantics of the fake API server, shared by its HTTP routes and its test helpers. */
export interface ObjectApi {
  get(type: ResourceType, namespace: string, name: string): KubeObject;
  list(type: ResourceType, namespace: string | undefined, options?: ListOptions): ListBody;
  create(type: ResourceType, namespace: string, body: unknown, options?: WriteOptions): KubeObject;
  replace(
    type: ResourceType,
    namespace: string,
    name: string,
    body: unknown,
    options?: WriteOptions,
  ): KubeObject;
  /** `created` when a server-side apply made a new object (the server answers 201). */
  patch(
    type: ResourceType,
    namespace: string,
    name: string,
    request: PatchRequest,
  ): { object: KubeObject; created: boolean };
  /** Custom resources answer the deleted object, built-in kinds a `Success` Status. */
  remove(type: ResourceType, namespace: string, name: string): KubeObject | KubeStatus;
  /** How an object of `type` looks on the wire at the version it was asked for. */
  present(type: ResourceType, object: KubeObject, inList?: boolean): KubeObject;
}

function generateName(prefix: string): string {
  let suffix = '';
  for (let i = 0; i < 5; i += 1) suffix += NAME_ALPHABET[Math.floor(Math.random() * NAME_ALPHABET.length)];
  return prefix + suffix;
}

/** Everything but metadata and status: what bumps `generation` when it changes. */
function specOf(object: KubeObject): string {
  const { metadata: _metadata, status: _status, ...rest } = object;
  return JSON.stringify(rest);
}

export function createObjectApi(
  store: ObjectStore,
  resources: ResourceTable,
  validator: PipelineRunValidator | null,
): ObjectApi {
  function present(type: ResourceType, object: KubeObject, inList = false): KubeObject {
    const shown = structuredClone(object);
    // Lists of built-in kinds carry no kind/apiVersion on their items; custom resources always do.
    if (inList && !type.custom) {
      const { apiVersion: _apiVersion, kind: _kind, ...rest } = shown;
      return rest as KubeObject;
    }
    return { ...shown, apiVersion: groupVersion(type) };
  }

  function namespaceOf(type: ResourceType, object: KubeObject, namespace: string): void {
    if (!type.namespaced) {
      delete object.metadata.namespace;
      return;
    }
    const given = object.metadata.namespace;
    if (given !== undefined && given !== '' && given !== namespace) {
      throw badRequest(
        'the namespace of the provided object does not match the namespace sent on the request',
      );
    }
    object.metadata.namespace = namespace;
  }

  function requireNamespace(type: ResourceType, namespace: string): void {
    if (!type.namespaced) return;
    const namespaces = resources.byKind('Namespace', 'v1');
    if (namespaces && !store.get(storageKey(namespaces), '', namespace)) {
      throw failure(404, 'NotFound', `namespaces "${namespace}" not found`, {
        name: namespace,
        kind: 'namespaces',
      });
    }
  }

  function current(type: ResourceType, namespace: string, name: string): KubeObject {
    const found = store.get(storageKey(type), type.namespaced ? namespace : '', name);
    if (!found) throw notFound(type, name);
    return found;
  }

  function create(
    type: ResourceType,
    namespace: string,
    body: unknown,
    options: WriteOptions = {},
  ): KubeObject {
    const object = decodeObject(type, structuredClone(body));
    namespaceOf(type, object, namespace);
    requireNamespace(type, namespace);
    const key = storageKey(type);
    const scope = type.namespaced ? namespace : '';
    if (!object.metadata.name) {
      const prefix = object.metadata.generateName;
      if (!prefix) {
        throw invalid(type, '', [
          {
            reason: 'FieldValueRequired',
            message: 'Required value: name or generateName is required',
            field: 'metadata.name',
          },
        ]);
      }
      let name = generateName(prefix);
      while (store.get(key, scope, name)) name = generateName(prefix);
      object.metadata.name = name;
    }
    const { metadata } = object;
    delete metadata.resourceVersion;
    metadata.uid = randomUUID();
    metadata.creationTimestamp = kubeTime();
    if (type.generation) metadata.generation = 1;
    else delete metadata.generation;
    if (type.statusSubresource) delete object.status;
    admit(type, object, validator);
    if (store.get(key, scope, metadata.name!)) throw alreadyExists(type, metadata.name!);
    return options.dryRun ? object : store.write(key, object);
  }

  /** Stores `next` in place of `previous`: managed metadata kept, status by subresource rules. */
  function update(
    type: ResourceType,
    previous: KubeObject,
    next: KubeObject,
    options: WriteOptions,
  ): KubeObject {
    const name = previous.metadata.name!;
    if (next.metadata.name !== undefined && next.metadata.name !== name) {
      throw badRequest(
        `the name of the object (${next.metadata.name}) does not match the name on the URL (${name})`,
      );
    }
    const wanted = next.metadata.resourceVersion;
    if (wanted !== undefined && wanted !== '' && wanted !== previous.metadata.resourceVersion) {
      throw conflict(type, name);
    }
    let object: KubeObject;
    if (options.subresource === 'status') {
      object = { ...previous, status: next.status };
    } else {
      object = { ...next, metadata: { ...next.metadata } };
      if (type.statusSubresource) {
        if (previous.status === undefined) delete object.status;
        else object.status = previous.status;
      }
    }
    object.apiVersion = groupVersion(type);
    object.kind = type.kind;
    const metadata = object.metadata;
    metadata.name = name;
    if (type.namespaced) metadata.namespace = previous.metadata.namespace!;
    else delete metadata.namespace;
    metadata.uid = previous.metadata.uid!;
    metadata.creationTimestamp = previous.metadata.creationTimestamp!;
    if (type.generation) {
      const changed = specOf(object) !== specOf(previous);
      metadata.generation = (previous.metadata.generation ?? 1) + (changed ? 1 : 0);
    }
    admit(type, object, validator);
    return options.dryRun ? object : store.write(storageKey(type), object);
  }

  function replace(
    type: ResourceType,
    namespace: string,
    name: string,
    body: unknown,
    options: WriteOptions = {},
  ): KubeObject {
    const next = decodeObject(type, structuredClone(body));
    if (type.namespaced) namespaceOf(type, next, namespace);
    const previous = current(type, namespace, name);
    // Custom resources refuse unconditional updates (`AllowUnconditionalUpdate` is false for CRDs).
    if (type.custom && !next.metadata.resourceVersion) {
      throw invalid(type, name, [
        {
          reason: 'FieldValueInvalid',
          message: 'Invalid value: 0x0: must be specified for an update',
          field: 'metadata.resourceVersion',
        },
      ]);
    }
    return update(type, previous, next, options);
  }

  function apply(type: ResourceType, namespace: string, name: string, request: PatchRequest) {
    if (!request.fieldManager) {
      throw badRequest(
        'PATCH requires a fieldManager query parameter for apply requests (fieldManager is required for apply requests)',
      );
    }
    const object = decodeObject(type, appliedBody(request.body));
    if (object.metadata.name !== undefined && object.metadata.name !== name) {
      throw badRequest(
        `the name of the object (${object.metadata.name}) does not match the name on the URL (${name})`,
      );
    }
    const existing = store.get(storageKey(type), type.namespaced ? namespace : '', name);
    if (!existing) {
      const created = create(type, namespace, { ...object, metadata: { ...object.metadata, name } }, request);
      return { object: created, created: true };
    }
    if (type.namespaced) namespaceOf(type, object, namespace);
    return {
      object: update(type, existing, applyMerge(existing, object) as KubeObject, request),
      created: false,
    };
  }

  function patch(type: ResourceType, namespace: string, name: string, request: PatchRequest) {
    const mediaType = patchType(type, request.contentType);
    if (mediaType === APPLY_PATCH) return apply(type, namespace, name, request);
    const previous = current(type, namespace, name);
    return {
      object: update(type, previous, patched(previous, mediaType, request.body), request),
      created: false,
    };
  }

  return {
    present,
    create,
    replace,
    patch,
    get: (type, namespace, name) => present(type, current(type, namespace, name)),
    list: (type, namespace, options = {}) =>
      listObjects(store, type, namespace, options, (item) => present(type, item, true)),
    remove(type, namespace, name) {
      const deleted = store.remove(storageKey(type), type.namespaced ? namespace : '', name);
      if (!deleted) throw notFound(type, name);
      return type.custom ? present(type, deleted) : success(type, name, deleted.metadata.uid);
    },
  };
}
