// The rules a state store applies, decided in one place: a store reads what a planner needs,
// calls it inside its transaction, and writes the plan. See docs/plugins.md#statestore-and-statestorefactory.

export { admitChanges, type StoredHeadsView } from './admit.js';
export { type CancelPlan, cancelledBy, planCancel } from './cancel.js';
export {
  type DetectionContext,
  type DetectionPlan,
  type HeadWrite,
  planDetection,
  type RunWrite,
} from './detection.js';
export { claimLostError, invalidRunError, stateClosedError, stateNotFoundError } from './errors.js';
export { noPollFailures, planPollFailure } from './poll-health.js';
export {
  INTERRUPTED_BY_CRASH,
  planRecovery,
  type RecoveryPlan,
  type RecoveryPolicy,
  type RunUpdate,
  UNFINISHED_STATUSES,
} from './recovery.js';
export { DEFAULT_RUN_LIMIT, type RunQuery, runQueryOf } from './run-query.js';
export { parseSince } from './since.js';
