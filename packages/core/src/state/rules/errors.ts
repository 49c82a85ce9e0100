import { SentryError } from '../../errors.js';

/** A run the rules refuse: nothing of the detection may be written. */
export function invalidRunError(runId: string, reason: string): SentryError {
  return new SentryError('STATE_INVALID_RUN', `Cannot record run "${runId}": ${reason}.`, {
    details: { runId },
  });
}

/** `updateRun` / `updateJob` of an id the store does not hold. */
export function stateNotFoundError(kind: 'run' | 'job', id: string): SentryError {
  return new SentryError('STATE_NOT_FOUND', `No ${kind} with id "${id}" in the state store.`, {
    details: { [`${kind}Id`]: id },
  });
}

/** Any call on a store after `close()`; `store` names it (`memory`, `SQLite …/state.db`). */
export function stateClosedError(store: string): SentryError {
  return new SentryError('STATE_CLOSED', `The ${store} state store is closed.`, {
    fix: 'Create a new store; a closed one cannot be used again.',
  });
}

/** A write under a claim another replica has taken over since (see `ClaimFence`). */
export function claimLostError(
  fence: { unit: string; replica: string; epoch: number },
  what: string,
): SentryError {
  return new SentryError(
    'CLAIM_LOST',
    `Replica ${fence.replica} no longer holds the claim on ${fence.unit} (epoch ${fence.epoch}): another replica took its run over, so ${what} is not recorded.`,
    { details: { ...fence } },
  );
}
