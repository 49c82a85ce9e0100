import { readFile } from 'node:fs/promises';

/** Quotes a string for bash, as one word with nothing expanded. */
export function shellQuote(text: string): string {
  return `'${text.replaceAll("'", `'\\''`)}'`;
}

/**
 * The script that runs a job's commands in one bash session, so `cd` and variables set by one
 * command hold for the next; `set -eo pipefail` stops it at the first failing command. Before
 * each command it records the command's number in `stepFile` (the failing step is read back
 * from there; `>|` because a command may `set -o noclobber`) and prints `+ <command>` to stderr
 * so the output shows which command produced what.
 */
export function buildScript(commands: readonly string[], stepFile: string): string {
  const lines = [
    '# Written by @sentry-git/executor-shell; runs with bash --noprofile --norc.',
    'set -eo pipefail',
  ];
  commands.forEach((command, index) => {
    lines.push(
      `printf '%s\\n' ${index + 1} >| ${shellQuote(stepFile)}`,
      `printf '+ %s\\n' ${shellQuote(command)} >&2`,
      command,
    );
  });
  return `${lines.join('\n')}\n`;
}

/** The 1-based number of the last command that started, or null when none did. */
export async function readStep(stepFile: string): Promise<number | null> {
  const text = await readFile(stepFile, 'utf8').catch(() => '');
  const step = Number.parseInt(text.trim(), 10);
  return Number.isInteger(step) && step > 0 ? step : null;
}

/** A command shortened to one line for an error message. */
export function describeCommand(command: string, limit = 200): string {
  const line = command.trim().replace(/\s*\n\s*/g, ' ⏎ ');
  return line.length > limit ? `${line.slice(0, limit - 1)}…` : line;
}
