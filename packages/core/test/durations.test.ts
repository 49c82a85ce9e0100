import { readFileSync } from 'node:fs';
import path from 'node:path';
import { gitdir } from '@sentry-git/test-utils';
import { describe, expect, it, onTestFinished, vi } from 'vitest';
import { signalWithDeadline } from '../src/abort.js';
import { createSentry, validateConfig } from '../src/index.js';
import {
  abortableDelay,
  MAX_DURATION_SECONDS,
  MAX_TIMER_MS,
  timeoutSignal,
  timerDelay,
  translateSimpleSentry,
} from '../src/internal.js';
import { issuesIfAny } from './config-issues.js';
import { testPlugin } from './notify-helpers.js';

const MAX = MAX_DURATION_SECONDS;
const realSetTimeout = globalThis.setTimeout;

/** A valid config with `value` written at `keys` (created along the way). */
function withValue(keys: Array<string | number>, value: number): Record<string, unknown> {
  const config: Record<string, unknown> = {
    groups: { g: {} },
    repositories: [
      {
        name: 'app',
        group: 'g',
        monitor: { repo_url: '/tmp/app.git', branches: ['main'] },
        deploy: { commands: ['true'] },
      },
    ],
  };
  let node: Record<string | number, unknown> = config;
  keys.slice(0, -1).forEach((key) => {
    node[key] ??= {};
    node = node[key] as Record<string | number, unknown>;
  });
  node[keys.at(-1)!] = value;
  return config;
}

const DURATION_KEYS: Array<Array<string | number>> = [
  ['polling_interval'],
  ['repositories', 0, 'monitor', 'polling_interval'],
  ['repositories', 0, 'monitor', 'max_polling_interval'],
  ['global', 'max_polling_interval'],
  ['global', 'timeout'],
  ['global', 'shutdown_grace'],
  ['global', 'poll_timeout'],
  ['groups', 'g', 'global_timeout'],
  ['repositories', 0, 'deploy', 'timeout'],
  ['notifications', 'timeout'],
  ['repositories', 0, 'deploy', 'tekton', 'follow_timeout'],
  ['repositories', 0, 'deploy', 'tekton', 'poll_interval'],
];

function keyPath(keys: Array<string | number>): string {
  return keys
    .map((key, index) => (typeof key === 'number' ? `[${key}]` : index === 0 ? key : `.${key}`))
    .join('');
}

describe('durations are bounded by what Node timers can wait', () => {
  it('the bound fits in a timer', () => {
    expect(MAX).toBe(2_073_600);
    expect(MAX * 1000).toBeLessThanOrEqual(MAX_TIMER_MS);
  });

  it.each(DURATION_KEYS.map((keys) => [keyPath(keys), keys] as const))(
    '%s: the maximum is accepted, one second more is refused naming the key and the maximum',
    (at, keys) => {
      expect(issuesIfAny(() => validateConfig(withValue(keys, MAX)))).toEqual([]);
      expect(issuesIfAny(() => validateConfig(withValue(keys, `${MAX}` as unknown as number)))).toEqual([]);
      const issues = issuesIfAny(() => validateConfig(withValue(keys, MAX + 1)));
      expect(issues).toEqual([
        {
          path: at,
          message: expect.stringMatching(
            /must be at most 2073600 seconds \(24 days\): Node\.js timers cannot wait longer \(got the number 2073601\)\. Fix: /,
          ),
        },
      ]);
      // The value from the issue: polling_interval: 3000000 (over 2^31 ms).
      expect(issuesIfAny(() => validateConfig(withValue(keys, 3_000_000)))[0]?.path).toBe(at);
    },
  );

  it.each(['polling_interval', 'timeout'])('the simplified Sentry format bounds %s too', (key) => {
    const simple = (value: number) => ({
      target_repo: { url: 'https://github.com/example/a', branches: 'main', type: 'github' },
      qa_repo: { url: 'https://gitlab.example.com/example/qa', type: 'gitlab' },
      [key]: value,
    });
    expect(translateSimpleSentry(simple(MAX)).ok).toBe(true);
    const refused = translateSimpleSentry(simple(MAX + 1));
    expect(refused.ok).toBe(false);
    if (!refused.ok) {
      expect(refused.issues).toEqual([
        { path: key, message: expect.stringContaining('must be at most 2073600 seconds') },
      ]);
    }
  });

  it('the generated reference and JSON Schema show the maximum', () => {
    const docs = path.resolve(__dirname, '../../../docs');
    const reference = readFileSync(path.join(docs, 'reference/configuration.md'), 'utf8');
    expect(reference).toMatch(/\| `polling_interval` \| number \| `60` \| > 0, ≤ 2073600 \|/);
    expect(reference).toMatch(/\| `global.shutdown_grace` \| number \| `30` \| 0–2073600 \|/);
    expect(reference).toMatch(
      /`repositories\[\]\.deploy\.tekton\.poll_interval` \| number \| `5` \| > 0, ≤ 2073600 \|/,
    );
    const schema = readFileSync(path.join(docs, 'schema/config.schema.json'), 'utf8');
    expect(schema).toContain('"maximum": 2073600');
  });
});

describe('computed delays are clamped to what timers can wait', () => {
  it('timerDelay keeps delays within 0 and 2^31 - 1 ms', () => {
    expect(timerDelay(2 ** 31)).toBe(MAX_TIMER_MS);
    expect(timerDelay(Number.POSITIVE_INFINITY)).toBe(MAX_TIMER_MS);
    expect(timerDelay(1500)).toBe(1500);
    expect(timerDelay(-5)).toBe(0);
    expect(timerDelay(Number.NaN)).toBe(0);
  });

  it('long timeouts and delays neither throw nor fire at once', async () => {
    const setTimeoutSpy = vi.spyOn(globalThis, 'setTimeout');
    onTestFinished(() => setTimeoutSpy.mockRestore());
    // AbortSignal.timeout throws a RangeError past 2^32 - 1 ms.
    expect(() => timeoutSignal(2 ** 33)).not.toThrow();
    const deadline = signalWithDeadline(new AbortController().signal, 2 ** 32, 'too long');
    onTestFinished(() => deadline.clear());
    const stop = new AbortController();
    const delay = abortableDelay(3 * 2 ** 31, stop.signal).catch(() => 'stopped');
    const delays = setTimeoutSpy.mock.calls.map((call) => call[1]);
    expect(delays).toEqual([MAX_TIMER_MS, MAX_TIMER_MS]);
    stop.abort();
    expect(await delay).toBe('stopped');
    expect(deadline.signal.aborted).toBe(false);
  });

  // 24 days is in range; jitter (here +49 %) makes the due time 35.7 days away, past what
  // setTimeout can wait: unclamped, the timer fires after 1 ms and the scheduler spins.
  it('the scheduler waits at most 2^31 - 1 ms for a due time further away', async () => {
    const random = vi.spyOn(Math, 'random').mockReturnValue(0.99);
    const setTimeoutSpy = vi.spyOn(globalThis, 'setTimeout');
    onTestFinished(() => {
      random.mockRestore();
      setTimeoutSpy.mockRestore();
    });
    const fixture = await gitdir();
    await fixture.commit('main');
    const sentry = await createSentry({
      config: {
        polling_interval: MAX,
        global: { jitter: 0.5 },
        state: { driver: 'memory' },
        repositories: [
          {
            name: 'alpha',
            monitor: { repo_url: fixture.url, repo_type: 'git', branches: ['main'] },
            deploy: { executor: 'test' },
          },
        ],
      },
      plugins: [testPlugin()],
      env: {},
    });
    onTestFinished(() => sentry.close({ graceMs: 0 }));
    // The first cycle polls at once; the delay it then sets is the one under test.
    const longWait = new Promise<number>((resolve) => {
      setTimeoutSpy.mockImplementation(((callback: () => void, ms?: number) => {
        if ((ms ?? 0) > 1_000_000_000) resolve(ms!);
        return realSetTimeout(callback, ms);
      }) as typeof setTimeout);
    });
    await sentry.start();
    expect(await longWait).toBe(MAX_TIMER_MS);
  });
});
