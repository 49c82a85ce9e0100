import { qualifiedKind, qualifiedResource, type ResourceType } from './resources.js';

/** One field error of an `Invalid` Status, as `details.causes` carries it. */
export interface StatusCause {
  reason: string;
  message: string;
  field: string;
}

/** A Kubernetes `Status` body (`kind: Status, apiVersion: v1`). */
export interface KubeStatus {
  kind: 'Status';
  apiVersion: 'v1';
  metadata: Record<string, never>;
  status: 'Failure' | 'Success';
  message?: string;
  reason?: string;
  details?: {
    name?: string;
    group?: string;
    kind?: string;
    uid?: string;
    causes?: StatusCause[];
    retryAfterSeconds?: number;
  };
  code: number;
}

/** A failed request: thrown inside the fake, answered as a Status with its code. */
export class StatusError extends Error {
  readonly status: KubeStatus;
  constructor(status: KubeStatus) {
    super(status.message);
    this.name = 'StatusError';
    this.status = status;
  }
}

export function failure(
  code: number,
  reason: string,
  message: string,
  details?: KubeStatus['details'],
): StatusError {
  const status: KubeStatus = {
    kind: 'Status',
    apiVersion: 'v1',
    metadata: {},
    status: 'Failure',
    message,
    reason,
    code,
  };
  if (details) status.details = details;
  return new StatusError(status);
}

function kindDetails(type: ResourceType, name: string): KubeStatus['details'] {
  return { name, group: type.group, kind: type.plural };
}

export function notFound(type: ResourceType, name: string): StatusError {
  return failure(404, 'NotFound', `${qualifiedResource(type)} "${name}" not found`, kindDetails(type, name));
}

/** What a real server answers for a path no installed API serves (a CRD that is not installed). */
export function noSuchResource(): StatusError {
  return failure(404, 'NotFound', 'the server could not find the requested resource', {});
}

export function alreadyExists(type: ResourceType, name: string): StatusError {
  return failure(
    409,
    'AlreadyExists',
    `${qualifiedResource(type)} "${name}" already exists`,
    kindDetails(type, name),
  );
}

export function conflict(type: ResourceType, name: string): StatusError {
  return failure(
    409,
    'Conflict',
    `Operation cannot be fulfilled on ${qualifiedResource(type)} "${name}": the object has been modified; please apply your changes to the latest version and try again`,
    kindDetails(type, name),
  );
}

export function badRequest(message: string): StatusError {
  return failure(400, 'BadRequest', message);
}

/** 422 `Invalid` with one cause per field error, worded like the API server's field errors. */
export function invalid(type: ResourceType, name: string, causes: StatusCause[]): StatusError {
  const text = causes.map((cause) => `${cause.field}: ${cause.message}`);
  const summary = text.length === 1 ? text[0] : `[${text.join(', ')}]`;
  return failure(422, 'Invalid', `${qualifiedKind(type)} "${name}" is invalid: ${summary}`, {
    name,
    group: type.group,
    kind: type.kind,
    causes,
  });
}

export function unauthorized(): StatusError {
  return failure(401, 'Unauthorized', 'Unauthorized');
}

export function forbidden(type: ResourceType, verb: string, namespace: string | undefined): StatusError {
  const where = namespace ? ` in the namespace "${namespace}"` : ' at the cluster scope';
  return failure(
    403,
    'Forbidden',
    `${qualifiedResource(type)} is forbidden: User "system:serviceaccount:default:sentry-git" cannot ${verb} resource "${type.plural}" in API group "${type.group}"${where}`,
    { group: type.group, kind: type.plural },
  );
}

export function unsupportedMediaType(contentType: string): StatusError {
  return failure(
    415,
    'UnsupportedMediaType',
    `the body of the request was in an unknown format - accepted media types include: application/json-patch+json, application/merge-patch+json, application/apply-patch+yaml (got ${contentType})`,
  );
}

export function methodNotAllowed(): StatusError {
  return failure(405, 'MethodNotAllowed', 'the server does not allow this method on the requested resource');
}

export function expired(requested: string, oldest: string): KubeStatus {
  return failure(410, 'Expired', `too old resource version: ${requested} (${oldest})`).status;
}

export function success(type: ResourceType, name: string, uid: string | undefined): KubeStatus {
  const details: KubeStatus['details'] = { name, group: type.group, kind: type.plural };
  if (uid) details.uid = uid;
  return { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Success', details, code: 200 };
}
