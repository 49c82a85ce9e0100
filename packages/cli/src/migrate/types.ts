import type { ConfigIssue } from '@sentry-git/core';

/** A comment written before the key at `path` of the output (or before a list item). */
export interface KeyComment {
  path: (string | number)[];
  text: string;
}

/** A converted configuration, with what the reader of the output should know about it. */
export interface Migration {
  /** The sentry-git configuration, `${VAR}` references kept as written. */
  config: Record<string, unknown>;
  /** The first lines of the output: where it came from, and what was not carried over. */
  header: string[];
  comments: KeyComment[];
  /** Printed to stderr, never into the output: what the user must do now. */
  warnings: string[];
}

export type MigrationResult = { ok: true; migration: Migration } | { ok: false; issues: ConfigIssue[] };
