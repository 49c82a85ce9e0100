import { STATUS_CODES } from 'node:http';
import { ApiException } from '@kubernetes/client-node';
import { errorMessage, redactUrl, SentryError, type SentryErrorCode } from '@sentry-git/core';

/** What the executor was doing when a Kubernetes call failed, for the message and the fix. */
export interface KubeAction {
  /** The RBAC verb (server-side apply is "patch"). */
  verb: 'create' | 'get' | 'list' | 'watch' | 'patch';
  /** Resource with its group, e.g. "pipelineruns.tekton.dev", "configmaps". */
  resource: string;
  namespace?: string | undefined;
  name?: string | undefined;
  /** The API server's URL. */
  server: string;
}

export interface StatusCause {
  field?: string;
  message?: string;
  reason?: string;
}

/** A failed call, whatever layer it failed in (HTTP status, Watch error, connection). */
export interface KubeFailure {
  /** The HTTP status; null when no answer came (connection refused, reset, DNS). */
  status: number | null;
  /** Status.reason (Forbidden, NotFound, Invalid ...), when the server sent a Status. */
  reason: string | undefined;
  message: string;
  causes: StatusCause[];
  /** From Retry-After on a 429 or 503. */
  retryAfterMs: number | undefined;
}

function record(value: unknown): Record<string, unknown> | undefined {
  return value !== null && typeof value === 'object' ? (value as Record<string, unknown>) : undefined;
}

function retryAfter(headers: unknown): number | undefined {
  const value = record(headers)?.['retry-after'];
  const seconds = typeof value === 'string' ? Number(value) : Number.NaN;
  return Number.isFinite(seconds) && seconds >= 0 ? seconds * 1000 : undefined;
}

/** client-node hands the body over parsed for some APIs and as the raw text for others. */
function parsedBody(body: unknown): unknown {
  if (typeof body !== 'string') return body;
  try {
    return JSON.parse(body);
  } catch {
    return body;
  }
}

function fromApiException(error: ApiException<unknown>): KubeFailure {
  const parsed = parsedBody(error.body);
  const body = record(parsed);
  const details = record(body?.details);
  const causes = Array.isArray(details?.causes) ? (details.causes as StatusCause[]) : [];
  const text = typeof parsed === 'string' ? parsed.trim().slice(0, 500) : '';
  return {
    status: error.code,
    reason: typeof body?.reason === 'string' ? body.reason : undefined,
    // The generated client drops the body of some answers (401): the status text must do.
    message:
      typeof body?.message === 'string'
        ? body.message
        : text || (STATUS_CODES[error.code] ?? `HTTP ${error.code}`),
    causes,
    retryAfterMs: retryAfter(error.headers),
  };
}

/** node-fetch's FetchError (type "system") and Node's socket errors carry an errno code. */
function networkCode(error: unknown): string | undefined {
  const value = record(error);
  if (!value) return undefined;
  if (value.name === 'FetchError' || typeof value.errno === 'string' || typeof value.errno === 'number') {
    return typeof value.code === 'string' ? value.code : 'network error';
  }
  return undefined;
}

/** Reads any error a client-node call throws; undefined for an abort or a programming error. */
export function kubeFailure(error: unknown): KubeFailure | undefined {
  if (error instanceof ApiException) return fromApiException(error);
  const value = record(error);
  if (value?.name === 'AbortError') return undefined;
  if (typeof value?.statusCode === 'number') {
    // Watch rejects a non-200 answer with the status text only.
    return {
      status: value.statusCode,
      reason: undefined,
      message: errorMessage(error),
      causes: [],
      retryAfterMs: undefined,
    };
  }
  const code = networkCode(error);
  if (code !== undefined) {
    return {
      status: null,
      reason: undefined,
      message: errorMessage(error),
      causes: [],
      retryAfterMs: undefined,
    };
  }
  return undefined;
}

/** Connection errors, 429 and 5xx are worth another try; other answers will not change. */
export function isRetryable(failure: KubeFailure): boolean {
  return failure.status === null || failure.status === 429 || failure.status >= 500;
}

function target(action: KubeAction): string {
  const where = action.namespace ? ` in namespace ${action.namespace}` : '';
  return `${action.resource}${action.name ? `/${action.name}` : ''}${where}`;
}

function causesText(failure: KubeFailure): string {
  const lines = failure.causes
    .map((cause) => `${cause.field ? `${cause.field}: ` : ''}${cause.message ?? cause.reason ?? ''}`.trim())
    .filter((line) => line && !failure.message.includes(line));
  return lines.length > 0 ? `\n${lines.map((line) => `  - ${line}`).join('\n')}` : '';
}

const RBAC_FIX = 'see deploy/rbac/ for the Role each mode needs';

function fixFor(failure: KubeFailure, action: KubeAction): { code: SentryErrorCode; fix: string } {
  const where = action.namespace ? ` in namespace ${action.namespace}` : '';
  switch (failure.status) {
    case null:
      return {
        code: 'KUBE_UNREACHABLE',
        fix: 'Check that the API server is up and reachable from here, and the kubeconfig/context points at it.',
      };
    case 401:
      return {
        code: 'KUBE_UNAUTHORIZED',
        fix: "The credentials were rejected: renew the kubeconfig user's token or certificate (or the service account token).",
      };
    case 403:
      return {
        code: 'KUBE_FORBIDDEN',
        fix: `The service account (or kubeconfig user) lacks "${action.verb}" on ${action.resource}${where}; grant it (${RBAC_FIX}).`,
      };
    case 404:
      return action.name && action.verb !== 'create'
        ? {
            code: 'KUBE_NOT_FOUND',
            fix: `${action.resource}/${action.name} no longer exists${where}; it was deleted.`,
          }
        : {
            code: 'KUBE_NOT_FOUND',
            fix: `Check that the namespace exists and that the cluster serves ${action.resource} (for Tekton: Tekton Pipelines with the tekton.dev/v1 API, v0.50 or later).`,
          };
    case 409:
      return {
        code: 'KUBE_CONFLICT',
        fix: 'Another writer changed or holds the object; run the deploy again.',
      };
    case 400:
    case 422:
      return {
        code: 'KUBE_INVALID',
        fix: 'Correct the object (the template or manifest) as the API server says.',
      };
    case 415:
      return {
        code: 'KUBE_UNSUPPORTED',
        fix: 'The API server refused the patch format for this resource; report this as a sentry-git bug.',
      };
    default:
      return {
        code: 'KUBE_ERROR',
        fix: "Check the API server's health (kubectl get --raw /readyz) and try again.",
      };
  }
}

/** A Kubernetes failure as an error that says what was refused, why, and what to do. */
export function kubeError(failure: KubeFailure, action: KubeAction): SentryError {
  const { code, fix } = fixFor(failure, action);
  const how = failure.status === null ? 'could not reach the API server' : `answered ${failure.status}`;
  const reason = failure.reason ? ` ${failure.reason}` : '';
  const message = `Kubernetes ${how}${failure.status === null ? '' : reason} to ${action.verb} ${target(action)} (${redactUrl(action.server)}): ${failure.message}${causesText(failure)}`;
  return new SentryError(code, message, {
    fix,
    details: { status: failure.status, reason: failure.reason, causes: failure.causes },
  });
}
