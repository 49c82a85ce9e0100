import { createContext } from 'preact';
import { useContext } from 'preact/hooks';
import type { Api } from './api.js';
import type { Run } from './api-types.js';
import type { LiveData } from './live-data.js';

/** What a pause or a resume acts on. */
export type UnitTarget = { repository: string } | { group: string };

/** The operator's buttons. Each reports its outcome in the console's notice line. */
export interface Actions {
  trigger(target: UnitTarget): Promise<void>;
  /** Asks for a reason, then cancels. */
  cancel(run: Run): void;
  rerun(run: Run): Promise<void>;
  /** Opens the deploy form, on this repository when given. */
  deploy(repository?: string): void;
  /** Asks for a reason, then pauses. */
  pause(target: UnitTarget): void;
  resume(target: UnitTarget): Promise<void>;
}

export interface ConsoleContextValue {
  api: Api;
  data: LiveData;
  /** False for a read-only token, or a server without any token (which refuses every action). */
  canAct: boolean;
  actions: Actions;
  /** The time the relative times and running durations are shown at (ticks every second). */
  now: number;
}

export const ConsoleContext = createContext<ConsoleContextValue | null>(null);

export function useConsole(): ConsoleContextValue {
  const value = useContext(ConsoleContext);
  if (value === null) throw new Error('useConsole() outside <ConsoleContext.Provider>');
  return value;
}

export function targetLabel(target: UnitTarget): string {
  return 'group' in target ? `group ${target.group}` : target.repository;
}
