import { Command, Flags } from '@oclif/core';
import { ConfigError, createRedactor, errorMessage, SentryError } from '@sentry-git/core';
import { didYouMean, LOG_LEVELS } from '@sentry-git/core/internal';

/**
 * Flags every command shares, and one error path: a SentryError prints its message (it already
 * says what and how to fix) and exits 1; anything else prints its message, redacted.
 */
export abstract class SentryCommand extends Command {
  static override baseFlags = {
    config: Flags.string({
      char: 'c',
      description:
        'Configuration file. Default: the file SENTRY_CONFIG_PATH names, else the first of package.json ("sentry-git" key), .sentry-gitrc, sentry-git.yaml, ..., sentry.yaml, sentry.yml in the current folder.',
      helpValue: 'FILE',
    }),
    'log-level': Flags.option({
      options: LOG_LEVELS,
      description: 'Log level (overrides global.log_level).',
    })(),
  };

  /** Secret values known to the running command, so even unexpected errors print redacted. */
  protected secrets: string[] = [];

  protected override async catch(
    error: Error & { exitCode?: number; oclif?: { exit?: number } },
  ): Promise<unknown> {
    if (error.oclif?.exit !== undefined && !(error instanceof SentryError)) {
      suggestFlags(error, Object.keys({ ...this.ctor.baseFlags, ...this.ctor.flags }));
      return super.catch(error);
    }
    const redactor = createRedactor(this.secrets);
    if (error instanceof ConfigError) {
      this.logToStderr(redactor.redact(error.message));
    } else if (error instanceof SentryError) {
      this.logToStderr(redactor.redact(`Error [${error.code}]: ${error.message}`));
    } else {
      this.logToStderr(redactor.redact(`Error: ${errorMessage(error)}`));
      if (process.env.DEBUG) this.logToStderr(redactor.redact(String(error.stack)));
    }
    this.exit(1);
  }
}

/**
 * oclif's "Nonexistent flag: --jsn" gains the closest flag of the command, as an unknown command
 * or config key does. oclif's parse error carries the typed flags in `flags`.
 */
function suggestFlags(error: Error & { flags?: unknown }, names: string[]): void {
  if (!Array.isArray(error.flags)) return;
  const guesses = error.flags.flatMap((typed: unknown) => {
    if (typeof typed !== 'string' || !typed.startsWith('--')) return [];
    const guess = didYouMean(typed.slice(2).split('=')[0] ?? '', names);
    return guess ? [`Did you mean --${guess} for ${typed}?`] : [];
  });
  if (guesses.length > 0) error.message = [error.message, ...guesses].join('\n');
}
