import { z } from 'zod';
import { configSchema } from './schema.js';

/**
 * The JSON Schema of the configuration file, generated from the same zod schema that validates
 * it, for editors (`# yaml-language-server: $schema=...`). Input shape: defaults are optional.
 */
export function configJsonSchema(): Record<string, unknown> {
  const schema = z.toJSONSchema(configSchema, {
    io: 'input',
    unrepresentable: 'any',
    target: 'draft-2020-12',
  }) as Record<string, unknown>;
  return { ...schema, $id: 'https://sentry-git.dev/schema/config.json', title: 'sentry-git configuration' };
}
