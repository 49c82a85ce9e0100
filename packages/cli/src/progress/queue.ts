import { type PauseRecord, type RunRecord, type Sentry, SentryError } from '@sentry-git/core';
import type { LevelWithSilent } from 'pino';
import { type Connection, onServerOrEngine } from '../connect.js';
import { resumeCommand } from '../pause-target.js';
import type { ApiClient } from '../remote/client.js';
import { engineEvents, type RunEventSource, serverEvents } from './events.js';
import { followRuns } from './follow.js';
import { createProgressView, type ProgressView, type RunView } from './view.js';

/** A command that queues runs and, unless told not to, waits for them: trigger, rerun, deploy. */
export interface QueueingCommand {
  /** Its name, in the engine lock and the messages. */
  command: string;
  /** What it does, in the line that says it goes through the running watch (`triggering`). */
  doing: string;
  wait: boolean;
  logLevel?: LevelWithSilent | undefined;
  remote(client: ApiClient): Promise<RunView[]>;
  local(sentry: Sentry): Promise<RunRecord[]>;
}

export interface Queued {
  /** The runs, finished (or as queued with `wait: false`). */
  runs: RunRecord[];
  /** Whether they went through the running watch's server. */
  remote: boolean;
}

/** A run of a paused unit waits for `resume`: say so, or the command seems to hang. */
function notePauses(view: ProgressView, runs: readonly RunView[], pauses: readonly PauseRecord[]): void {
  for (const pause of pauses) {
    const waiting = runs.filter((run) => run.unit === pause.unit && run.status === 'queued');
    if (waiting.length === 0) continue;
    const reason = pause.reason ? `: ${pause.reason}` : '';
    view.write(
      `${pause.unit} is paused (by ${pause.by} at ${pause.at}${reason}); ${waiting.map((run) => run.id).join(', ')} waits until \`${resumeCommand(pause.unit)}\`.`,
    );
  }
}

function lostServer(url: string) {
  return (error: Error, unfinished: string[]) =>
    new SentryError(
      'TRIGGER_FORWARD_FAILED',
      `Lost the sentry-git server at ${url} while following ${unfinished.join(', ')} (${error.message}). The watch records the result: see \`sentry-git runs\`.`,
      { fix: `Follow the run again with \`sentry-git logs ${unfinished[0]} --follow\` once the watch runs.` },
    );
}

async function throughServer(
  client: ApiClient,
  spec: QueueingCommand,
  view: ProgressView,
): Promise<RunRecord[]> {
  if (!spec.wait) {
    const queued = await spec.remote(client);
    for (const run of queued) {
      view.queued(run);
      view.write(`  follow it: sentry-git logs ${run.id} --follow`);
    }
    return queued as RunRecord[];
  }
  const source: RunEventSource = await serverEvents(client, spec.command);
  try {
    const queued = await spec.remote(client);
    for (const run of queued) view.queued(run);
    const { pauses } = await client.json<{ pauses: PauseRecord[] }>('pauses', 'GET', '/api/v1/pauses');
    notePauses(view, queued, pauses);
    const run = (id: string) =>
      client.json<RunRecord>('run', 'GET', `/api/v1/runs/${encodeURIComponent(id)}`);
    const ids = queued.map((one) => one.id);
    await followRuns({ source, ids, view, snapshot: run, lostError: lostServer(client.url) });
    return await Promise.all(ids.map(run));
  } finally {
    source.close();
  }
}

/**
 * Shows the runs an engine of this process queued (caught by `source`, created before they were
 * queued) until they finish, and answers them as stored.
 */
async function waitOnEngine(
  sentry: Sentry,
  source: RunEventSource,
  queued: readonly RunRecord[],
  view: ProgressView,
): Promise<RunRecord[]> {
  const ids = [...new Set(queued.map((run) => run.id))];
  for (const run of queued.filter((one, index) => ids.indexOf(one.id) === index)) view.queued(run);
  notePauses(view, queued, await sentry.pauses());
  const snapshot = (id: string) => sentry.store.getRun(id);
  const lostError = (error: Error) => error;
  await followRuns({ source, ids, view, snapshot, lostError });
  return sentry.waitForRuns(ids);
}

async function onEngine(sentry: Sentry, spec: QueueingCommand, view: ProgressView): Promise<RunRecord[]> {
  const source = engineEvents(sentry);
  try {
    return await waitOnEngine(sentry, source, await spec.local(sentry), view);
  } finally {
    source.close();
  }
}

/**
 * Queues the command's runs through the running watch's server, or on an engine of this process
 * (which then runs them: `--no-wait` needs the watch), and shows their jobs on stderr as they
 * start and end until every run has finished.
 */
export async function queueAndWait(connection: Connection, spec: QueueingCommand): Promise<Queued> {
  if (!spec.wait && !connection.server) {
    throw new SentryError(
      'TRIGGER_FORWARD_FAILED',
      `${spec.command} --no-wait needs a running sentry-git watch to run the deploy after this command returns, and ${
        connection.target
          ? `none answers at ${connection.target.url}`
          : 'this configuration sets no server.port and API token to find one'
      }.`,
      {
        fix: `Run ${spec.command} without --no-wait (it deploys in this process and waits), or start \`sentry-git watch\` with server.port and server.token set.`,
      },
    );
  }
  const tty = process.stderr.isTTY === true;
  const view = createProgressView(process.stderr, { tty });
  let remote = false;
  try {
    const runs = await onServerOrEngine(
      connection,
      { command: spec.command, logLevel: spec.logLevel, ...(tty ? { logSink: view.write } : {}) },
      {
        onRemote(url) {
          remote = true;
          view.write(`A sentry-git watch is running: ${spec.doing} through its server at ${url}.`);
        },
        remote: (client) => throughServer(client, spec, view),
        local: (sentry) => onEngine(sentry, spec, view),
      },
    );
    return { runs, remote };
  } finally {
    view.close();
  }
}
