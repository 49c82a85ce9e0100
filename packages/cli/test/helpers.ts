import { readFile } from 'node:fs/promises';
import path from 'node:path';
import {
  createSentry,
  type Sentry,
  type SentryConfigInput,
  type SentryEventName,
  type SentryEvents,
  type SentryPlugin,
} from '@sentry-git/core';
import { tempdir } from '@sentry-git/test-utils';
import { onTestFinished } from 'vitest';
import { builtinPlugins } from '../src/builtins.js';

/** A real engine (git provider, shell executor) on a config object; closed after the test. */
export async function engine(
  config: SentryConfigInput,
  options: { dir?: string; plugins?: SentryPlugin[] } = {},
): Promise<Sentry> {
  const dir = options.dir ?? (await tempdir());
  const sentry = await createSentry({
    config: {
      state: { driver: 'memory' },
      ...config,
      global: { tmp_dir: path.join(dir, 'jobs'), ...config.global },
    },
    configDir: dir,
    plugins: [...builtinPlugins(), ...(options.plugins ?? [])],
    env: {},
  });
  onTestFinished(() => sentry.close({ graceMs: 0 }));
  return sentry;
}

/** Lines a deploy appended to a file (the commands write `echo ... >> "$LOG"`). */
export async function lines(file: string): Promise<string[]> {
  try {
    return (await readFile(file, 'utf8')).split('\n').filter(Boolean);
  } catch {
    return [];
  }
}

export function repo(
  name: string,
  url: string,
  commands: string[],
  extra: { group?: string; branches?: string[]; timeout?: number; env?: Record<string, string> } = {},
) {
  return {
    name,
    ...(extra.group ? { group: extra.group } : {}),
    monitor: { repo_url: url, branches: extra.branches ?? ['main'] },
    deploy: {
      commands,
      ...(extra.timeout ? { timeout: extra.timeout } : {}),
      ...(extra.env ? { env: extra.env } : {}),
    },
  };
}

/** Collects every payload of the given events, in order, as `[name, payload]`. */
export function recordEvents<K extends SentryEventName>(
  sentry: Sentry,
  names: K[],
): Array<[K, SentryEvents[K]]> {
  const log: Array<[K, SentryEvents[K]]> = [];
  for (const name of names) sentry.on(name, (payload) => log.push([name, payload]));
  return log;
}
