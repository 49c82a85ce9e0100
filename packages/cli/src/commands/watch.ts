import { Flags } from '@oclif/core';
import type { SentryServer } from '@sentry-git/server';
import type { LevelWithSilent } from 'pino';
import { assemble } from '../assemble.js';
import { SentryCommand } from '../base.js';
import { chooseHeapFlags } from '../daemon-heap.js';
import { takeHeldSignals } from '../early-signals.js';
import { tallyRuns } from '../run-tally.js';
import { watchSummary } from '../watch-summary.js';

/**
 * The engine and the little `watch` needs from the loaded file. The loaded configuration is
 * not kept: the engine validates its own copy (`sentry.config`), and a second copy of every
 * repository's settings held for the life of the process cost about 1 KB per repository.
 */
async function assembleForWatch(flags: {
  config?: string | undefined;
  'log-level'?: LevelWithSilent | undefined;
  once?: boolean;
}) {
  const { sentry, loaded } = await assemble({
    configFile: flags.config,
    logLevel: flags['log-level'],
    owner: flags.once ? 'watch --once' : 'watch',
  });
  return { sentry, configDir: loaded.dir, secrets: loaded.secrets };
}

export default class Watch extends SentryCommand {
  static override description =
    'Poll the configured repositories and deploy when a watched branch moves. Runs until SIGINT/SIGTERM, then stops gracefully (running jobs get global.shutdown_grace seconds).';

  static override examples = [
    '<%= config.bin %> watch -c sentry.yaml',
    '<%= config.bin %> watch --once',
    '<%= config.bin %> watch --port 8080',
  ];

  static override flags = {
    once: Flags.boolean({
      description:
        'Poll once, wait for the runs it started, exit 0 when every repository was polled and every run succeeded, else 1.',
    }),
    port: Flags.integer({
      description:
        'Serve probes, metrics, the API and webhooks on this port (0: any free port); overrides server.port.',
      min: 0,
      max: 65535,
      exclusive: ['once'],
    }),
    host: Flags.string({
      description: 'Address the server binds to; overrides server.host (default 0.0.0.0).',
    }),
  };

  async run(): Promise<void> {
    const { flags } = await this.parse(Watch);
    const { sentry, configDir, secrets } = await assembleForWatch(flags);
    this.secrets = secrets;
    // bin/run.js chose (and set) these before anything was loaded; the same choice, for the log.
    const heap = chooseHeapFlags(process.argv.slice(2), {
      execArgv: process.execArgv,
      nodeOptions: process.env.NODE_OPTIONS,
    });
    sentry.logger.debug({ v8Flags: heap.flags, reason: heap.reason }, `heap settings: ${heap.reason}`);
    const runs = tallyRuns(sentry);

    let server: SentryServer | undefined;
    let signals = 0;
    const stopped = new Promise<void>((resolve) => {
      const onSignal = (signal: NodeJS.Signals) => {
        signals += 1;
        // A second signal means "now": cancel running jobs without waiting for the grace period
        // (the engine logs how many it cancels).
        const grace = sentry.config.global.shutdown_grace;
        if (signals === 1)
          sentry.logger.warn(
            { signal },
            grace > 0
              ? `${signal}: stopping (running jobs may finish within ${grace} s)`
              : `${signal}: stopping (global.shutdown_grace is 0: running jobs are cancelled)`,
          );
        // Stop accepting requests at once: a trigger or webhook arriving now must not start work.
        const closing = signals === 1 ? server?.close() : undefined;
        const stopping = sentry.stop(signals === 1 ? {} : { graceMs: 0, reason: `second ${signal}` });
        void Promise.all([closing, stopping]).then(() => resolve());
      };
      process.on('SIGINT', onSignal);
      process.on('SIGTERM', onSignal);
      // Signals that arrived while watch was loading (bin/run.js held them) stop it the same way.
      for (const signal of takeHeldSignals()) onSignal(signal);
    });

    try {
      const started = (url?: string) => {
        const summary = watchSummary({
          config: sentry.config,
          configDir,
          once: !!flags.once,
          url,
        });
        sentry.logger.info(summary.fields, summary.message);
      };
      if (flags.once) {
        // Stopped before it began (a signal during start-up): no poll, exit 1 as for any signal.
        if (signals === 0) started();
        const poll = signals > 0 ? { checked: 0, errors: 0 } : await sentry.pollOnce();
        await Promise.race([sentry.idle(), stopped]);
        await sentry.close();
        if (poll.errors > 0)
          this.logToStderr(
            `${poll.errors} of ${poll.checked} repositories could not be polled (see the log).`,
          );
        if (runs.failed > 0) this.logToStderr(`${runs.failed} of ${runs.finished} runs did not succeed.`);
        if (runs.failed > 0 || poll.errors > 0 || signals > 0) this.exit(1);
        return;
      }
      if (signals > 0) {
        await stopped;
        return;
      }
      await sentry.start();
      const port = flags.port ?? sentry.config.server.port;
      if (port !== undefined) {
        // Imported only when serving: fastify and prom-client are most of a second of start-up.
        const { createServer } = await import('@sentry-git/server');
        server = createServer(sentry, { logger: sentry.logger });
        const { url } = await server.listen({ port, host: flags.host ?? sentry.config.server.host });
        started(url);
      } else {
        started();
      }
      await stopped;
    } finally {
      await server?.close();
      // Idempotent: after a failure (e.g. ENGINE_LOCKED) it still closes the store and its lock.
      await sentry.close();
    }
  }
}
