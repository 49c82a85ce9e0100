import { REDACTED, SentryError } from '@sentry-git/core';

interface RejectionContext {
  printable: string;
  status: number;
  message: string;
  deliveryId: string;
  location?: string | null;
}

function fixFor(status: number, location: string | null | undefined): string {
  if (status >= 300 && status < 400) {
    return `Set tekton.event_listener_url to the address it redirects to${location ? ` (${location})` : ''}: a redirected POST loses its body.`;
  }
  if (status === 401 || status === 403) {
    return 'Something in front of the EventListener (an ingress or proxy) refused the request: give it credentials in event_listener_url (https://user:token@host) or let sentry-git through. Interceptor secrets are checked later and never cause this.';
  }
  if (status === 404 || status === 405) {
    return 'Check tekton.event_listener_url: an EventListener is served by the service el-<name> on port 8080 at path "/" (kubectl get eventlistener -n <namespace> shows its address).';
  }
  if (status === 413) return 'A proxy in front of the EventListener limits the body size: raise its limit.';
  return "Check tekton.event_listener_url and that tekton.payload (github | gitlab | cloudevents) matches the EventListener's interceptors.";
}

/** A 3xx or 4xx (other than 429): sending the same request again cannot help. */
export function rejectedError(context: RejectionContext): SentryError {
  const detail = context.message ? `: ${context.message}` : '';
  return new SentryError(
    'EVENTLISTENER_REJECTED',
    `EventListener at ${context.printable} rejected event ${context.deliveryId} with HTTP ${context.status}${detail}.`,
    {
      fix: fixFor(context.status, context.location),
      path: 'tekton.event_listener_url',
      details: { status: context.status, url: context.printable, deliveryId: context.deliveryId },
    },
  );
}

export function unreachableError(
  printable: string,
  attempts: number,
  lastProblem: string,
  deliveryId: string,
) {
  return new SentryError(
    'EVENTLISTENER_UNREACHABLE',
    `EventListener at ${printable} could not take event ${deliveryId} after ${attempts} attempt${attempts === 1 ? '' : 's'} (last: ${lastProblem}).`,
    {
      fix: 'Check that the EventListener runs (kubectl get eventlistener,pods -n <namespace>), that tekton.event_listener_url points at its service (el-<name>.<namespace>.svc.cluster.local:8080) and that sentry-git can reach it; raise tekton.max_retries for a listener that restarts slowly.',
      path: 'tekton.event_listener_url',
      details: { url: printable, attempts, deliveryId },
    },
  );
}

/** An answer may echo what it was sent; the secret must not reach a message that gets printed. */
export function withoutSecret(text: string, secret: string | undefined): string {
  return secret ? text.replaceAll(secret, REDACTED) : text;
}
