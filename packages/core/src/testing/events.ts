import { onTestFinished } from 'vitest';
import type { Sentry } from '../engine/api.js';
import type { SentryEventName, SentryEvents } from '../events.js';

/**
 * The payload of the first `name` event from now on that `accept` passes (every one, without
 * it). Subscribe before you cause the event: `const done = nextEvent(sentry, 'run:finish');`,
 * then act, then `await done`.
 */
export function nextEvent<K extends SentryEventName>(
  sentry: Pick<Sentry, 'on'>,
  name: K,
  accept: (payload: SentryEvents[K]) => boolean = () => true,
): Promise<SentryEvents[K]> {
  return new Promise((resolve) => {
    const off = sentry.on(name, (payload) => {
      if (!accept(payload)) return;
      off();
      resolve(payload);
    });
  });
}

/**
 * Every `name` event from now on, in order, in an array that grows as they come. The listener
 * is removed when the test finishes (vitest's `onTestFinished`): call it inside a test.
 */
export function recordEvents<K extends SentryEventName>(
  sentry: Pick<Sentry, 'on'>,
  name: K,
): SentryEvents[K][] {
  const seen: SentryEvents[K][] = [];
  const off = sentry.on(name, (payload) => seen.push(payload));
  onTestFinished(off);
  return seen;
}
