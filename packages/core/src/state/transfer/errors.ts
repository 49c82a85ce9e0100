import { docsHint } from '../../docs.js';
import { SentryError } from '../../errors.js';
import type { StateCounts } from '../../interfaces/state-transfer.js';
import { describeStateCounts } from './counts.js';

const FORMAT_DOCS = docsHint('operations', 'Moving state between SQLite and PostgreSQL');

/** A value as an error message quotes it: JSON, cut short, `missing` for an absent key. */
export function quoteValue(value: unknown): string {
  if (value === undefined) return 'missing';
  const json = JSON.stringify(value) ?? String(value);
  return json.length > 80 ? `${json.slice(0, 77)}...` : json;
}

/**
 * Input an import cannot take: `where` names the line (or record) and the record, `path` the key,
 * then the value and what was expected. Nothing of the import is written.
 */
export function invalidExportError(input: {
  where: string;
  path?: string;
  value?: unknown;
  /** Says what was wrong when there is no key and value to quote (a line that is not JSON). */
  problem?: string;
  expected: string;
  fix?: string;
}): SentryError {
  const problem = input.problem ?? `${input.path} is ${quoteValue(input.value)}`;
  return new SentryError(
    'STATE_EXPORT_INVALID',
    `${input.where}: ${problem}; expected ${input.expected}. Nothing was imported.`,
    {
      fix:
        input.fix ??
        `Import the file as \`sentry-git state export\` wrote it, or export the state again (the keys of each record: ${FORMAT_DOCS}).`,
      ...(input.path === undefined ? {} : { path: input.path }),
      details: { where: input.where, ...(input.path === undefined ? {} : { key: input.path }) },
    },
  );
}

/** An export whose format version is newer than this sentry-git reads. */
export function exportTooNewError(source: string, version: number, supported: number): SentryError {
  return new SentryError(
    'STATE_EXPORT_TOO_NEW',
    `${source} is a state export of format version ${version}; this sentry-git reads version ${supported} and older. Nothing was imported.`,
    {
      fix: 'Import it with a sentry-git at least as new as the one that exported it (upgrade this one), or export the state again with this version.',
      details: { version, supported },
    },
  );
}

/** An import into a store that already holds state, without `replace`. */
export function stateNotEmptyError(store: string, held: StateCounts): SentryError {
  return new SentryError(
    'STATE_NOT_EMPTY',
    `The ${store} state store already holds state (${describeStateCounts(held)}); an import would mix two histories, so nothing was imported.`,
    {
      fix: 'Import into an empty store (a new database or state file), or pass --replace (`importState(records, { replace: true })`) to delete the state it holds and import in one transaction; export it first if you may need it again.',
      details: { store, held },
    },
  );
}
