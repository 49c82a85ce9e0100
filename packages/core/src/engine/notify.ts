import { randomUUID } from 'node:crypto';
import { ShutdownError } from '../abort.js';
import type { SentryConfig } from '../config/schema.js';
import { errorMessage } from '../errors.js';
import type { EventBus } from '../events.js';
import type { Logger } from '../interfaces/executor.js';
import { definePlugin, type SentryPlugin } from '../plugins/define.js';
import type { Redactor } from '../redact.js';
import { abortableDelay } from '../retry.js';
import { hmacSha256Hex } from '../signature.js';
import type { RunRecord } from '../types.js';
import { type DeliveryOutcome, deliver } from './notify-deliver.js';
import { type Receiver, receiversOf, runSummary } from './notify-summary.js';

export interface NotifierOptions {
  bus: EventBus;
  /** Reads `notifications` and each repository's `webhook_url`. */
  config: SentryConfig;
  redactor: Redactor;
  logger: Logger;
  /** @default globalThis.fetch */
  fetch?: typeof fetch;
}

export interface Notifier {
  /** Resolves when every delivery started so far has ended (delivered or given up). */
  flush(): Promise<void>;
  /**
   * Stops listening, gives deliveries in flight `graceMs` to end, then aborts the rest (each is
   * reported as `notification:failed`). Resolves once none is left.
   * @default graceMs 0
   */
  detach(options?: { graceMs?: number }): Promise<void>;
}

/**
 * `notifications` and `webhook_url`: on `run:finish`, POSTs a JSON summary of the run to every
 * receiver. A subscriber like any other: deliveries run detached from the engine, so a slow or
 * broken receiver never delays a deploy; a delivery that fails is logged and reported as
 * `notification:failed`.
 */
export function attachNotifier(options: NotifierOptions): Notifier {
  const { bus, config, redactor, logger } = options;
  const fetchImpl = options.fetch ?? globalThis.fetch;
  const settings = config.notifications;
  const closing = new AbortController();
  const pending = new Set<Promise<void>>();

  function report(run: RunRecord, receiver: Receiver, deliveryId: string, outcome: DeliveryOutcome): void {
    if (outcome.ok) {
      logger.debug(
        { runId: run.id, receiver: receiver.label, deliveryId, attempts: outcome.attempts },
        `notified ${receiver.label} of run ${run.id}`,
      );
      return;
    }
    const { attempts, status, error } = outcome;
    const code = (error as { code?: string }).code;
    logger.warn(
      { runId: run.id, receiver: receiver.label, deliveryId, attempts, status, code },
      redactor.redact(`notification of run ${run.id} failed after ${attempts} attempt(s): ${error.message}`),
    );
    bus.emit('notification:failed', {
      runId: run.id,
      receiver: receiver.label,
      deliveryId,
      attempts,
      status,
      error,
    });
  }

  function notify(run: RunRecord): void {
    const receivers = receiversOf(run, config);
    if (receivers.length === 0) return;
    const body = JSON.stringify(runSummary(run, redactor));
    const signature = settings.secret ? `sha256=${hmacSha256Hex(settings.secret, body)}` : undefined;
    for (const receiver of receivers) {
      const deliveryId = randomUUID();
      const delivery = deliver({
        url: receiver.url,
        label: receiver.label,
        body,
        headers: {
          'Content-Type': 'application/json',
          'User-Agent': 'sentry-git',
          'X-Sentry-Event': 'run.finished',
          'X-Sentry-Delivery': deliveryId,
          ...(signature ? { 'X-Sentry-Signature-256': signature } : {}),
        },
        timeoutMs: settings.timeout * 1000,
        maxRetries: settings.max_retries,
        signal: closing.signal,
        fetch: fetchImpl,
      })
        .then((outcome) => report(run, receiver, deliveryId, outcome))
        .catch((error: unknown) =>
          bus.emit('error', {
            error: error instanceof Error ? error : new Error(errorMessage(error)),
            context: `notifying ${receiver.label} of run ${run.id}`,
          }),
        )
        .finally(() => pending.delete(delivery));
      pending.add(delivery);
    }
  }

  async function flush(): Promise<void> {
    while (pending.size > 0) await Promise.allSettled([...pending]);
  }

  const off = bus.on('run:finish', ({ run }) => notify(run));

  return {
    flush,
    async detach({ graceMs = 0 } = {}) {
      off();
      if (pending.size > 0 && graceMs > 0) {
        const grace = new AbortController();
        await Promise.race([flush(), abortableDelay(graceMs, grace.signal).catch(() => {})]);
        grace.abort();
      }
      closing.abort(new ShutdownError('sentry-git closed before the summary was delivered'));
      await flush();
    },
  };
}

/**
 * The notifier as a plugin (the engine sets it up as a built-in): its close gives deliveries
 * still in flight one attempt's time (`notifications.timeout`) before they are abandoned.
 */
export function notifierPlugin(options: { fetch?: typeof fetch } = {}): SentryPlugin {
  return definePlugin({
    name: '@sentry-git/core:notifier',
    setup(host) {
      const { events: bus, config, redactor, logger } = host;
      const notifier = attachNotifier({ bus, config, redactor, logger, fetch: options.fetch });
      return { close: () => notifier.detach({ graceMs: config.notifications.timeout * 1000 }) };
    },
  });
}
