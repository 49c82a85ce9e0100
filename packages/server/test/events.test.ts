import { once } from 'node:events';
import net from 'node:net';
import path from 'node:path';
import { gitdir, tempdir } from '@sentry-git/test-utils';
import { describe, expect, it } from 'vitest';
import { API_TOKEN, call, engine, serve, shellRepository } from './helpers.js';
import { openEvents, type StreamedEvent } from './streams.js';

const READ_TOKEN = 'read-token-for-event-tests-7d1e';
/** A password written into a repository URL: the bus redacts it before the stream sees it. */
const URL_PASSWORD = 'url-password-9c4b71';

/** app deploys with one shell command; broken's URL has a password and nothing listens there. */
async function setup(serverOptions: { eventStream?: { journalSize?: number; pingInterval?: number } } = {}) {
  const dir = await tempdir();
  const app = await gitdir({ branches: ['main'] });
  const sentry = await engine(
    {
      polling_interval: 3600,
      repositories: [
        shellRepository('app', app.bare, path.join(dir, 'deploys.log')),
        shellRepository(
          'broken',
          `http://deployer:${URL_PASSWORD}@127.0.0.1:9/broken.git`,
          path.join(dir, 'b.log'),
        ),
      ],
    },
    { dir },
  );
  await sentry.pollOnce({ repositories: ['app'] });
  const { url, server } = await serve(sentry, { token: API_TOKEN, readToken: READ_TOKEN, ...serverOptions });
  async function deploy(): Promise<string> {
    const [run] = await sentry.trigger({ repositories: ['app'] });
    await sentry.waitForRuns([run!.id]);
    return run!.id;
  }
  return { sentry, url, server, deploy };
}

const finishOf = (runId: string) => (event: StreamedEvent) =>
  event.event === 'run:finish' && event.data.run.id === runId;

describe('GET /api/v1/events', () => {
  it("streams a run's events in order, as JSON without job output, with increasing ids", async () => {
    const { url, deploy } = await setup();
    const stream = await openEvents(url, { token: READ_TOKEN });
    expect(stream.status).toBe(200);
    expect(stream.headers.get('content-type')).toBe('text/event-stream; charset=utf-8');
    expect(stream.headers.get('cache-control')).toBe('no-cache, no-transform');
    // First an id alone: a client that reconnects before any event still resumes from here.
    const first = await stream.nextBlock();
    expect(first).toEqual({ id: expect.stringMatching(/^[A-Za-z0-9]+-\d+$/) });

    const runId = await deploy();
    const all = await stream.eventsUntil(finishOf(runId));
    // The trigger is an operator's action too: its event comes among the run's.
    expect(all.filter((event) => event.event === 'action')).toMatchObject([
      { data: { action: 'trigger', target: 'repository:app', runs: [runId] } },
    ]);
    const events = all.filter((event) => event.event !== 'action');
    expect(events.map((event) => event.event)).toEqual([
      'run:queued',
      'run:start',
      'job:start',
      'job:finish',
      'run:finish',
    ]);
    const [boot] = first.id!.split('-');
    const seqs = all.map((event) => {
      const [eventBoot, seq] = event.id.split('-');
      expect(eventBoot).toBe(boot);
      return Number(seq);
    });
    expect(seqs).toEqual(seqs.map((_, index) => seqs[0]! + index));
    expect(seqs[0]).toBeGreaterThan(Number(first.id!.split('-')[1]));

    for (const event of events) {
      expect(event.data.run.id).toBe(runId);
      for (const job of event.data.run.jobs) expect(job).not.toHaveProperty('output');
    }
    const jobStart = events[2]!.data;
    expect(jobStart.job).toMatchObject({ repository: 'app', branch: 'main', runId });
    expect(jobStart.job).not.toHaveProperty('deploy');
    const jobFinish = events[3]!.data;
    expect(jobFinish.result).toMatchObject({ status: 'succeeded', exitCode: 0 });
    expect(jobFinish.result).not.toHaveProperty('output');
    expect(jobFinish.job).not.toHaveProperty('output');
    expect(events[4]!.data.run.status).toBe('succeeded');
    stream.close();
  });

  it('carries poll results; a poll error as its message, the URL password redacted', async () => {
    const { sentry, url } = await setup();
    const stream = await openEvents(url, { token: API_TOKEN });
    await stream.nextBlock();
    await sentry.pollOnce({ repositories: ['broken'] });
    const events = await stream.eventsUntil((event) => event.event === 'poll:finish');
    const error = events.find((event) => event.event === 'poll:error');
    expect(error?.data).toMatchObject({
      repository: 'broken',
      error: expect.any(String),
      consecutiveFailures: 1,
    });
    expect(error?.data.error.length).toBeGreaterThan(0);
    expect(JSON.stringify(events)).not.toContain(URL_PASSWORD);
    stream.close();
  });

  it('a reconnect with Last-Event-ID replays exactly the events it missed, then goes on live', async () => {
    const { url, deploy } = await setup();
    // The witness stays connected throughout and sees every event.
    const witness = await openEvents(url, { token: API_TOKEN });
    await witness.nextBlock();
    const client = await openEvents(url, { token: READ_TOKEN });
    await client.nextBlock();

    const firstRun = await deploy();
    const seenBefore = await client.eventsUntil(finishOf(firstRun));
    const lastSeen = seenBefore.at(-1)!.id;
    client.close();

    // Missed while away: a whole run.
    const missedRun = await deploy();
    const again = await openEvents(url, { token: READ_TOKEN, lastEventId: lastSeen });
    const replayed = await again.eventsUntil(finishOf(missedRun));
    // Then live: one more run arrives once, after the replay.
    const liveRun = await deploy();
    const live = await again.eventsUntil(finishOf(liveRun));

    const all = await witness.eventsUntil(finishOf(liveRun));
    const after = all.slice(all.findIndex((event) => event.id === lastSeen) + 1);
    expect([...replayed, ...live].map((event) => event.id)).toEqual(after.map((event) => event.id));
    expect([...replayed, ...live]).toEqual(after);
    expect(replayed.filter((event) => event.data.run).map((event) => event.data.run.id)).toEqual(
      Array(5).fill(missedRun),
    );
    witness.close();
    again.close();
  });

  it('answers reset (with the newest id) to an id from another server life, never sent, or no longer kept', async () => {
    const size = 5;
    const { url, deploy } = await setup({ eventStream: { journalSize: size } });
    const witness = await openEvents(url, { token: API_TOKEN });
    const start = (await witness.nextBlock()).id!;
    const boot = start.split('-')[0]!;
    await deploy();
    const second = await deploy();
    const events = await witness.eventsUntil(finishOf(second));
    expect(events.length).toBeGreaterThan(size + 1);
    const newest = events.at(-1)!.id;
    // The journal holds the last `size`: the id just before them is the oldest it can answer.
    const edge = events.length - 1 - size;

    const cases: Array<[string, RegExp]> = [
      ['othrboot-3', /not from this server's life/],
      ['no-dash', /not from this server's life/],
      [`${boot}-x`, /not from this server's life/],
      [`${boot}-999`, /was never sent/],
      [events[edge - 1]!.id, /no longer kept \(the journal holds the last 5\)/],
    ];
    for (const [lastEventId, reason] of cases) {
      const stream = await openEvents(url, { token: API_TOKEN, lastEventId });
      const reset = await stream.nextEvent();
      expect(reset, lastEventId).toEqual({
        id: newest,
        event: 'reset',
        data: { reason: expect.stringMatching(reason) },
      });
      stream.close();
    }
    const oldest = await openEvents(url, { token: API_TOKEN, lastEventId: events[edge]!.id });
    expect(await oldest.eventsUntil(finishOf(second))).toEqual(events.slice(edge + 1));
    oldest.close();
    witness.close();
  });

  it('sends a ": ping" comment every pingInterval seconds', async () => {
    const { url } = await setup({ eventStream: { pingInterval: 0.05 } });
    const stream = await openEvents(url, { token: API_TOKEN });
    await stream.nextBlock();
    expect(await stream.nextBlock()).toEqual({ comment: 'ping' });
    expect(await stream.nextBlock()).toEqual({ comment: 'ping' });
    stream.close();
  });

  it('close() ends open streams cleanly instead of waiting for them', async () => {
    const { url, server } = await setup();
    const streams = await Promise.all([
      openEvents(url, { token: API_TOKEN }),
      openEvents(url, { token: READ_TOKEN }),
    ]);
    for (const stream of streams) await stream.nextBlock();
    await server.close();
    for (const stream of streams) await expect(stream.ended).resolves.toBeUndefined();
    const refused = await call(`${url}/api/v1/events`, {
      headers: { authorization: `Bearer ${API_TOKEN}` },
    }).catch((error: Error) => error);
    expect(refused).toBeInstanceOf(Error);
  });

  it('HEAD answers the headers and ends; a bad token gets JSON, not a stream', async () => {
    const { url } = await setup();
    const head = await fetch(`${url}/api/v1/events`, {
      method: 'HEAD',
      headers: { authorization: `Bearer ${API_TOKEN}` },
    });
    expect(head.status).toBe(200);
    expect(head.headers.get('content-type')).toBe('text/event-stream; charset=utf-8');
    const refused = await call(`${url}/api/v1/events`, { headers: { authorization: 'Bearer wrong' } });
    expect(refused.status).toBe(401);
    expect(refused.json.error.code).toBe('UNAUTHORIZED');
  });

  it('a client that stops reading is dropped once a journal of events piles up for it', async () => {
    const { sentry, url } = await setup({ eventStream: { journalSize: 50 } });
    const { port } = new URL(url);
    const socket = net.connect(Number(port), '127.0.0.1');
    await once(socket, 'connect');
    socket.write(
      `GET /api/v1/events HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer ${API_TOKEN}\r\n\r\n`,
    );
    const [head] = (await once(socket, 'data')) as [Buffer];
    expect(head.toString()).toMatch(/^HTTP\/1\.1 200 OK\r\n/);
    // It reads no more: the kernel's buffers fill, then the server's.
    socket.pause();
    const closed = once(socket, 'close');
    // Words, not one long token: the redactor's URL pattern is slow on long runs of letters.
    const branch = 'word '.repeat(2000);
    for (let i = 0; i < 3000; i += 1) {
      sentry.bus.emit('change', {
        repository: 'app',
        group: null,
        branch,
        before: null,
        after: 'a'.repeat(40),
        kind: 'created',
      });
    }
    socket.resume();
    await closed;
    // A reading client is not affected.
    const stream = await openEvents(url, { token: API_TOKEN });
    await stream.nextBlock();
    sentry.bus.emit('change', {
      repository: 'app',
      group: null,
      branch: 'main',
      before: null,
      after: 'c'.repeat(40),
      kind: 'created',
    });
    expect((await stream.nextEvent()).data).toMatchObject({ branch: 'main' });
    stream.close();
  });

  it('a client that goes away is forgotten: close() does not wait for it either', async () => {
    const { url, server, deploy } = await setup();
    const stream = await openEvents(url, { token: API_TOKEN });
    await stream.nextBlock();
    stream.close();
    await deploy();
    await server.close();
  });
});
