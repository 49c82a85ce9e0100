import { z } from 'zod';
import { configSchema } from './schema.js';
import { simpleSentrySchema } from './simple-sentry.js';

/** Titles of the two formats in the schema's `anyOf`, the sentry-git format first. */
const CONFIG_FORMAT_TITLES = {
  native: 'sentry-git configuration',
  simple: "the simplified Sentry's configuration",
} as const;

function inputSchema(schema: z.ZodType): Record<string, unknown> {
  return z.toJSONSchema(schema, {
    io: 'input',
    unrepresentable: 'any',
    target: 'draft-2020-12',
  }) as Record<string, unknown>;
}

/**
 * The JSON Schema of the configuration file, generated from the same zod schemas that validate
 * it, for editors (`# yaml-language-server: $schema=...`). Input shape: defaults are optional.
 * A file is either format `validate` reads: the sentry-git format (which the original Sentry's
 * Scheme C is a subset of) or the simplified Sentry's (`target_repo`, `qa_repo`, ...); each
 * refuses the other's keys, so a file matches one of the two.
 */
export function configJsonSchema(): Record<string, unknown> {
  const { $schema, $defs: nativeDefs, ...native } = inputSchema(configSchema);
  const { $schema: _simpleDialect, $defs: simpleDefs, ...simple } = inputSchema(simpleSentrySchema);
  const defs = { ...(nativeDefs as object | undefined), ...(simpleDefs as object | undefined) };
  // Shared definitions move to the root, where both formats' "#/$defs/..." references point.
  const clash = Object.keys((nativeDefs as object | undefined) ?? {}).filter(
    (name) => simpleDefs !== undefined && name in (simpleDefs as object),
  );
  if (clash.length > 0) throw new Error(`JSON Schema definitions defined twice: ${clash.join(', ')}`);
  return {
    $schema,
    $id: 'https://sentry-git.dev/schema/config.json',
    title: 'sentry-git configuration',
    description:
      "A sentry-git configuration, or the simplified Sentry's (target_repo, qa_repo, ...), which loads as one repository deployed by the Tekton executor's apply mode.",
    anyOf: [
      { title: CONFIG_FORMAT_TITLES.native, ...native },
      { title: CONFIG_FORMAT_TITLES.simple, ...simple },
    ],
    ...(Object.keys(defs).length > 0 ? { $defs: defs } : {}),
  };
}
