import path from 'node:path';
import { Flags } from '@oclif/core';
import { type SentryConfig, SentryError, type StateStore } from '@sentry-git/core';
import { collectSecrets, corePlugin, createRegistry } from '@sentry-git/core/internal';
import { loadFullConfig } from '../assemble.js';
import { stateLocation } from '../watch-summary.js';

/** Where `state export` reads and `state import` writes, when not the configuration's `state`. */
export const stateFlags = {
  'state-driver': Flags.string({
    description:
      "Use this state store instead of the configuration's state.driver: sqlite, postgres or a plugin's. The configured path and url then do not apply; give --state-path or --state-url.",
    helpValue: 'DRIVER',
  }),
  'state-path': Flags.string({
    description: 'SQLite file, relative to the current folder; overrides state.path.',
    helpValue: 'FILE',
  }),
  'state-url': Flags.string({
    description:
      "PostgreSQL connection URL; overrides state.url. Quote a variable to keep the password out of the process list: --state-url '${DATABASE_URL}'.",
    helpValue: 'URL',
  }),
};

export interface StateFlags {
  config?: string | undefined;
  'state-driver'?: string | undefined;
  'state-path'?: string | undefined;
  'state-url'?: string | undefined;
}

export interface StateTarget {
  /** Opens the store (connects, migrates its schema). */
  open(): Promise<StateStore>;
  /** Where the state lives, for summaries (`sqlite /srv/sentry/.sentry-git/state.db`, `postgres`). */
  where: string;
  /** Values to redact from anything the command prints: set them before calling `open`. */
  secrets: string[];
}

const BRACED_VARIABLE = /\$\{([A-Za-z_][A-Za-z0-9_]*)\}/g;

/**
 * A flag's value with each `${VAR}` read from the environment, so a quoted `'${DATABASE_URL}'`
 * keeps the password out of the process list and the shell history. Only the braced form: a `$`
 * in a password written out stays as it is.
 */
function expandFlag(flag: string, value: string | undefined): string | undefined {
  return value?.replace(BRACED_VARIABLE, (_match, name: string) => {
    const found = process.env[name];
    if (found === undefined || found === '')
      throw new SentryError('STATE_OPTION_MISSING', `${flag} reads \${${name}}, which is not set.`, {
        fix: `Set ${name} in the environment, or give the value itself.`,
        path: flag,
      });
    return found;
  });
}

/**
 * The configuration's `state` with the flags over it. A `--state-driver` drops the configured
 * path and url, since what was written for one driver means nothing to another.
 */
function resolveState(configured: SentryConfig['state'], flags: StateFlags): SentryConfig['state'] {
  const file = expandFlag('--state-path', flags['state-path']);
  const url = expandFlag('--state-url', flags['state-url']);
  const base = flags['state-driver']
    ? { driver: flags['state-driver'], lease: configured.lease }
    : configured;
  return {
    ...base,
    // A path given on the command line is relative to where the command runs.
    ...(file === undefined ? {} : { path: path.resolve(file) }),
    ...(url === undefined ? {} : { url }),
  };
}

/**
 * The state store a transfer command works on: the configuration's (read as `status` reads it: a
 * token variable that is not set does not stop it), with the `--state-*` flags over it.
 */
export async function stateTarget(flags: StateFlags): Promise<StateTarget> {
  const { loaded, plugins } = await loadFullConfig(flags.config, { readOnly: true });
  const state = resolveState(loaded.config.state, flags);
  const where = stateLocation({ ...loaded.config, state }, loaded.dir);
  return {
    open: async () =>
      createRegistry([corePlugin, ...plugins])
        .stateStore(state.driver)
        .create({ configDir: loaded.dir, path: state.path, url: state.url }),
    where: state.driver === 'sqlite' ? `sqlite ${where}` : where,
    // A password written into the url is a secret, as in the configuration.
    secrets: [...loaded.secrets, ...collectSecrets({ url: state.url })],
  };
}
