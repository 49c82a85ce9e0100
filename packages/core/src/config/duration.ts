import type { z } from 'zod';

/**
 * The longest duration the configuration accepts, in seconds: 24 days. Node's timers cannot wait
 * longer than 2^31 - 1 ms (24.8 days); a longer delay fires at once, so a larger interval would
 * poll without pause and a larger timeout would expire immediately. Every duration key has it.
 */
export const MAX_DURATION_SECONDS = 24 * 24 * 60 * 60;

const MAX_DURATION_MESSAGE = `must be at most ${MAX_DURATION_SECONDS} seconds (24 days): Node.js timers cannot wait longer. Fix: use a shorter duration, e.g. 86400 (one day).`;

/** A number of seconds (`positive` or `min(0)` already applied) bounded by `MAX_DURATION_SECONDS`. */
export function boundedSeconds<T extends z.ZodNumber>(number: T) {
  return number.max(MAX_DURATION_SECONDS, { message: MAX_DURATION_MESSAGE });
}

/**
 * The same bounds for the JSON Schema: a duration may also be written as a string (`${VAR}`),
 * which hides the number's range on the input side; numeric keywords next to the `anyOf` apply
 * to numbers only, so editors check the range of a written number.
 */
export function secondsJsonBounds(options: { zero?: boolean } = {}): Record<string, number> {
  return {
    ...(options.zero ? { minimum: 0 } : { exclusiveMinimum: 0 }),
    maximum: MAX_DURATION_SECONDS,
  };
}
