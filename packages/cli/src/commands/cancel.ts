import { Args, Flags } from '@oclif/core';
import { type CancelResult, type RunRecord, SentryError } from '@sentry-git/core';
import { cliActor } from '../actor.js';
import { SentryCommand } from '../base.js';
import { connect, storeOf } from '../connect.js';
import type { ApiClient } from '../remote/client.js';

/** What `cancel` says it did. */
function outcomeLine(result: CancelResult, remote: boolean): string {
  const { run } = result;
  if (result.outcome === 'cancelled')
    return `Cancelled run ${run.id} (${run.unit}, queued): it will not start.`;
  const who = remote
    ? 'the watch'
    : 'the watch running it (within a few seconds; a run no process runs stays running until a watch starts)';
  return `Cancelling run ${run.id} (${run.unit}, running): ${who} stops its jobs, and the run ends cancelled.`;
}

export function runNotFound(id: string): SentryError {
  return new SentryError('RUN_NOT_FOUND', `No run "${id}" in the state store.`, {
    fix: 'Give a run id as `sentry-git runs` lists it (run_…).',
  });
}

function runFinished(run: RunRecord): SentryError {
  return new SentryError(
    'RUN_FINISHED',
    `Run ${run.id} has already finished (${run.status}${run.finishedAt ? ` at ${run.finishedAt}` : ''}): there is nothing to cancel.`,
    { fix: `To run it again: sentry-git rerun ${run.id}` },
  );
}

export default class Cancel extends SentryCommand {
  static override description =
    'Cancel a run: a queued one never starts; a running one has its jobs stopped (shell process groups killed, Tekton PipelineRuns cancelled) and ends cancelled. Recorded with who asked and why.';

  static override args = {
    run: Args.string({
      description: 'The id of a queued or running run (`sentry-git runs`).',
      required: true,
    }),
  };
  static override examples = [
    '<%= config.bin %> cancel run_0mwsav719622732122a',
    '<%= config.bin %> cancel run_0mwsav719622732122a --reason "wrong commit"',
  ];

  static override flags = {
    reason: Flags.string({ char: 'r', description: 'Why, recorded with the cancel and in the run’s error.' }),
    json: Flags.boolean({ description: 'Print { run, outcome } as JSON.' }),
  };

  async run(): Promise<void> {
    const { flags, args } = await this.parse(Cancel);
    const connection = await connect(flags.config);
    this.secrets = connection.loaded.secrets;
    const result = connection.server
      ? await cancelRemote(connection.server, args.run, flags.reason)
      : await cancelInStore(await storeOf(connection), args.run, flags.reason);
    if (flags.json) this.log(JSON.stringify(result, null, 2));
    else this.log(outcomeLine(result, connection.server !== null));
  }
}

function cancelRemote(client: ApiClient, id: string, reason: string | undefined): Promise<CancelResult> {
  const path = `/api/v1/runs/${encodeURIComponent(id)}/cancel`;
  return client.json<CancelResult>('cancel', 'POST', path, reason ? { reason } : {});
}

/**
 * Without a server: the store's cancel (a queued run ends now; a running one gets the request,
 * which the watch running it reads within a few seconds and acts on).
 */
async function cancelInStore(
  store: Awaited<ReturnType<typeof storeOf>>,
  id: string,
  reason: string | undefined,
): Promise<CancelResult> {
  try {
    const result = await store.cancelRun(id, {
      by: cliActor(),
      at: new Date().toISOString(),
      reason: reason ?? null,
    });
    if (!result) throw runNotFound(id);
    if (result.outcome === 'finished') throw runFinished(result.run);
    return result;
  } finally {
    await store.close();
  }
}
