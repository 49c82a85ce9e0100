import { randomUUID } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';
import { type RecordedRequest, type RouteContext, startFakeServer } from '../forge/server.js';
import { eventPipelineRun } from './event-pipelinerun.js';
import type { FakeKube } from './fake-kube.js';
import { type InterceptorKind, intercept } from './interceptors.js';
import { StatusError } from './status.js';
import type { KubeObject } from './types.js';

export interface FakeEventListenerOptions {
  /** Where accepted events create their PipelineRun; without it nothing is created. */
  kube?: FakeKube;
  /** @default 'default' */
  namespace?: string;
  /** The EventListener's name. @default 'listener' */
  name?: string;
  interceptor: InterceptorKind;
  /** The webhook secret (GitHub/CloudEvents: HMAC key; GitLab: the token). Unset = no check. */
  secret?: string;
  /** Event types let through (GitHub default `['push']`, GitLab `['Push Hook']`). */
  eventTypes?: string[];
  /** Builds the PipelineRun for an accepted event (the TriggerTemplate); labels are added. */
  pipelineRun?: (body: unknown, headers: IncomingHttpHeaders) => object;
}

/** One event the sink received, and what became of it. */
export interface EventDelivery {
  eventID: string;
  headers: IncomingHttpHeaders;
  /** The raw body, as bytes arrived. */
  body: Buffer;
  /** Whether the interceptor let it through; `reason` says why not (or why nothing was created). */
  accepted: boolean;
  reason: string;
  /** The PipelineRun created for it, when one was. */
  pipelineRun?: KubeObject;
}

export interface EventListenerFault {
  /** 500 or 503 (the Service without ready pods). @default 503 */
  status?: number;
  /** @default 1 */
  times?: number;
  /** Drop the connection instead of answering. */
  reset?: boolean;
}

export interface FakeEventListener {
  /** The sink's URL (`http://127.0.0.1:<port>`), as `event_listener_url`. */
  url: string;
  /** The EventListener's metadata.uid, as the 202 body reports it. */
  uid: string;
  deliveries: EventDelivery[];
  /** Resolves once the event is processed (intercepted and, if accepted, its PipelineRun created). */
  whenProcessed(eventID: string): Promise<EventDelivery>;
  requests: RecordedRequest[];
  unexpected(): RecordedRequest[];
  fault(fault?: EventListenerFault): void;
  close(): Promise<void>;
}

interface Waiter {
  promise: Promise<EventDelivery>;
  resolve: (delivery: EventDelivery) => void;
}

/**
 * A loopback Tekton Triggers EventListener sink. Like the real one it answers every POST at
 * once with 202 and `{eventListener, namespace, eventListenerUID, eventID}`, whatever the
 * signature; only afterwards does the interceptor run, and only an accepted event creates a
 * PipelineRun (labelled with the event id) in the fake kube. A 202 means received, not deployed.
 */
export async function startFakeEventListener(options: FakeEventListenerOptions): Promise<FakeEventListener> {
  const name = options.name ?? 'listener';
  const namespace = options.namespace ?? 'default';
  const uid = randomUUID();
  const deliveries: EventDelivery[] = [];
  const waiters = new Map<string, Waiter>();

  function waiter(eventID: string): Waiter {
    let entry = waiters.get(eventID);
    if (!entry) {
      let resolve: (delivery: EventDelivery) => void = () => {};
      const promise = new Promise<EventDelivery>((done) => {
        resolve = done;
      });
      entry = { promise, resolve };
      waiters.set(eventID, entry);
    }
    return entry;
  }

  function createPipelineRun(delivery: EventDelivery, body: unknown): void {
    if (!options.kube) {
      delivery.reason = 'accepted; no kube to create a PipelineRun in';
      return;
    }
    const template = (options.pipelineRun?.(body, delivery.headers) ??
      eventPipelineRun(options.interceptor, name, body)) as KubeObject;
    const object = structuredClone(template);
    object.metadata = {
      ...object.metadata,
      namespace: object.metadata?.namespace ?? namespace,
      labels: {
        ...object.metadata?.labels,
        'triggers.tekton.dev/eventlistener': name,
        'triggers.tekton.dev/trigger': `${name}-trigger`,
        'triggers.tekton.dev/triggers-eventid': delivery.eventID,
      },
    };
    try {
      delivery.pipelineRun = options.kube.create(object);
    } catch (error) {
      // The real sink logs the failed create and moves on; the sender never hears of it.
      delivery.reason = `accepted, but creating the PipelineRun failed: ${error instanceof StatusError ? error.status.message : String(error)}`;
    }
  }

  function process(delivery: EventDelivery): void {
    const verdict = intercept(options.interceptor, delivery.headers, delivery.body, options);
    delivery.accepted = verdict.accepted;
    delivery.reason = verdict.reason;
    if (verdict.accepted) {
      let body: unknown;
      try {
        body = JSON.parse(delivery.body.toString('utf8'));
      } catch {
        delivery.accepted = false;
        delivery.reason = 'the event body is not JSON';
      }
      if (delivery.accepted) createPipelineRun(delivery, body);
    }
    waiter(delivery.eventID).resolve(delivery);
  }

  function receive(context: RouteContext) {
    const delivery: EventDelivery = {
      eventID: randomUUID(),
      headers: context.req.headers,
      body: context.rawBody,
      accepted: false,
      reason: 'pending',
    };
    deliveries.push(delivery);
    // The sink answers before the interceptors run: a 202 says nothing about the outcome.
    setImmediate(() => process(delivery));
    return {
      status: 202,
      headers: { 'content-type': 'application/json' },
      body: { eventListener: name, namespace, eventListenerUID: uid, eventID: delivery.eventID },
    };
  }

  const server = await startFakeServer([
    { name: 'event', method: 'POST', pattern: /^\/.*$/, handle: receive },
    { name: 'live', method: 'GET', pattern: /^\/live$/, handle: () => ({ status: 200, body: 'ok' }) },
  ]);

  return {
    url: server.url,
    uid,
    deliveries,
    whenProcessed(eventID) {
      // Event ids come from this sink's own 202s: an unknown one would wait forever.
      if (!deliveries.some((delivery) => delivery.eventID === eventID)) {
        return Promise.reject(new Error(`fake EventListener: no event ${eventID} was received`));
      }
      return waiter(eventID).promise;
    },
    requests: server.requests,
    unexpected: server.unexpected,
    fault(fault = {}) {
      const status = fault.status ?? 503;
      server.fault({
        status,
        times: fault.times ?? 1,
        headers: { 'content-type': 'text/plain; charset=utf-8' },
        body: status === 503 ? 'no healthy upstream' : 'Internal Server Error',
        ...(fault.reset ? { reset: true } : {}),
      });
    },
    close: () => server.close(),
  };
}
