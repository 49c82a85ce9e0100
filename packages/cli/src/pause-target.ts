import { Errors } from '@oclif/core';
import type { PauseTarget } from '@sentry-git/core';

/**
 * A repository (without a group) or a group, as `pause` and `resume` take it: exactly one of
 * the argument and --group, else a usage error (exit 2) saying which to give.
 */
export function pauseTarget(
  command: string,
  repository: string | undefined,
  group: string | undefined,
): PauseTarget {
  if (repository !== undefined && group !== undefined) {
    throw new Errors.CLIError(
      `${command} takes a repository or --group, not both (got "${repository}" and --group ${group}). Fix: a repository in a group is ${command}d with its group: sentry-git ${command} --group ${group}`,
      { exit: 2 },
    );
  }
  if (repository !== undefined) return { repository };
  if (group !== undefined) return { group };
  throw new Errors.CLIError(
    `${command} needs a repository (one without a group) or --group GROUP. Fix: sentry-git ${command} REPOSITORY, or sentry-git ${command} --group GROUP (\`sentry-git status\` lists them).`,
    { exit: 2 },
  );
}

/** How a pause target is sent to the server (`{ repository }` or `{ group }`). */
export function targetBody(target: PauseTarget): Record<string, string> {
  return 'group' in target ? { group: target.group } : { repository: target.repository };
}

/** `sentry-git resume …` for a unit key. */
export function resumeCommand(unit: string): string {
  return unit.startsWith('group:')
    ? `sentry-git resume --group ${unit.slice('group:'.length)}`
    : `sentry-git resume ${unit.slice('repository:'.length)}`;
}
