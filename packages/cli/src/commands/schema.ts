import { Command } from '@oclif/core';
import { configJsonSchema } from '@sentry-git/core';

/**
 * Not a SentryCommand: it reads no configuration, so -c and --log-level would mean nothing. The
 * schema comes from the running version, so an editor checks against what `validate` accepts.
 */
export default class Schema extends Command {
  static override description =
    "Print the configuration file's JSON Schema (draft 2020-12) for editors: the sentry-git format and the simplified Sentry's.";
  static override examples = ['<%= config.bin %> schema > sentry-git.schema.json'];

  async run(): Promise<void> {
    await this.parse(Schema);
    this.log(JSON.stringify(configJsonSchema(), null, 2));
  }
}
