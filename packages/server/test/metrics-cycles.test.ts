import { createRedactor, validateConfig } from '@sentry-git/core';
import { createEventBus, createRegistry } from '@sentry-git/core/internal';
import { describe, expect, it } from 'vitest';
import { createMetrics } from '../src/metrics.js';
import { attachMetrics } from '../src/metrics-subscriber.js';

describe('metrics of overlapping poll cycles', () => {
  it('a webhook’s cycle inside a scheduled one leaves the scheduled cycle’s figures whole', async () => {
    const config = validateConfig({
      repositories: ['a', 'b', 'c'].map((name) => ({
        name,
        monitor: { repo_url: `https://git.example/${name}.git`, repo_type: 'git', branches: ['main'] },
        deploy: { commands: ['true'] },
      })),
    });
    const bus = createEventBus(createRedactor([]));
    const metrics = createMetrics({ defaultMetrics: false });
    const detach = attachMetrics({ bus, config, registry: createRegistry([]), metrics });
    const error = new Error('host down');
    const failure = { provider: 'git', error, consecutiveFailures: 1, nextPollAt: new Date().toISOString() };

    bus.emit('poll:start', { cycle: 1, repositories: ['a', 'b', 'c'] });
    bus.emit('poll:start', { cycle: 2, repositories: ['a'] });
    bus.emit('poll:finish', { cycle: 2, checked: 1, changed: 0, errors: 0, durationMs: 20 });
    bus.emit('poll:error', { cycle: 1, repository: 'b', ...failure });
    bus.emit('poll:finish', { cycle: 1, checked: 3, changed: 0, errors: 1, durationMs: 900 });
    detach();

    const polled = (await metrics.lastSuccessfulPoll.get()).values;
    const byRepository = new Map(polled.map((sample) => [sample.labels.repository, sample.value]));
    expect(byRepository.get('a')).toBeGreaterThan(0);
    expect(byRepository.get('c')).toBeGreaterThan(0);
    expect(byRepository.get('b') ?? 0).toBe(0);
    expect((await metrics.pollCycles.get()).values[0]?.value).toBe(2);
  });
});
