import type { ConfigIssue } from '@sentry-git/core';
import { formatPath, MAX_DURATION_SECONDS } from '@sentry-git/core/internal';
import { goDurationSeconds } from './duration.js';

/**
 * Small readers of the raw input that record a problem with its key path instead of throwing,
 * so one run reports every problem of the file.
 */
export interface Reader {
  issues: ConfigIssue[];
  at(path: (string | number)[]): string;
  /** A mapping's entries; a non-mapping is a problem. Unknown keys are problems too. */
  mapping(
    value: unknown,
    path: (string | number)[],
    known: readonly string[],
  ): Record<string, unknown> | null;
  string(value: unknown, path: (string | number)[]): string | undefined;
  duration(value: unknown, path: (string | number)[]): number | undefined;
  integer(value: unknown, path: (string | number)[], min: number, max?: number): number | undefined;
  problem(path: (string | number)[], message: string): void;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

export function createReader(): Reader {
  const issues: ConfigIssue[] = [];
  const at = (path: (string | number)[]) => formatPath(path) || '(root)';
  const problem = (path: (string | number)[], message: string) => {
    issues.push({ path: formatPath(path), message });
  };
  return {
    issues,
    at,
    problem,
    mapping(value, path, known) {
      if (!isRecord(value)) {
        problem(path, 'must be a mapping of keys.');
        return null;
      }
      for (const key of Object.keys(value)) {
        if (!known.includes(key)) {
          problem(
            [...path, key],
            `unknown RepoSentry key. Fix: remove it, or move it by hand (known here: ${known.join(', ')}).`,
          );
        }
      }
      return value;
    },
    string(value, path) {
      if (value === undefined || value === null) return undefined;
      if (typeof value !== 'string' || value === '') {
        problem(path, `must be a non-empty string (found ${JSON.stringify(value)}).`);
        return undefined;
      }
      return value;
    },
    duration(value, path) {
      if (value === undefined || value === null) return undefined;
      const seconds = typeof value === 'string' ? goDurationSeconds(value) : null;
      if (seconds === null || seconds <= 0) {
        problem(
          path,
          `must be a positive Go duration such as "30s", "5m" or "1h30m" (found ${JSON.stringify(value)}). A bare number is refused: Go reads it as nanoseconds.`,
        );
        return undefined;
      }
      if (seconds > MAX_DURATION_SECONDS) {
        problem(
          path,
          `${JSON.stringify(value)} is ${seconds} s, more than sentry-git's maximum of ${MAX_DURATION_SECONDS} s (24 days): Node.js timers cannot wait longer. Fix: use at most "${MAX_DURATION_SECONDS / 3600}h".`,
        );
        return undefined;
      }
      return seconds;
    },
    integer(value, path, min, max) {
      if (value === undefined || value === null) return undefined;
      const number = typeof value === 'string' && /^\d+$/.test(value) ? Number(value) : value;
      if (
        typeof number !== 'number' ||
        !Number.isInteger(number) ||
        number < min ||
        (max !== undefined && number > max)
      ) {
        problem(
          path,
          `must be a whole number ${max === undefined ? `≥ ${min}` : `from ${min} to ${max}`} (found ${JSON.stringify(value)}).`,
        );
        return undefined;
      }
      return number;
    },
  };
}

export { isRecord };
