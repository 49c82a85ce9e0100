import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { Args, Command, Flags } from '@oclif/core';
import { ConfigError, errorMessage, SentryError } from '@sentry-git/core';

/**
 * Not a SentryCommand: -c and --log-level mean nothing here (the input is the argument, no engine
 * runs), so it has its own error path with the same output and exit code.
 */
export default class Migrate extends Command {
  static override description =
    "Convert a RepoSentry (or simplified Sentry) configuration into sentry-git's format; each mapping decision is a comment in the output.";
  static override examples = [
    '<%= config.bin %> migrate reposentry.yaml',
    '<%= config.bin %> migrate reposentry.yaml -o sentry-git.yaml',
  ];

  static override args = {
    file: Args.string({ description: 'The RepoSentry or simplified Sentry configuration.', required: true }),
  };

  static override flags = {
    output: Flags.string({
      char: 'o',
      description: 'Write the result to this file instead of stdout.',
      helpValue: 'FILE',
    }),
    force: Flags.boolean({
      description: 'Overwrite the --output file when it exists.',
      dependsOn: ['output'],
    }),
  };

  protected override async catch(error: Error & { oclif?: { exit?: number } }): Promise<unknown> {
    if (error.oclif?.exit !== undefined && !(error instanceof SentryError)) return super.catch(error);
    if (error instanceof ConfigError) this.logToStderr(error.message);
    else if (error instanceof SentryError) this.logToStderr(`Error [${error.code}]: ${error.message}`);
    else this.logToStderr(`Error: ${errorMessage(error)}`);
    this.exit(1);
  }

  async run(): Promise<void> {
    const { args, flags } = await this.parse(Migrate);
    const input = path.resolve(args.file);
    let text: string;
    try {
      text = await readFile(input, 'utf8');
    } catch (error) {
      throw new SentryError('CONFIG_NOT_FOUND', `Cannot read ${input}: ${errorMessage(error)}.`, {
        path: input,
        fix: 'Check the path of the RepoSentry configuration.',
      });
    }
    // The converter loads only for this command (oclif's explicit strategy imports every command class).
    const { migrateConfig } = await import('../migrate/index.js');
    const result = migrateConfig(text, input);
    for (const warning of result.warnings) this.logToStderr(`Warning: ${warning}`);
    if (!flags.output) {
      process.stdout.write(result.yaml);
      return;
    }
    const output = path.resolve(flags.output);
    try {
      // 'wx' makes "refuse to overwrite" one atomic step, not a check then a write.
      await writeFile(output, result.yaml, { flag: flags.force ? 'w' : 'wx' });
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'EEXIST') {
        throw new SentryError('OUTPUT_EXISTS', `${output} already exists; it was left unchanged.`, {
          path: output,
          fix: 'Pass --force to overwrite it, or choose another -o file.',
        });
      }
      throw new SentryError('OUTPUT_UNWRITABLE', `Cannot write ${output}: ${errorMessage(error)}.`, {
        path: output,
        fix: 'Check that its folder exists and is writable.',
      });
    }
    this.logToStderr(
      `Wrote ${output} (${result.repositories} repositor${result.repositories === 1 ? 'y' : 'ies'} from a ${result.format === 'reposentry' ? 'RepoSentry' : 'simplified Sentry'} configuration). Check it: sentry-git validate -c ${path.relative(process.cwd(), output) || output}`,
    );
  }
}
