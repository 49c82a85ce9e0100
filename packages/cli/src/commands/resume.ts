import { Args, Flags } from '@oclif/core';
import type { RunRecord, UnitKey } from '@sentry-git/core';
import { cliActor } from '../actor.js';
import { SentryCommand } from '../base.js';
import { connect, onServerOrEngine } from '../connect.js';
import { describeRun } from '../format.js';
import { pauseTarget, targetBody } from '../pause-target.js';
import { engineEvents } from '../progress/events.js';
import { waitOnEngine } from '../progress/queue.js';
import { createProgressView } from '../progress/view.js';

/** What `resume` did, as the server answers it. */
interface Resumed {
  unit: UnitKey;
  resumed: boolean;
  /** The runs that waited and start now. */
  queued: string[];
}

export default class Resume extends SentryCommand {
  static override description =
    'Resume a paused repository or group: the runs that waited start (one run at the latest heads where changes merged). Through a running watch it returns at once; without one, this process runs them and shows their jobs until they end.';

  static override args = {
    repository: Args.string({ description: 'A repository without a group.', required: false }),
  };
  static override examples = [
    '<%= config.bin %> resume standalone-service',
    '<%= config.bin %> resume --group ai-blueprints',
  ];

  static override flags = {
    group: Flags.string({ char: 'g', description: 'Resume this group.' }),
    json: Flags.boolean({ description: 'Print { unit, resumed, queued } as JSON (queued: run ids).' }),
  };

  async run(): Promise<void> {
    const { flags, args } = await this.parse(Resume);
    const target = pauseTarget('resume', args.repository, flags.group);
    const connection = await connect(flags.config);
    this.secrets = connection.loaded.secrets;
    const tty = process.stderr.isTTY === true;
    const view = createProgressView(process.stderr, { tty });
    let finished: RunRecord[] = [];
    let result: Resumed;
    try {
      result = await onServerOrEngine(
        connection,
        { command: 'resume', logLevel: flags['log-level'], ...(tty ? { logSink: view.write } : {}) },
        {
          remote: (client) => client.json<Resumed>('resume', 'POST', '/api/v1/resume', targetBody(target)),
          // This process's engine starts the runs that waited: it stays until they end.
          async local(sentry) {
            const source = engineEvents(sentry);
            try {
              const resumed = await sentry.resume(target, { by: cliActor() });
              if (resumed.queued.length > 0)
                finished = await waitOnEngine(sentry, source, resumed.queued, view);
              return { ...resumed, queued: resumed.queued.map((run) => run.id) };
            } finally {
              source.close();
            }
          },
        },
      );
    } finally {
      view.close();
    }
    if (flags.json) this.log(JSON.stringify(result, null, 2));
    else if (!result.resumed) this.log(`${result.unit} was not paused: nothing to resume.`);
    else if (result.queued.length === 0) this.log(`Resumed ${result.unit}: no run was waiting.`);
    else {
      this.log(
        `Resumed ${result.unit}: ${result.queued.join(', ')} ${finished.length > 0 ? 'ran' : 'start now'}.`,
      );
      for (const run of finished) this.log(describeRun(run));
    }
    if (finished.some((run) => run.status !== 'succeeded')) this.exit(1);
  }
}
