import { createSentry, type Sentry } from '@sentry-git/core';
import { forgeRepository, nextEvent, type ScriptedForge, scriptedForge } from '@sentry-git/core/testing';
import { createServer } from '@sentry-git/server';
import { type PostgresCluster, startPostgres } from '@sentry-git/test-utils';
import { afterAll, beforeAll, describe, expect, it, onTestFinished } from 'vitest';
import postgresPlugin from '../src/index.js';

/**
 * Two replicas on one database, a server on the first: its event stream shows the runs, jobs,
 * changes and actions of the second as they happen (read from the store through LISTEN/NOTIFY),
 * each once, and its own once.
 */

let cluster: PostgresCluster;
beforeAll(async () => {
  cluster = await startPostgres();
}, 60_000);
afterAll(() => cluster?.stop());

const SHA = (digit: string) => digit.repeat(40);

/**
 * Heads the test sets, shared by both replicas. Every job prints far more than a NOTIFY payload
 * holds: the notices must never carry output.
 */
const forge = () =>
  scriptedForge({ print: (job, replica) => `deploying ${job.sha} on ${replica}\n${'x'.repeat(20_000)}\n` });

async function replica(
  url: string,
  id: string,
  test: ScriptedForge,
  secrets: string[] = [],
): Promise<Sentry> {
  const sentry = await createSentry({
    config: {
      polling_interval: 3600,
      state: { driver: 'postgres', url, lease: 60 },
      repositories: [forgeRepository('app')],
    },
    plugins: [postgresPlugin, test.pluginAs(id)],
    replica: id,
    secrets,
    logEvents: false,
    env: {},
  });
  onTestFinished(() => sentry.close({ graceMs: 0 }));
  return sentry;
}

interface Streamed {
  event: string;
  // biome-ignore lint/suspicious/noExplicitAny: the test reads arbitrary JSON
  data: any;
}

/** `GET /api/v1/events` read as it comes: every event so far, and a wait for the one that ends a run. */
async function openEvents(url: string) {
  const controller = new AbortController();
  onTestFinished(() => controller.abort());
  const response = await fetch(`${url}/api/v1/events`, { signal: controller.signal });
  const events: Streamed[] = [];
  const waiters = new Set<() => void>();
  void (async () => {
    const decoder = new TextDecoder();
    let buffer = '';
    for await (const chunk of response.body ?? []) {
      buffer += decoder.decode(chunk as Uint8Array, { stream: true });
      for (let end = buffer.indexOf('\n\n'); end >= 0; end = buffer.indexOf('\n\n')) {
        const block = buffer.slice(0, end);
        buffer = buffer.slice(end + 2);
        const event = /^event: (.*)$/m.exec(block)?.[1];
        const data = /^data: (.*)$/m.exec(block)?.[1];
        if (event !== undefined && data !== undefined) events.push({ event, data: JSON.parse(data) });
      }
      for (const waiter of waiters) waiter();
    }
  })().catch(() => undefined);
  return {
    events,
    /** Resolves once an event `until` accepts has come. */
    waitFor(until: (event: Streamed) => boolean): Promise<void> {
      return new Promise((resolve) => {
        const check = () => {
          if (!events.some(until)) return;
          waiters.delete(check);
          resolve();
        };
        waiters.add(check);
        check();
      });
    },
  };
}

/** The stream's events about one run, as `name replica`. */
function ofRun(events: Streamed[], runId: string): string[] {
  return events
    .filter((entry) => entry.data.run?.id === runId)
    .map((entry) => `${entry.event} ${entry.data.replica ?? 'own'}`);
}

describe('the event stream across replicas', () => {
  it('shows the runs, changes and actions another replica makes, each once, and its own once', async () => {
    const url = await cluster.createDatabase('shared_events');
    const test = forge();
    test.set('app', 'main', SHA('a'));
    const a = await replica(url, 'a', test);
    // Only B knows this secret: A's stream can hide it only if B's notices never carried it.
    const b = await replica(url, 'b', test, ['hunter2-only-b-knows']);
    const server = createServer(a);
    onTestFinished(() => server.close());
    const { url: base } = await server.listen({ host: '127.0.0.1', port: 0 });
    await a.replica!.listening();
    const stream = await openEvents(base);
    const seenOnABus: string[] = [];
    a.on('run:start', ({ run }) => seenOnABus.push(run.id));

    await b.pollOnce();
    test.set('app', 'main', SHA('b'));
    const finishedOnB = nextEvent(b, 'run:finish');
    const [theirs] = (await b.pollOnce()).runs;
    await finishedOnB;
    await stream.waitFor((entry) => entry.event === 'run:finish' && entry.data.run.id === theirs!.id);
    expect(ofRun(stream.events, theirs!.id)).toEqual([
      'run:queued b',
      'run:start b',
      'job:start b',
      'job:finish b',
      'run:finish b',
    ]);
    const finish = stream.events.find(
      (entry) => entry.event === 'run:finish' && entry.data.run.id === theirs!.id,
    )!;
    expect(finish.data.run).toMatchObject({ status: 'succeeded', unit: 'repository:app' });
    expect(finish.data.run.jobs[0]).not.toHaveProperty('output');
    const jobFinish = stream.events.find(
      (entry) => entry.event === 'job:finish' && entry.data.run.id === theirs!.id,
    )!;
    expect(jobFinish.data.job).toMatchObject({ repository: 'app', branch: 'main', sha: SHA('b') });
    expect(jobFinish.data.result).toMatchObject({ status: 'succeeded', exitCode: 0 });
    expect(jobFinish.data.result).not.toHaveProperty('output');
    expect(stream.events.filter((entry) => entry.event === 'change')).toEqual([
      {
        event: 'change',
        data: {
          repository: 'app',
          group: null,
          branch: 'main',
          before: SHA('a'),
          after: SHA('b'),
          kind: 'updated',
          replica: 'b',
        },
      },
    ]);
    // Never on A's own bus: its metrics, notifications and commit statuses are A's runs only.
    expect(seenOnABus).toEqual([]);

    // An action taken through B, and the run it queued, B runs.
    const triggered = nextEvent(b, 'run:finish');
    const [asked] = await b.trigger({ by: 'alice' });
    await triggered;
    await stream.waitFor((entry) => entry.event === 'run:finish' && entry.data.run.id === asked!.id);
    const actions = stream.events.filter((entry) => entry.event === 'action');
    expect(actions).toHaveLength(1);
    expect(actions[0]!.data).toMatchObject({
      action: 'trigger',
      by: 'alice',
      runs: [asked!.id],
      replica: 'b',
    });

    // A's own run: on its stream once, without a replica field (its bus carried it, not a notice).
    const heardOnB: string[] = [];
    b.replica!.onShared((event) => heardOnB.push(`${event.name} ${event.replica}`));
    await b.replica!.listening();
    test.set('app', 'main', SHA('c'));
    const finishedOnA = nextEvent(a, 'run:finish');
    const [ours] = (await a.pollOnce()).runs;
    await finishedOnA;
    await stream.waitFor((entry) => entry.event === 'run:finish' && entry.data.run.id === ours!.id);
    // Once B heard A's last notice, an action through B reaches A after it: an echo of A's own
    // events would be on A's stream by then.
    await new Promise<void>((resolve) => {
      const off = b.replica!.onShared((event) => {
        if (event.name === 'run:finish' && event.payload.run.id === ours!.id) {
          off();
          resolve();
        }
      });
    });
    await b.pause({ repository: 'app' }, { by: 'bob', reason: 'freeze, token hunter2-only-b-knows' });
    await stream.waitFor((entry) => entry.event === 'action' && entry.data.action === 'pause');
    const pause = stream.events.find((entry) => entry.event === 'action' && entry.data.action === 'pause')!;
    expect(pause.data).toMatchObject({ by: 'bob', reason: 'freeze, token [REDACTED]', replica: 'b' });
    expect(ofRun(stream.events, ours!.id)).toEqual([
      'run:queued own',
      'run:start own',
      'job:start own',
      'job:finish own',
      'run:finish own',
    ]);
    expect(seenOnABus).toEqual([ours!.id]);
    expect(heardOnB).toEqual([
      'change a',
      'run:queued a',
      'run:start a',
      'job:start a',
      'job:finish a',
      'run:finish a',
    ]);
  });

  it('after losing its listening connection, the stream says reset once it hears again, then goes on', async () => {
    const database = 'shared_gap';
    const url = await cluster.createDatabase(database);
    const test = forge();
    test.set('app', 'main', SHA('a'));
    const a = await replica(url, 'a', test);
    const b = await replica(url, 'b', test);
    await a.pollOnce();
    const server = createServer(a);
    onTestFinished(() => server.close());
    const { url: base } = await server.listen({ host: '127.0.0.1', port: 0 });
    await a.replica!.listening();
    const gaps: string[] = [];
    a.replica!.onGap((reason) => gaps.push(reason));
    const stream = await openEvents(base);

    // Only A listens (B has no server and no onShared): its connection is the one cut.
    const cut = await cluster.sql(
      `SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '${database}' AND query = 'LISTEN sentry_git_events'`,
    );
    expect(cut.trim()).toBe('t');
    await stream.waitFor((entry) => entry.event === 'reset');
    const reset = stream.events.find((entry) => entry.event === 'reset')!;
    expect(reset.data.reason).toMatch(
      /^replica a did not hear the other replicas' events from \S+Z to \S+Z \(it lost its connection for replicas' events.*\): what they did meanwhile is only in the store$/,
    );
    expect(gaps).toEqual([reset.data.reason]);

    // Hearing again: B's next run is on A's stream after the reset.
    test.set('app', 'main', SHA('b'));
    const finishedOnB = nextEvent(b, 'run:finish');
    const [theirs] = (await b.pollOnce()).runs;
    await finishedOnB;
    await stream.waitFor((entry) => entry.event === 'run:finish' && entry.data.run.id === theirs!.id);
    // (A's own replica:assigned, should its lease renewal bring one, is not B's doing.)
    expect(stream.events.map((entry) => entry.event).filter((name) => name !== 'replica:assigned')).toEqual([
      'reset',
      'change',
      'run:queued',
      'run:start',
      'job:start',
      'job:finish',
      'run:finish',
    ]);
  });
});
