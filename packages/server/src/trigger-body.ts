import type { TriggerOptions } from '@sentry-git/core';
import { HttpError } from './http-error.js';

const KEYS = ['repositories', 'group'];

function invalid(message: string): HttpError {
  return new HttpError(400, 'INVALID_REQUEST', message, {
    fix: 'Send {"repositories"?: ["name", ...], "group"?: "name"} (both optional: none = every repository).',
  });
}

/** The body of `POST /api/v1/trigger`: what to deploy. No body deploys every repository. */
export function parseTriggerBody(body: unknown): Pick<TriggerOptions, 'repositories' | 'group'> {
  if (body === undefined || body === null) return {};
  if (typeof body !== 'object' || Array.isArray(body)) throw invalid('The body must be a JSON object.');
  const unknown = Object.keys(body).filter((key) => !KEYS.includes(key));
  if (unknown.length > 0)
    throw invalid(`Unknown key${unknown.length > 1 ? 's' : ''} ${unknown.map((k) => `"${k}"`).join(', ')}.`);
  const { repositories, group } = body as { repositories?: unknown; group?: unknown };
  const selection: Pick<TriggerOptions, 'repositories' | 'group'> = {};
  if (repositories !== undefined) {
    if (
      !Array.isArray(repositories) ||
      !repositories.every((name) => typeof name === 'string' && name !== '')
    ) {
      throw invalid('"repositories" must be a list of repository names.');
    }
    selection.repositories = repositories as string[];
  }
  if (group !== undefined) {
    if (typeof group !== 'string' || group === '') throw invalid('"group" must be a group name.');
    selection.group = group;
  }
  return selection;
}
