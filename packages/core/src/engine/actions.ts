import { SentryError } from '../errors.js';
import type { EventBus, SentryEvents } from '../events.js';
import type { ActionStamp } from '../types.js';
import type { ActorOptions } from './requests.js';

/** Who asks, now, and why: what the store keeps with a cancel or a pause, and the `action` event says. */
export function actionStamp(action: string, options: Partial<ActorOptions>): ActionStamp {
  const by = typeof options.by === 'string' ? options.by.trim() : '';
  if (by === '') {
    throw new SentryError('ACTOR_REQUIRED', `Cannot ${action}: nobody is named as asking for it (\`by\`).`, {
      fix: "Pass `by`: the name recorded with the action (an API token's name, or `user@host`).",
    });
  }
  const reason =
    typeof options.reason === 'string' && options.reason.trim() !== '' ? options.reason.trim() : null;
  return { by, at: new Date().toISOString(), reason };
}

/** Tells subscribers (the event logger, the server's event stream) that someone acted. */
export function emitAction(
  bus: EventBus,
  action: SentryEvents['action']['action'],
  stamp: ActionStamp,
  target: string,
  runs: readonly string[],
): void {
  bus.emit('action', { action, by: stamp.by, at: stamp.at, target, reason: stamp.reason, runs: [...runs] });
}
