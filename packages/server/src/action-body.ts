import type { DeployRequest, PauseTarget } from '@sentry-git/core';
import { HttpError } from './http-error.js';

/** A reason is recorded with the run or the pause and shown in the console: one line's worth. */
const MAX_REASON = 1000;

type Body = Record<string, unknown>;

function invalid(message: string, shape: string): HttpError {
  return new HttpError(400, 'INVALID_REQUEST', message, { fix: `Send ${shape}.` });
}

/** The body as an object with only `keys`; none at all reads as `{}` where `optional`. */
function objectBody(body: unknown, keys: readonly string[], shape: string): Body {
  if (body === undefined || body === null) return {};
  if (typeof body !== 'object' || Array.isArray(body))
    throw invalid('The body must be a JSON object.', shape);
  const unknown = Object.keys(body).filter((key) => !keys.includes(key));
  if (unknown.length > 0) {
    throw invalid(
      `Unknown key${unknown.length > 1 ? 's' : ''} ${unknown.map((k) => `"${k}"`).join(', ')}.`,
      shape,
    );
  }
  return body as Body;
}

function text(
  body: Body,
  key: string,
  shape: string,
  options: { required: boolean; max?: number },
): string | undefined {
  const value = body[key];
  if (value === undefined) {
    if (options.required) throw invalid(`"${key}" is missing.`, shape);
    return undefined;
  }
  if (typeof value !== 'string' || value.trim() === '')
    throw invalid(`"${key}" must be a non-empty string.`, shape);
  if (options.max !== undefined && value.length > options.max) {
    throw invalid(`"${key}" is longer than ${options.max} characters.`, shape);
  }
  return value.trim();
}

const CANCEL_SHAPE = '{"reason"?: "why"} (or no body)';

/** `POST /runs/:id/cancel`: `{ reason? }`. */
export function parseCancelBody(body: unknown): { reason?: string } {
  const object = objectBody(body, ['reason'], CANCEL_SHAPE);
  const reason = text(object, 'reason', CANCEL_SHAPE, { required: false, max: MAX_REASON });
  return reason === undefined ? {} : { reason };
}

/** `POST /runs/:id/rerun` takes nothing: the run says what to deploy. */
export function parseEmptyBody(body: unknown): void {
  objectBody(body, [], 'no body (or {})');
}

const DEPLOY_SHAPE = '{"repository": "name", "branch": "main", "sha"?: "<40 or 64 hex digits>"}';

/** `POST /deploy`: `{ repository, branch, sha? }`; the engine checks them against the configuration. */
export function parseDeployBody(body: unknown): Omit<DeployRequest, 'by'> {
  if (body === undefined || body === null) throw invalid('The body is missing.', DEPLOY_SHAPE);
  const object = objectBody(body, ['repository', 'branch', 'sha'], DEPLOY_SHAPE);
  const repository = text(object, 'repository', DEPLOY_SHAPE, { required: true }) as string;
  const branch = text(object, 'branch', DEPLOY_SHAPE, { required: true }) as string;
  const sha = text(object, 'sha', DEPLOY_SHAPE, { required: false });
  return { repository, branch, ...(sha === undefined ? {} : { sha }) };
}

/** `POST /pause` (`withReason`) and `/resume`: `{ repository } | { group }`. */
export function parseTargetBody(
  body: unknown,
  withReason: boolean,
): { target: PauseTarget; reason?: string } {
  const shape = `{"repository": "name"} or {"group": "name"}${withReason ? ', with "reason"?: "why"' : ''}`;
  if (body === undefined || body === null) throw invalid('The body is missing.', shape);
  const object = objectBody(
    body,
    withReason ? ['repository', 'group', 'reason'] : ['repository', 'group'],
    shape,
  );
  const repository = text(object, 'repository', shape, { required: false });
  const group = text(object, 'group', shape, { required: false });
  if ((repository === undefined) === (group === undefined)) {
    throw invalid('Name either "repository" or "group" (exactly one).', shape);
  }
  const reason = withReason ? text(object, 'reason', shape, { required: false, max: MAX_REASON }) : undefined;
  const target: PauseTarget = repository === undefined ? { group: group as string } : { repository };
  return { target, ...(reason === undefined ? {} : { reason }) };
}
