import type { RepositoryConfig } from '../config/schema.js';
import { type UnitKey, unitKeyOf } from '../types.js';

/** Items grouped by the unit (group or standalone repository) their repository deploys with, in input order. */
export function groupByUnit<T>(
  items: readonly T[],
  repositoryOf: (item: T) => RepositoryConfig,
): Map<UnitKey, T[]> {
  const byUnit = new Map<UnitKey, T[]>();
  for (const item of items) {
    const unit = unitKeyOf(repositoryOf(item));
    const members = byUnit.get(unit);
    if (members) members.push(item);
    else byUnit.set(unit, [item]);
  }
  return byUnit;
}
