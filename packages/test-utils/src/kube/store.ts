import type { KubeObject, WatchEvent } from './types.js';

/** A change in the store, kept in history so a watch can resume after a resourceVersion. */
export interface StoreEvent extends WatchEvent {
  /** The storage key of the object's resource (`tekton.dev/pipelineruns`). */
  key: string;
  /** The object before the change (MODIFIED), so a selector can tell "left" from "stayed". */
  previous?: KubeObject;
  resourceVersion: number;
}

export interface ObjectStore {
  /** The latest resourceVersion handed out (etcd's revision). */
  revision(): number;
  get(key: string, namespace: string, name: string): KubeObject | undefined;
  /** Objects of one resource, in etcd key order (namespace, then name). */
  list(key: string, namespace?: string): KubeObject[];
  /** Stores an object under a new resourceVersion, records the event and tells the listeners. */
  write(key: string, object: KubeObject): KubeObject;
  remove(key: string, namespace: string, name: string): KubeObject | undefined;
  /** Events after `resourceVersion`, or `expired` when history no longer reaches back that far. */
  since(resourceVersion: number): StoreEvent[] | { expired: true; oldest: number };
  /** Forget history, as etcd compaction does: older watches get 410 Expired. */
  compact(): void;
  subscribe(listener: (event: StoreEvent) => void): () => void;
}

function keyOf(namespace: string, name: string): string {
  return `${namespace}/${name}`;
}

export function createStore(): ObjectStore {
  const collections = new Map<string, Map<string, KubeObject>>();
  const history: StoreEvent[] = [];
  const listeners = new Set<(event: StoreEvent) => void>();
  let revision = 0;
  let compactedAt = 0;

  function collection(key: string): Map<string, KubeObject> {
    let objects = collections.get(key);
    if (!objects) {
      objects = new Map();
      collections.set(key, objects);
    }
    return objects;
  }

  function record(event: StoreEvent): void {
    history.push(event);
    for (const listener of [...listeners]) listener(event);
  }

  return {
    revision: () => revision,
    get(key, namespace, name) {
      const object = collections.get(key)?.get(keyOf(namespace, name));
      return object && structuredClone(object);
    },
    list(key, namespace) {
      const objects = [...(collections.get(key)?.entries() ?? [])]
        .filter(([, object]) => namespace === undefined || (object.metadata.namespace ?? '') === namespace)
        .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
      return objects.map(([, object]) => structuredClone(object));
    },
    write(key, object) {
      revision += 1;
      const stored = structuredClone(object);
      stored.metadata.resourceVersion = String(revision);
      const id = keyOf(stored.metadata.namespace ?? '', stored.metadata.name ?? '');
      const objects = collection(key);
      const previous = objects.get(id);
      objects.set(id, stored);
      const event: StoreEvent = {
        type: previous ? 'MODIFIED' : 'ADDED',
        key,
        object: structuredClone(stored),
        resourceVersion: revision,
      };
      if (previous) event.previous = structuredClone(previous);
      record(event);
      return structuredClone(stored);
    },
    remove(key, namespace, name) {
      const objects = collections.get(key);
      const found = objects?.get(keyOf(namespace, name));
      if (!objects || !found) return undefined;
      objects.delete(keyOf(namespace, name));
      revision += 1;
      const deleted = structuredClone(found);
      deleted.metadata.resourceVersion = String(revision);
      record({ type: 'DELETED', key, object: deleted, previous: found, resourceVersion: revision });
      return structuredClone(deleted);
    },
    since(resourceVersion) {
      if (resourceVersion < compactedAt) return { expired: true, oldest: compactedAt };
      return history.filter((event) => event.resourceVersion > resourceVersion);
    },
    compact() {
      history.length = 0;
      compactedAt = revision;
    },
    subscribe(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
  };
}
