import { describe, expect, it } from 'vitest';
import { noticeOf } from '../src/engine/shared-notices.js';
import type { RunRecord } from '../src/index.js';
import { decodeNotice, encodeNotice, MAX_NOTICE_BYTES } from '../src/internal.js';

/** PostgreSQL refuses a NOTIFY payload of 8000 bytes or more. */
const NOTIFY_LIMIT = 8000;

const at = '2026-12-07T16:00:00.000Z';

function run(output: string): RunRecord {
  return {
    id: 'run_1',
    unit: 'repository:app',
    trigger: 'poll',
    status: 'succeeded',
    createdAt: at,
    startedAt: at,
    finishedAt: at,
    error: null,
    attempts: 0,
    requestedBy: null,
    cancelRequest: null,
    jobs: [
      {
        id: 'job_1',
        runId: 'run_1',
        position: 0,
        repository: 'app',
        branch: 'main',
        sha: 'a'.repeat(40),
        previousSha: null,
        status: 'succeeded',
        exitCode: 0,
        startedAt: at,
        finishedAt: at,
        durationMs: 5,
        output,
        error: null,
        attempt: 1,
        handle: null,
      },
    ],
  };
}

describe('replica notices', () => {
  it('stay under the NOTIFY limit: long strings are cut, long lists shortened', () => {
    const notice = noticeOf(
      'action',
      {
        action: 'resume',
        by: 'b'.repeat(100_000),
        at,
        target: 'group:web',
        reason: `${'é'.repeat(1_000_000)}`,
        runs: Array.from({ length: 10_000 }, (_, index) => `run_${String(index).padStart(20, '0')}`),
      },
      'r'.repeat(10_000),
    );
    const text = encodeNotice(notice);
    expect(text).toBeDefined();
    expect(Buffer.byteLength(text!)).toBeLessThan(MAX_NOTICE_BYTES);
    expect(MAX_NOTICE_BYTES).toBeLessThan(NOTIFY_LIMIT);
    const back = decodeNotice(text!)!;
    const fields = back.fields ?? {};
    expect(back.event).toBe('action');
    expect(fields.target).toBe('group:web');
    expect((fields.reason as string).length).toBe(500);
    expect((fields.reason as string).endsWith('…')).toBe(true);
    expect(fields.runs).toHaveLength(64);
    expect((fields.runs as string[])[0]).toBe(`run_${'0'.repeat(20)}`);
  });

  it('never carry a job’s output: ids only', () => {
    const big = run('x'.repeat(64 * 1024));
    const notice = noticeOf(
      'job:finish',
      {
        run: big,
        job: big.jobs[0]!,
        result: { ...big.jobs[0]!, status: 'succeeded', startedAt: at, finishedAt: at, durationMs: 5 },
      },
      'b',
    );
    expect(notice).toEqual({
      event: 'job:finish',
      replica: 'b',
      run: 'run_1',
      job: 'job_1',
      repository: 'app',
      branch: 'main',
    });
    expect(Buffer.byteLength(encodeNotice(notice)!)).toBeLessThan(200);
    expect(noticeOf('run:finish', { run: big }, 'b')).toEqual({
      event: 'run:finish',
      replica: 'b',
      run: 'run_1',
    });
  });

  it('that no cutting brings under the limit are not sent', () => {
    const fields = Object.fromEntries(
      Array.from({ length: 40 }, (_, index) => [`f${index}`, 'v'.repeat(400)]),
    );
    expect(encodeNotice({ event: 'change', replica: 'b', fields })).toBeUndefined();
  });

  it('from another program on the channel are ignored', () => {
    expect(decodeNotice('hello')).toBeUndefined();
    expect(decodeNotice('{"event":"job:output","replica":"b"}')).toBeUndefined();
    expect(decodeNotice('{"event":"run:start"}')).toBeUndefined();
    expect(decodeNotice('{"event":"run:start","replica":"b","run":"run_1"}')).toEqual({
      event: 'run:start',
      replica: 'b',
      run: 'run_1',
    });
  });
});
