import {
  isSentryError,
  parseSince,
  type RunFilter,
  type RunStatus,
  type TriggerKind,
  type UnitKey,
} from '@sentry-git/core';
import { HttpError } from './http-error.js';

export const DEFAULT_LIMIT = 20;
export const MAX_LIMIT = 100;
const RUN_STATUSES: readonly RunStatus[] = [
  'queued',
  'running',
  'succeeded',
  'failed',
  'timed_out',
  'cancelled',
];
const TRIGGERS: readonly TriggerKind[] = ['poll', 'manual', 'webhook', 'api', 'rerun', 'deploy'];
const PARAMETERS = ['repository', 'group', 'unit', 'status', 'trigger', 'since', 'limit', 'offset'] as const;

type Parameter = (typeof PARAMETERS)[number];
type RawQuery = Record<string, string | string[] | undefined>;

/** The filter of `GET /api/v1/runs`, with what the response repeats in its `next` link. */
export interface RunsQuery {
  filter: RunFilter & { limit: number; offset: number };
  /** The parameters as given (normalised), to build the next page's link. */
  params: Partial<Record<Parameter, string>>;
}

function invalid(message: string, fix?: string): HttpError {
  return new HttpError(400, 'INVALID_QUERY', message, fix ? { fix } : {});
}

/** One value per parameter: repeated ones are joined with commas (only `status` takes a list). */
function single(query: RawQuery, name: Parameter): string | undefined {
  const value = query[name];
  if (value === undefined) return undefined;
  const joined = Array.isArray(value) ? value.join(',') : value;
  if (joined.trim() === '')
    throw invalid(`Query parameter "${name}" is empty.`, `Give it a value or leave it out.`);
  return joined.trim();
}

function wholeNumber(
  name: Parameter,
  text: string | undefined,
  fallback: number,
  min: number,
  max: number,
): number {
  if (text === undefined) return fallback;
  const value = Number(text);
  if (!/^\d+$/.test(text) || value < min || value > max) {
    throw invalid(`Query parameter "${name}" must be a whole number from ${min} to ${max} (got "${text}").`);
  }
  return value;
}

function oneOf<T extends string>(name: Parameter, text: string, allowed: readonly T[]): T {
  if ((allowed as readonly string[]).includes(text)) return text as T;
  throw invalid(
    `Query parameter "${name}" has the unknown value "${text}".`,
    `Use one of: ${allowed.join(', ')}.`,
  );
}

function unitOf(text: string): UnitKey {
  if (/^(group|repository):./.test(text)) return text as UnitKey;
  throw invalid(
    `Query parameter "unit" has the value "${text}", not a unit.`,
    'Use group:<name> or repository:<name> (a repository without a group).',
  );
}

/** `since`, read as the CLI's `--since` and `RunFilter.since` are: a duration, a date or a time with a zone. */
function sinceOf(text: string): string {
  try {
    return parseSince(text);
  } catch (error) {
    if (isSentryError(error) && error.code === 'SINCE_INVALID') {
      throw new HttpError(400, 'INVALID_QUERY', `Query parameter ${error.message}`, { cause: error });
    }
    throw error;
  }
}

/**
 * Reads `?repository=&group=&unit=&status=&trigger=&since=&limit=&offset=` into a state store filter. Unknown
 * parameters are refused: a misspelt filter would otherwise silently list every run.
 */
export function parseRunsQuery(query: RawQuery): RunsQuery {
  const unknown = Object.keys(query).filter((key) => !(PARAMETERS as readonly string[]).includes(key));
  if (unknown.length > 0) {
    throw invalid(
      `Unknown query parameter${unknown.length > 1 ? 's' : ''} ${unknown.map((k) => `"${k}"`).join(', ')}.`,
      `Use: ${PARAMETERS.join(', ')}.`,
    );
  }
  const params: RunsQuery['params'] = {};
  const filter: RunsQuery['filter'] = {
    limit: wholeNumber('limit', single(query, 'limit'), DEFAULT_LIMIT, 1, MAX_LIMIT),
    offset: wholeNumber('offset', single(query, 'offset'), 0, 0, Number.MAX_SAFE_INTEGER),
  };
  const repository = single(query, 'repository');
  if (repository !== undefined) {
    filter.repository = repository;
    params.repository = repository;
  }
  const group = single(query, 'group');
  if (group !== undefined) {
    filter.unit = `group:${group}`;
    params.group = group;
  }
  const unit = single(query, 'unit');
  if (unit !== undefined) {
    if (group !== undefined) throw invalid('Give "group" or "unit", not both.', 'group=G is unit=group:G.');
    filter.unit = unitOf(unit);
    params.unit = unit;
  }
  const since = single(query, 'since');
  if (since !== undefined) {
    filter.since = sinceOf(since);
    params.since = filter.since;
  }
  const status = single(query, 'status');
  if (status !== undefined) {
    filter.status = status.split(',').map((item) => oneOf('status', item.trim(), RUN_STATUSES));
    params.status = filter.status.join(',');
  }
  const trigger = single(query, 'trigger');
  if (trigger !== undefined) {
    filter.trigger = oneOf('trigger', trigger, TRIGGERS);
    params.trigger = trigger;
  }
  return { filter, params };
}

/** The path of the page after this one. */
export function nextPageLink(base: string, query: RunsQuery): string {
  const search = new URLSearchParams({
    ...query.params,
    limit: String(query.filter.limit),
    offset: String(query.filter.offset + query.filter.limit),
  });
  return `${base}?${search.toString()}`;
}
