import type { SentryConfig } from '../config/schema.js';
import type { Strategy } from '../interfaces/strategy.js';
import type { Registry } from '../plugins/registry.js';
import type { RunRecord } from '../types.js';

/** How a run's jobs are run: its group's strategy and limits, or one by one for a standalone repository. */
export function strategyFor(
  config: SentryConfig,
  registry: Registry,
  run: Pick<RunRecord, 'unit'>,
): { strategy: Strategy; maxParallel: number; continueOnError: boolean; timeout: number | undefined } {
  if (run.unit.startsWith('group:')) {
    const group = config.groups[run.unit.slice('group:'.length)];
    if (group) {
      return {
        strategy: registry.strategy(group.execution_strategy),
        maxParallel: group.max_parallel,
        continueOnError: group.continue_on_error,
        timeout: group.global_timeout,
      };
    }
  }
  // A standalone repository's run (one job per changed branch) deploys its jobs one by one.
  return {
    strategy: registry.strategy('sequential'),
    maxParallel: 1,
    continueOnError: true,
    timeout: undefined,
  };
}
