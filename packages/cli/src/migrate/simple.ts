import { translateSimpleSentry } from '@sentry-git/core/internal';
import { tokenReference } from './tokens.js';
import type { KeyComment, MigrationResult } from './types.js';

/**
 * The simplified Sentry's format already loads unchanged; migrating it writes out what core's
 * `translateSimpleSentry` reads it as, so the file can grow beyond that format. It is given the
 * raw (unexpanded) file, so `${VAR}` references stay references.
 */
export function convertSimpleSentry(raw: Record<string, unknown>, file: string): MigrationResult {
  const translated = translateSimpleSentry(raw);
  if (!translated.ok) return { ok: false, issues: translated.issues };
  const { config, source } = translated;
  const comments: KeyComment[] = [];
  const warnings: string[] = [];
  const repositories = config.repositories as Array<Record<string, Record<string, unknown>>>;
  const rawAuth = (raw.auth ?? {}) as Record<string, unknown>;
  for (const section of ['monitor', 'deploy'] as const) {
    const block = repositories[0]?.[section];
    const auth = block?.auth as { token?: string } | undefined;
    if (!auth?.token) continue;
    const type = String(block?.repo_type ?? 'git');
    const key = `auth.${type}_token`;
    // The translation copies the token; find the key it came from for the comment and warning.
    const written =
      typeof rawAuth[`${type}_token`] === 'string' ? (rawAuth[`${type}_token`] as string) : auth.token;
    const reference = tokenReference(written, key, `${type.toUpperCase()}_TOKEN`, false);
    auth.token = reference.value;
    comments.push({
      path: ['repositories', 0, section, 'auth'],
      text: reference.comment,
    });
    if (reference.warning && !warnings.includes(reference.warning)) warnings.push(reference.warning);
  }
  const header = [
    `Converted by \`sentry-git migrate\` from the simplified Sentry configuration ${file}.`,
    'Where each of its keys went:',
    ...source.mapping.map((note) => `  - ${note.from} → ${note.to}`),
  ];
  return { ok: true, migration: { config, header, comments, warnings } };
}
