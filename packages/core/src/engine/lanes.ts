import type { UnitKey } from '../types.js';

/**
 * One lane per unit (group or standalone repository): runs of a unit never overlap. A lane
 * drains the unit's queued runs one at a time; `kick` is idempotent while it is busy.
 */
export interface Lanes {
  kick(unit: UnitKey): void;
  /** Resolves when no lane is busy. */
  idle(): Promise<void>;
  busy(unit: UnitKey): boolean;
  readonly size: number;
}

export function createLanes(
  drain: (unit: UnitKey) => Promise<void>,
  onError: (unit: UnitKey, error: unknown) => void,
): Lanes {
  const active = new Map<UnitKey, Promise<void>>();
  const again = new Set<UnitKey>();

  function kick(unit: UnitKey): void {
    if (active.has(unit)) {
      again.add(unit);
      return;
    }
    const lane = (async () => {
      do {
        again.delete(unit);
        try {
          await drain(unit);
        } catch (error) {
          onError(unit, error);
        }
      } while (again.has(unit));
    })().finally(() => active.delete(unit));
    active.set(unit, lane);
  }

  async function idle(): Promise<void> {
    while (active.size > 0) await Promise.allSettled([...active.values()]);
  }

  return {
    kick,
    idle,
    busy: (unit) => active.has(unit),
    get size() {
      return active.size;
    },
  };
}
