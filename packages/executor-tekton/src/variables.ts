import { type Job, SentryError } from '@sentry-git/core';
import { TEKTON_JOB_VARIABLES } from '@sentry-git/core/internal';

export type TektonJobVariable = (typeof TEKTON_JOB_VARIABLES)[number];
export type JobVariables = Record<TektonJobVariable, string>;

/** `$(sentry.<name>)`; Tekton's own `$(params.x)` and `$(context.x)` do not match. */
const VARIABLE = /\$\(sentry\.([^)\s]*)\)/g;
const KNOWN: ReadonlySet<string> = new Set(TEKTON_JOB_VARIABLES);

export function jobVariables(job: Job): JobVariables {
  return {
    repo_url: job.repoUrl,
    repository: job.repository,
    branch: job.branch,
    sha: job.sha,
    short_sha: job.sha.slice(0, 7),
    previous_sha: job.previousSha ?? '',
    project: job.projectName,
    run_id: job.runId,
    job_id: job.id,
    trigger: job.trigger,
    group: job.group ?? '',
  };
}

/** Every string inside a value (object values and array items, not keys), depth first. */
function* strings(value: unknown): Generator<string> {
  if (typeof value === 'string') yield value;
  else if (Array.isArray(value)) for (const item of value) yield* strings(item);
  else if (value !== null && typeof value === 'object')
    for (const item of Object.values(value)) yield* strings(item);
}

/** The `$(sentry.x)` names in a value that are not job variables, each once. */
export function unknownVariables(value: unknown): string[] {
  const unknown = new Set<string>();
  for (const text of strings(value)) {
    for (const match of text.matchAll(VARIABLE)) {
      const name = match[1] ?? '';
      if (!KNOWN.has(name)) unknown.add(name);
    }
  }
  return [...unknown];
}

export function describeUnknownVariables(names: readonly string[]): string {
  const list = names.map((name) => `$(sentry.${name})`).join(', ');
  return `unknown variable${names.length === 1 ? '' : 's'} ${list}; the job variables are ${TEKTON_JOB_VARIABLES.map((name) => `$(sentry.${name})`).join(', ')}`;
}

function expandString(text: string, variables: JobVariables): string {
  return text.replace(VARIABLE, (whole, name: string) =>
    KNOWN.has(name) ? variables[name as TektonJobVariable] : whole,
  );
}

/**
 * A copy of `value` with `$(sentry.*)` expanded in every string. An unknown name is an error
 * (config-time validation catches those in the block; templates read from the QA repository are
 * only seen here).
 */
export function expandVariables<T>(value: T, variables: JobVariables, where: string): T {
  const unknown = unknownVariables(value);
  if (unknown.length > 0) {
    throw new SentryError('TEKTON_UNKNOWN_VARIABLE', `${where}: ${describeUnknownVariables(unknown)}.`, {
      fix: 'Correct the variable name or remove it.',
    });
  }
  return expand(value, variables) as T;
}

function expand(value: unknown, variables: JobVariables): unknown {
  if (typeof value === 'string') return expandString(value, variables);
  if (Array.isArray(value)) return value.map((item) => expand(item, variables));
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, expand(item, variables)]));
  }
  return value;
}
