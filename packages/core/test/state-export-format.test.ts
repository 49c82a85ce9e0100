import { describe, expect, it } from 'vitest';
import type { SentryError, StateRecord } from '../src/index.js';
import { readStateExport, STATE_EXPORT_VERSION, stateExportLines } from '../src/internal.js';

const AT = '2026-01-05T10:00:00.000Z';
const SHA = 'a'.repeat(40);

const RECORDS: StateRecord[] = [
  { type: 'repository', seenAt: AT, name: 'app' },
  // Keys in another order than the format's: the export writes the format's.
  { type: 'head', updatedAt: AT, deployedSha: null, sha: SHA, branch: 'main', repository: 'app' },
  {
    type: 'pollHealth',
    repository: 'api',
    consecutiveFailures: 2,
    lastError: 'HTTP 502',
    lastErrorAt: AT,
    failingSince: AT,
  },
  {
    type: 'run',
    id: 'run-1',
    unit: 'repository:app',
    trigger: 'poll',
    status: 'succeeded',
    createdAt: AT,
    startedAt: AT,
    finishedAt: AT,
    error: null,
    attempts: 0,
    requestedBy: 'alice@laptop',
    cancelRequest: null,
    jobs: [
      {
        handle: { executor: 'shell', pgid: 7 },
        id: 'job-1',
        runId: 'run-1',
        position: 0,
        repository: 'app',
        branch: 'main',
        sha: SHA,
        previousSha: null,
        status: 'succeeded',
        exitCode: 0,
        startedAt: AT,
        finishedAt: AT,
        durationMs: 12,
        output: 'done\n',
        error: null,
        attempt: 1,
      },
    ],
  },
];

async function exportText(records: StateRecord[] = RECORDS): Promise<string> {
  let text = '';
  for await (const line of stateExportLines(toAsync(records), { store: 'sqlite', exportedAt: AT }))
    text += line;
  return text;
}

async function* toAsync<T>(items: readonly T[]): AsyncGenerator<T> {
  yield* items;
}

async function read(text: string): Promise<StateRecord[]> {
  const records: StateRecord[] = [];
  for await (const record of readStateExport(toAsync(text.split('\n')), { source: 'state.jsonl' }))
    records.push(record);
  return records;
}

async function refusal(text: string): Promise<SentryError> {
  const error = await read(text).catch((e: unknown) => e);
  if (!(error instanceof Error)) throw new Error('the input was accepted');
  return error as SentryError;
}

/** The export of RECORDS with line `n` (1-based) replaced by `line` (or removed with null). */
async function withLine(n: number, line: string | null): Promise<string> {
  const lines = (await exportText()).split('\n');
  lines.splice(n - 1, 1, ...(line === null ? [] : [line]));
  return lines.join('\n');
}

describe('the state export file', () => {
  it('is a header line, one line per record with the keys in a fixed order, and an end line with the counts', async () => {
    const lines = (await exportText()).split('\n');
    expect(lines[0]).toBe(
      `{"format":"sentry-git-state","version":${STATE_EXPORT_VERSION},"store":"sqlite","exportedAt":"${AT}"}`,
    );
    expect(lines[1]).toBe(`{"type":"repository","name":"app","seenAt":"${AT}"}`);
    expect(lines[2]).toBe(
      `{"type":"head","repository":"app","branch":"main","sha":"${SHA}","deployedSha":null,"updatedAt":"${AT}"}`,
    );
    expect(lines[4]).toMatch(
      /^\{"type":"run","id":"run-1",.*"jobs":\[\{"id":"job-1","runId":"run-1",.*"handle":\{"executor":"shell","pgid":7\}\}\]\}$/,
    );
    expect(lines[5]).toBe(
      '{"type":"end","repositories":1,"heads":1,"pollHealth":1,"pauses":0,"runs":1,"jobs":1}',
    );
    expect(lines[6]).toBe('');
    expect(lines).toHaveLength(7);
  });

  it('reads back what it wrote, skipping blank lines, a byte-order mark and CRLF line ends', async () => {
    await expect(read(await exportText())).resolves.toEqual(RECORDS);
    const text = `\uFEFF${(await exportText()).replaceAll('\n', '\r\n\n')}`;
    await expect(read(text)).resolves.toEqual(RECORDS);
  });

  it('reads an export of an empty store', async () => {
    await expect(read(await exportText([]))).resolves.toEqual([]);
  });

  it('names the line, the key path, the value, what was expected and the fix', async () => {
    const run = JSON.parse((await exportText()).split('\n')[4]!);
    run.jobs[0].status = 'done';
    const error = await refusal(await withLine(5, JSON.stringify(run)));
    expect(error.code).toBe('STATE_EXPORT_INVALID');
    expect(error.message).toContain(
      'line 5 of state.jsonl (run "run-1"): jobs[0].status is "done"; expected one of "queued", "running", "succeeded", "failed", "skipped", "timed_out", "cancelled". Nothing was imported. Fix: Import the file as `sentry-git state export` wrote it',
    );
    expect(error.message).toContain('operations.md');
  });

  it.each([
    ['a line that is not JSON', '{"type":"repository",', 'line 2 of state.jsonl: the line is not JSON ('],
    [
      'an unknown record type',
      '{"type":"branch","name":"x"}',
      'line 2 of state.jsonl: type is "branch"; expected one of "repository", "head", "pollHealth", "pause", "run"',
    ],
    [
      'a record that is no object',
      '[1,2]',
      'line 2 of state.jsonl: the record is [1,2]; expected a JSON object',
    ],
    [
      'a missing key',
      '{"type":"repository","name":"app"}',
      'line 2 of state.jsonl (repository "app"): seenAt is missing; expected an ISO 8601 time',
    ],
    [
      'an unknown key',
      `{"type":"repository","name":"app","seenAt":"${AT}","colour":"red"}`,
      'line 2 of state.jsonl (repository "app"): colour is "red"; expected no such key: a repository record has only type, name, seenAt',
    ],
    [
      'a time that is not ISO 8601',
      '{"type":"repository","name":"app","seenAt":"yesterday"}',
      'seenAt is "yesterday"; expected an ISO 8601 time such as "2026-01-05T10:00:00.000Z"',
    ],
  ])('refuses %s', async (_name, line, message) => {
    const error = await refusal(await withLine(2, line));
    expect(error.code).toBe('STATE_EXPORT_INVALID');
    expect(error.message).toContain(message);
  });

  it('refuses a job that names another run, or a unit of no kind', async () => {
    const run = JSON.parse((await exportText()).split('\n')[4]!);
    run.jobs[0].runId = 'run-2';
    expect((await refusal(await withLine(5, JSON.stringify(run)))).message).toContain(
      'jobs[0].runId is "run-2"; expected "run-1", the id of its run',
    );
    run.jobs[0].runId = 'run-1';
    run.unit = 'app';
    expect((await refusal(await withLine(5, JSON.stringify(run)))).message).toContain(
      'unit is "app"; expected "group:<name>" or "repository:<name>"',
    );
  });

  it('refuses a newer format version with its own code, and anything that is not a state export', async () => {
    const newer = await refusal(
      await withLine(1, `{"format":"sentry-git-state","version":${STATE_EXPORT_VERSION + 1},"store":"x"}`),
    );
    expect(newer.code).toBe('STATE_EXPORT_TOO_NEW');
    expect(newer.message).toContain(
      `state.jsonl is a state export of format version ${STATE_EXPORT_VERSION + 1}; this sentry-git reads version ${STATE_EXPORT_VERSION} and older`,
    );
    const other = await refusal('{"name":"app","version":"1.0.0"}\n');
    expect(other.message).toContain('line 1 of state.jsonl: format is missing; expected "sentry-git-state"');
    const version = await refusal('{"format":"sentry-git-state","version":"1"}\n');
    expect(version.message).toContain('version is "1"; expected a whole number ≥ 1');
    const empty = await refusal('\n\n');
    expect(empty.message).toContain('state.jsonl: it is empty; expected a state export');
  });

  it('refuses a file cut short, one with a line removed or added, and lines after the end', async () => {
    const text = await exportText();
    const cut = await refusal(text.split('\n').slice(0, 4).join('\n'));
    expect(cut.code).toBe('STATE_EXPORT_INVALID');
    expect(cut.message).toContain('state.jsonl: it ends after line 4 without the end line');
    expect(cut.message).toContain('set -o pipefail');
    const removed = await refusal(await withLine(3, null));
    expect(removed.message).toContain(
      'line 5 of state.jsonl: heads is 1; expected 0, the heads the lines before it hold',
    );
    const after = await refusal(`${text}{"type":"repository","name":"late","seenAt":"${AT}"}\n`);
    expect(after.message).toContain('line 7 of state.jsonl: a line follows the end line (line 6)');
  });

  it('refuses what no store holds twice: a repository, a head, a run or job id', async () => {
    const lines = (await exportText()).split('\n');
    const twice = (n: number) => [...lines.slice(0, n), lines[n - 1]!, ...lines.slice(n)].join('\n');
    expect((await refusal(twice(2))).message).toContain(
      'line 3 of state.jsonl (repository "app"): name is "app"; expected each repository once',
    );
    expect((await refusal(twice(3))).message).toContain(
      'line 4 of state.jsonl (head of app main): branch is "main"; expected one head per repository branch',
    );
    expect((await refusal(twice(5))).message).toContain(
      'line 6 of state.jsonl (run "run-1"): id is "run-1"; expected each run id once',
    );
  });

  it('refuses a pause of a unit twice', async () => {
    const pause = `{"type":"pause","unit":"group:web","by":"alice","at":"${AT}","reason":null}`;
    const lines = (await exportText()).split('\n');
    const text = [lines[0], pause, pause, ...lines.slice(1)].join('\n');
    expect((await refusal(text)).message).toContain(
      'line 3 of state.jsonl (pause of group:web): unit is "group:web"; expected one pause per unit once',
    );
  });
});

describe('the state export file: pauses and the operator’s requests (version 2)', () => {
  const PAUSED: StateRecord = { type: 'pause', reason: 'freeze', at: AT, by: 'alice', unit: 'group:web' };
  const CANCELLED = {
    ...(RECORDS[3] as Extract<StateRecord, { type: 'run' }>),
    status: 'cancelled' as const,
    // Keys in another order than the format's.
    cancelRequest: { reason: null, at: AT, by: 'bob@ops' },
  };

  it('writes a pause record and a run’s requestedBy and cancelRequest with their keys in the format’s order', async () => {
    const lines = (await exportText([PAUSED, CANCELLED])).split('\n');
    expect(lines[1]).toBe(`{"type":"pause","unit":"group:web","by":"alice","at":"${AT}","reason":"freeze"}`);
    expect(lines[2]).toContain(
      `"attempts":0,"requestedBy":"alice@laptop","cancelRequest":{"by":"bob@ops","at":"${AT}","reason":null},"jobs":[`,
    );
    expect(lines[3]).toBe(
      '{"type":"end","repositories":0,"heads":0,"pollHealth":0,"pauses":1,"runs":1,"jobs":1}',
    );
    await expect(read(lines.join('\n'))).resolves.toEqual([PAUSED, CANCELLED]);
  });

  it('reads an export of version 1: its runs were asked for and cancelled by nobody, it has no pauses', async () => {
    const run = JSON.parse((await exportText()).split('\n')[4]!);
    delete run.requestedBy;
    delete run.cancelRequest;
    const v1 = [
      `{"format":"sentry-git-state","version":1,"store":"sqlite","exportedAt":"${AT}"}`,
      JSON.stringify(run),
      '{"type":"end","repositories":0,"heads":0,"pollHealth":0,"runs":1,"jobs":1}',
    ];
    await expect(read(v1.join('\n'))).resolves.toEqual([
      { ...RECORDS[3], requestedBy: null, cancelRequest: null },
    ]);
    const paused = [v1[0]!, JSON.stringify(PAUSED), ...v1.slice(1)].join('\n');
    expect((await refusal(paused)).message).toContain(
      'line 2 of state.jsonl: type is "pause"; expected no pause record in an export of version 1',
    );
    const counted = [...v1.slice(0, 2), v1[2]!.replace('"runs"', '"pauses":0,"runs"')].join('\n');
    expect((await refusal(counted)).message).toContain(
      'pauses is 0; expected no such key: the end line has only type, repositories, heads, pollHealth, runs, jobs',
    );
    // Version 2 needs the new keys.
    const v2 = [
      v1[0]!.replace('"version":1', '"version":2'),
      v1[1]!,
      v1[2]!.replace('"runs"', '"pauses":0,"runs"'),
    ];
    expect((await refusal(v2.join('\n'))).message).toContain(
      'line 2 of state.jsonl (run "run-1"): requestedBy is missing; expected a non-empty string or null',
    );
  });

  it('names the key of a cancel request that is wrong', async () => {
    const line = (cancelRequest: unknown) => JSON.stringify({ ...CANCELLED, cancelRequest });
    const text = async (cancelRequest: unknown) => withLine(5, line(cancelRequest));
    expect((await refusal(await text({ by: '', at: AT, reason: null }))).message).toContain(
      'line 5 of state.jsonl (run "run-1"): cancelRequest.by is ""; expected a non-empty string',
    );
    expect((await refusal(await text({ by: 'bob', at: AT, reason: null, extra: 1 }))).message).toContain(
      'cancelRequest.extra is 1; expected no such key: a cancel request has only by, at, reason',
    );
    expect((await refusal(await text('bob'))).message).toContain(
      'cancelRequest is "bob"; expected an object with "by", "at" and "reason" or null',
    );
  });
});
