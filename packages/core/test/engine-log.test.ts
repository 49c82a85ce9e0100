import { describe, expect, it, onTestFinished } from 'vitest';
import {
  abortMessage,
  createLogger,
  createRedactor,
  createSentry,
  definePlugin,
  type JobResult,
  outcomeOfAbort,
  type SentryConfigInput,
  type SentryEvents,
} from '../src/index.js';
import { memoryProvider } from './memory-plugin.js';

const SHA = (digit: string) => digit.repeat(40);

interface LogLine {
  level: number;
  msg: string;
  [field: string]: unknown;
}

/** A pino logger (the one library users get from createLogger) whose lines land in an array. */
function capturedLogger() {
  const lines: LogLine[] = [];
  const logger = createLogger({
    level: 'debug',
    redactor: createRedactor([]),
    destination: { write: (line: string) => lines.push(JSON.parse(line) as LogLine) },
  });
  return { logger, lines };
}

/**
 * Branches per repository in memory, and an executor that prints, says it started, and waits
 * for its signal (a stop cancels it).
 */
function testPlugin(branches: Map<string, Record<string, string>>) {
  const started: Array<() => void> = [];
  const plugin = definePlugin({
    name: 'engine-log-test',
    providers: [
      memoryProvider(async (target) => {
        const heads = branches.get(target.repository) ?? {};
        return { heads: Object.entries(heads).map(([branch, sha]) => ({ branch, sha })) };
      }),
    ],
    executors: [
      {
        id: 'wait',
        capabilities: { reattach: false },
        async execute(job, context): Promise<JobResult> {
          const startedAt = new Date().toISOString();
          context.output('stdout', `${job.repository} line 1\n${job.repository} line 2\n`);
          for (const resolve of started.splice(0)) resolve();
          await new Promise<void>((resolve) => {
            if (context.signal.aborted) resolve();
            else context.signal.addEventListener('abort', () => resolve(), { once: true });
          });
          const finishedAt = new Date().toISOString();
          return {
            status: outcomeOfAbort(context.signal),
            exitCode: null,
            startedAt,
            finishedAt,
            durationMs: 0,
            output: '',
            error: abortMessage(context.signal),
          };
        },
      },
    ],
  });
  return {
    plugin,
    /** Resolves when the next job has started and printed. */
    nextStart: () => new Promise<void>((resolve) => started.push(resolve)),
  };
}

async function engine(
  branches: Map<string, Record<string, string>>,
  config: Partial<SentryConfigInput> = {},
) {
  const { plugin, nextStart } = testPlugin(branches);
  const { logger, lines } = capturedLogger();
  const sentry = await createSentry({
    config: {
      polling_interval: 3600,
      state: { driver: 'memory' },
      repositories: [...branches.keys()].map((name) => ({
        name,
        monitor: {
          repo_url: `https://forge.invalid/${name}.git`,
          repo_type: 'memory-forge',
          branches: ['.*'],
        },
        deploy: { executor: 'wait' },
      })),
      ...config,
    },
    plugins: [plugin],
    logger,
    env: {},
  });
  onTestFinished(() => sentry.close({ graceMs: 0 }));
  return { sentry, lines, nextStart };
}

describe('engine log lines', () => {
  it('log each baseline at info with its branches, sorted, and the event carries them', async () => {
    const many = Object.fromEntries(
      Array.from({ length: 12 }, (_, i) => [`b${String(i).padStart(2, '0')}`, SHA('c')]),
    );
    const branches = new Map([
      ['app', { main: SHA('a'), dev: SHA('b') }],
      ['empty', {}],
      ['big', many],
    ]);
    const { sentry, lines } = await engine(branches);
    const events: Array<SentryEvents['baseline']> = [];
    sentry.on('baseline', (payload) => events.push(payload));

    await sentry.pollOnce();
    const baselines = lines.filter((line) => line.msg.includes('baseline recorded'));
    expect(baselines.map((line) => [line.level, line.msg])).toEqual([
      [30, 'app: baseline recorded, 2 branches: dev@bbbbbbbb, main@aaaaaaaa'],
      [30, 'empty: baseline recorded, no matching branch yet'],
      [
        30,
        'big: baseline recorded, 12 branches: b00@cccccccc, b01@cccccccc, b02@cccccccc, b03@cccccccc, b04@cccccccc, b05@cccccccc, b06@cccccccc, b07@cccccccc, b08@cccccccc, b09@cccccccc and 2 more',
      ],
    ]);
    expect(baselines[0]).toMatchObject({ repository: 'app', branches: 2, deploy: false });
    expect(events[0]).toEqual({
      repository: 'app',
      group: null,
      heads: [
        { branch: 'dev', sha: SHA('b') },
        { branch: 'main', sha: SHA('a') },
      ],
      deploy: false,
    });

    // Only the first sighting is a baseline.
    branches.set('app', { main: SHA('d'), dev: SHA('b') });
    const before = lines.length;
    const second = await sentry.pollOnce();
    expect(lines.slice(before).filter((line) => line.msg.includes('baseline'))).toEqual([]);
    expect(events).toHaveLength(3);
    await sentry.stop({ graceMs: 0 });
    expect(second.runs).toHaveLength(1);
  });

  it('say when the baseline is deployed (deploy_on_first_sight)', async () => {
    const { sentry, lines } = await engine(new Map([['app', { main: SHA('a') }]]), {
      global: { deploy_on_first_sight: true },
    });
    await sentry.pollOnce();
    expect(lines.map((line) => line.msg)).toContain(
      'app: baseline recorded, 1 branch: main@aaaaaaaa (deploying them: global.deploy_on_first_sight)',
    );
  });

  it('log job output with the repository and branch', async () => {
    const { sentry, lines, nextStart } = await engine(new Map([['app', { main: SHA('a') }]]), {
      global: { deploy_on_first_sight: true },
    });
    const started = nextStart();
    await sentry.pollOnce();
    await started;
    expect(lines.find((line) => line.stream === 'stdout')).toMatchObject({
      repository: 'app',
      branch: 'main',
      msg: 'app line 1\napp line 2',
    });
  });

  it('a stop without grace says how many running jobs it cancels, not "0 s grace period"', async () => {
    const { sentry, lines, nextStart } = await engine(
      new Map([
        ['a', { main: SHA('a') }],
        ['b', { main: SHA('b') }],
      ]),
      { global: { deploy_on_first_sight: true, shutdown_grace: 600 } },
    );
    const bothStarted = Promise.all([nextStart(), nextStart()]);
    const { runs } = await sentry.pollOnce();
    await bothStarted;

    const graceful = sentry.stop();
    await sentry.stop({ graceMs: 0, reason: 'second SIGTERM' });
    await graceful;

    const warnings = lines.filter((line) => line.level === 40).map((line) => line.msg);
    expect(warnings).toContain('second SIGTERM: cancelling 2 running jobs now');
    expect(warnings.join('\n')).not.toContain('0 s grace');
    const finished = await sentry.waitForRuns(runs.map((run) => run.id));
    for (const run of finished) {
      expect(run.status).toBe('cancelled');
      expect(run.error).toBe(
        'sentry-git stopped (second SIGTERM): running jobs were cancelled without a grace period',
      );
    }
  });

  it('a grace period that runs out says so, with its length', async () => {
    const { sentry, lines, nextStart } = await engine(new Map([['a', { main: SHA('a') }]]), {
      global: { deploy_on_first_sight: true },
    });
    const started = nextStart();
    const { runs } = await sentry.pollOnce();
    await started;
    await sentry.stop({ graceMs: 50 });
    expect(lines.filter((line) => line.level === 40).map((line) => line.msg)).toContain(
      'grace period of 0.05 s over: cancelling 1 running job now',
    );
    const [run] = await sentry.waitForRuns(runs.map((r) => r.id));
    expect(run!.error).toBe(
      'sentry-git stopped: jobs still running after the 0.05 s grace period were cancelled',
    );
  });

  it('shutdown_grace 0 says there was no grace period', async () => {
    const { sentry, lines, nextStart } = await engine(new Map([['a', { main: SHA('a') }]]), {
      global: { deploy_on_first_sight: true, shutdown_grace: 0 },
    });
    const started = nextStart();
    const { runs } = await sentry.pollOnce();
    await started;
    await sentry.stop();
    expect(lines.filter((line) => line.level === 40).map((line) => line.msg)).toContain(
      'stopping without a grace period: cancelling 1 running job now',
    );
    const [run] = await sentry.waitForRuns(runs.map((r) => r.id));
    expect(run!.error).toBe('sentry-git stopped: running jobs were cancelled without a grace period');
  });
});
