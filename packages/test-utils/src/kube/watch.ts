import type { RouteResponse } from '../forge/server.js';
import type { ObjectApi } from './object-api.js';
import { type ResourceType, storageKey } from './resources.js';
import { fieldSelector, labelSelector, type Selector } from './selectors.js';
import { badRequest, expired, type KubeStatus } from './status.js';
import type { ObjectStore, StoreEvent } from './store.js';
import type { KubeObject, WatchEvent } from './types.js';

type WireEvent = WatchEvent | { type: 'ERROR'; object: KubeStatus };

export interface WatchHub {
  /** Answers a `?watch=true` request: a chunked stream of JSON lines. Throws a StatusError on a bad query. */
  open(type: ResourceType, namespace: string | undefined, query: URLSearchParams): RouteResponse;
  /** How many watch streams are open now. */
  count(): number;
  /** Ends every open stream, as an API server restart or a load balancer timeout does. */
  dropAll(): void;
}

export function createWatchHub(store: ObjectStore, api: ObjectApi): WatchHub {
  /** How to end each open stream. */
  const streams = new Set<() => void>();

  function translate(
    type: ResourceType,
    namespace: string | undefined,
    selected: Selector,
    event: StoreEvent,
  ): WireEvent | null {
    if (event.key !== storageKey(type)) return null;
    if (namespace !== undefined && (event.object.metadata.namespace ?? '') !== namespace) return null;
    const show = (object: KubeObject) => api.present(type, object);
    const before = event.previous !== undefined && selected(event.previous);
    if (event.type === 'DELETED') return before ? { type: 'DELETED', object: show(event.object) } : null;
    const now = selected(event.object);
    // An object that starts or stops matching the selectors is ADDED or DELETED for this watch.
    if (now && before) return { type: 'MODIFIED', object: show(event.object) };
    if (now) return { type: 'ADDED', object: show(event.object) };
    if (before) return { type: 'DELETED', object: show(event.object) };
    return null;
  }

  function open(type: ResourceType, namespace: string | undefined, query: URLSearchParams): RouteResponse {
    const labels = labelSelector(query.get('labelSelector'));
    const fields = fieldSelector(query.get('fieldSelector'));
    const selected: Selector = (object) => labels(object) && fields(object);
    const from = query.get('resourceVersion') ?? '';
    if (from !== '' && !/^\d+$/.test(from)) throw badRequest(`Invalid value for resourceVersion: "${from}"`);
    const timeoutSeconds = Number(query.get('timeoutSeconds') ?? '0');

    return {
      status: 200,
      headers: { 'content-type': 'application/json', 'cache-control': 'no-cache, private' },
      stream(res) {
        const send = (event: WireEvent) => {
          if (!res.writableEnded && !res.destroyed) res.write(`${JSON.stringify(event)}\n`);
        };
        if (from === '' || from === '0') {
          // "Get state and start at most recent": the current objects first, as synthetic ADDED events.
          for (const object of store.list(storageKey(type), namespace)) {
            if (selected(object)) send({ type: 'ADDED', object: api.present(type, object) });
          }
        } else {
          const history = store.since(Number(from));
          if (!Array.isArray(history)) {
            send({ type: 'ERROR', object: expired(from, String(history.oldest)) });
            res.end();
            return;
          }
          for (const event of history) {
            const wire = translate(type, namespace, selected, event);
            if (wire) send(wire);
          }
        }
        const unsubscribe = store.subscribe((event) => {
          const wire = translate(type, namespace, selected, event);
          if (wire) send(wire);
        });
        const timer =
          timeoutSeconds > 0 ? setTimeout(() => finish(), timeoutSeconds * 1000).unref() : undefined;
        // Stop listening at once: a change between end() and the socket's close must not write.
        function finish(): void {
          unsubscribe();
          clearTimeout(timer);
          streams.delete(finish);
          if (!res.writableEnded) res.end();
        }
        streams.add(finish);
        res.on('close', finish);
        // The client may have gone before the stream was set up: 'close' has fired already.
        if (res.destroyed) finish();
      },
    };
  }

  return {
    open,
    count: () => streams.size,
    dropAll() {
      for (const finish of [...streams]) finish();
    },
  };
}
