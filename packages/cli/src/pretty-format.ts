import type { MessageFormatFunc } from 'pino-pretty';

/**
 * `[app@main] ` for a log line that belongs to a job (the engine's job lines, the job's output,
 * its executor's messages all carry `jobId` and `repository`), else ''.
 */
export function jobPrefix(log: Record<string, unknown>): string {
  const { jobId, repository, branch } = log;
  if (typeof jobId !== 'string' || typeof repository !== 'string') return '';
  return typeof branch === 'string' ? `[${repository}@${branch}] ` : `[${repository}] `;
}

/**
 * pino-pretty's `messageFormat`: every line of a job's message starts with its job prefix, so
 * parallel jobs' output stays readable. A template cannot do this: pino-pretty keeps an
 * `{if X}` block only when it contains `{X}`, and a template cannot prefix each line of a
 * multi-line chunk.
 */
export const jobMessageFormat: MessageFormatFunc = (log, messageKey, _levelLabel, { colors }) => {
  const message = log[messageKey];
  const text = typeof message === 'string' ? message : message === undefined ? '' : String(message);
  const prefix = jobPrefix(log);
  if (!prefix) return text;
  // pino-pretty draws messages in cyan: the prefix stands apart in magenta.
  const shown = colors.magenta(prefix);
  return text
    .split(/\r?\n/)
    .map((line) => `${shown}${line}`)
    .join('\n');
};
