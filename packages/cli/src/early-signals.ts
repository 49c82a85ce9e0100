/**
 * SIGINT/SIGTERM during `watch`'s start-up. Loading the CLI, the configuration and the engine takes
 * a noticeable time (more under load); a signal in that time used to kill `watch` with 130 before
 * its graceful-stop handler existed. bin/run.js therefore holds these signals from its first line
 * when the command is `watch`, and `watch` takes the held ones over once its own handler exists:
 * a signal during start-up leads to the same graceful stop as one after it.
 *
 * Every other command keeps Node's default: a signal ends it at once (exit 130 / 143). They have
 * no graceful stop to protect, and a held signal would make Ctrl-C do nothing.
 *
 * The hand-over goes through the process's own listener list (the held listener carries a marker),
 * so nothing is kept in module state.
 */

/** The signals `watch` handles (a graceful stop; the second one cancels running jobs). */
export const HELD_SIGNALS = ['SIGINT', 'SIGTERM'] as const satisfies readonly NodeJS.Signals[];

/** Marks the listener that holds signals, and points at what it received. */
const HOLDER = Symbol.for('@sentry-git/cli held signals');

type SignalListener = (signal: NodeJS.Signals) => void;
type Holder = SignalListener & { [HOLDER]: NodeJS.Signals[] };

function isHolder(listener: unknown): listener is Holder {
  return typeof listener === 'function' && HOLDER in listener;
}

/** The commands whose signals are held during start-up: oclif takes the command id from argv[0]. */
export function holdsSignals(argv: readonly string[]): boolean {
  return argv[0] === 'watch';
}

/**
 * Installs a listener that remembers SIGINT/SIGTERM instead of letting them end the process.
 * Call it before anything slow is imported.
 */
export function holdSignals(target: NodeJS.Process = process): void {
  const received: NodeJS.Signals[] = [];
  const holder: Holder = Object.assign((signal: NodeJS.Signals) => void received.push(signal), {
    [HOLDER]: received,
  });
  for (const signal of HELD_SIGNALS) target.on(signal, holder);
}

/**
 * Removes the holding listener and returns the signals it received, oldest first (none when
 * nothing held them). Install the real handler before calling it, so no signal falls between.
 */
export function takeHeldSignals(target: NodeJS.Process = process): NodeJS.Signals[] {
  const received = new Set<NodeJS.Signals[]>();
  for (const signal of HELD_SIGNALS) {
    for (const listener of target.listeners(signal)) {
      if (!isHolder(listener)) continue;
      target.off(signal, listener as SignalListener);
      received.add(listener[HOLDER]);
    }
  }
  return [...received].flat();
}
