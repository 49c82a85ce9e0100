import { describe, expect, it, onTestFinished } from 'vitest';
import {
  createLogger,
  createMemoryStateStore,
  createRedactor,
  createSentry,
  definePlugin,
  type StateStore,
} from '../src/index.js';

interface LogLine {
  level: number;
  msg: string;
  [field: string]: unknown;
}

const forge = definePlugin({
  name: 'empty-forge',
  providers: [
    {
      id: 'empty',
      capabilities: { changedFiles: false, commitStatus: false, webhooks: false },
      async listHeads() {
        return { heads: [] };
      },
    },
  ],
  executors: [
    {
      id: 'nothing',
      capabilities: { reattach: false },
      async execute() {
        throw new Error('nothing is pushed, so nothing deploys');
      },
    },
  ],
});

async function engine(stateStore?: StateStore) {
  const lines: LogLine[] = [];
  const logger = createLogger({
    level: 'debug',
    redactor: createRedactor([]),
    destination: { write: (line: string) => lines.push(JSON.parse(line) as LogLine) },
  });
  const sentry = await createSentry({
    config: {
      polling_interval: 3600,
      state: { driver: 'memory' },
      repositories: [
        {
          name: 'app',
          monitor: { repo_url: 'https://forge.invalid/app.git', repo_type: 'empty', branches: ['main'] },
          deploy: { executor: 'nothing' },
        },
      ],
    },
    plugins: [forge],
    ...(stateStore ? { stateStore } : {}),
    logger,
    logEvents: false,
    env: {},
  });
  onTestFinished(() => sentry.close({ graceMs: 0 }));
  const warnings = () => lines.filter((line) => line.level === 40);
  return { sentry, warnings };
}

describe('a state store that is not durable', () => {
  it('makes start() warn once that a restart baselines again, naming state.driver: sqlite', async () => {
    const { sentry, warnings } = await engine();
    await sentry.pollOnce();
    expect(warnings()).toEqual([]);
    await sentry.start();
    await sentry.start();
    expect(warnings()).toEqual([
      expect.objectContaining({
        stateStore: 'memory',
        msg: expect.stringMatching(
          /^state store "memory" is not durable: a restart forgets every head and the run history, so the first poll after it records a baseline again.*Fix: state\.driver: sqlite/,
        ),
      }),
    ]);
  });

  it('a durable store starts without it', async () => {
    const memory = createMemoryStateStore();
    const durable = new Proxy(memory, {
      get: (target, property, receiver) =>
        property === 'capabilities' ? { durable: true } : Reflect.get(target, property, receiver),
    });
    const { sentry, warnings } = await engine(durable);
    await sentry.start();
    expect(warnings()).toEqual([]);
  });
});
