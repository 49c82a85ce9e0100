import { groupVersion, type ResourceType, storageKey } from './resources.js';
import { fieldSelector, labelSelector } from './selectors.js';
import type { ObjectStore } from './store.js';
import type { KubeObject } from './types.js';

export interface ListOptions {
  labelSelector?: string | null;
  fieldSelector?: string | null;
  limit?: number;
  continue?: string | null;
}

export interface ListBody {
  apiVersion: string;
  kind: string;
  metadata: { resourceVersion: string; continue?: string; remainingItemCount?: number };
  items: KubeObject[];
}

function keyOf(item: KubeObject): string {
  return `${item.metadata.namespace ?? ''}/${item.metadata.name}`;
}

/** A LIST answer: selectors applied, in key order, paginated by `limit` and an opaque `continue`. */
export function listObjects(
  store: ObjectStore,
  type: ResourceType,
  namespace: string | undefined,
  options: ListOptions,
  present: (object: KubeObject) => KubeObject,
): ListBody {
  const labels = labelSelector(options.labelSelector ?? null);
  const fields = fieldSelector(options.fieldSelector ?? null);
  let items = store.list(storageKey(type), namespace).filter((item) => labels(item) && fields(item));
  // The continue token is the last key served; keys sort like etcd's, so "after it" is well defined.
  const after = options.continue ? Buffer.from(options.continue, 'base64url').toString('utf8') : null;
  if (after !== null) items = items.filter((item) => keyOf(item) > after);
  const metadata: ListBody['metadata'] = { resourceVersion: String(store.revision()) };
  if (options.limit && options.limit > 0 && items.length > options.limit) {
    metadata.remainingItemCount = items.length - options.limit;
    items = items.slice(0, options.limit);
    metadata.continue = Buffer.from(keyOf(items.at(-1)!)).toString('base64url');
  }
  return { apiVersion: groupVersion(type), kind: `${type.kind}List`, metadata, items: items.map(present) };
}
