import { Args, Flags } from '@oclif/core';
import type { RunRecord } from '@sentry-git/core';
import { cliActor } from '../actor.js';
import { SentryCommand } from '../base.js';
import { connect } from '../connect.js';
import { describeRun } from '../format.js';
import { queueAndWait } from '../progress/queue.js';

export default class Rerun extends SentryCommand {
  static override description =
    'Run a finished run again: a new run (trigger "rerun") of the same unit with the same repositories, branches and commits. Shows the jobs as they start and end, and exits 1 when the new run did not succeed.';

  static override args = {
    run: Args.string({
      description: 'The id of a finished run (`sentry-git runs` lists them).',
      required: true,
    }),
  };
  static override examples = [
    '<%= config.bin %> rerun run_0mwsav719622732122a',
    '<%= config.bin %> rerun run_0mwsav719622732122a --no-wait',
  ];

  static override flags = {
    json: Flags.boolean({ description: 'Print the new run as JSON.' }),
    'no-wait': Flags.boolean({
      description: 'Return once the run is queued (needs a running watch with a server).',
    }),
  };

  async run(): Promise<void> {
    const { flags, args } = await this.parse(Rerun);
    const connection = await connect(flags.config);
    this.secrets = connection.loaded.secrets;
    const { runs } = await queueAndWait(connection, {
      command: 'rerun',
      doing: 're-running',
      wait: !flags['no-wait'],
      logLevel: flags['log-level'],
      async remote(client) {
        const path = `/api/v1/runs/${encodeURIComponent(args.run)}/rerun`;
        const { run } = await client.json<{ run: RunRecord }>('rerun', 'POST', path);
        return [run];
      },
      local: async (sentry) => [await sentry.rerun(args.run, { by: cliActor() })],
    });
    const run = runs[0]!;
    if (flags.json) this.log(JSON.stringify(run, null, 2));
    else this.log(describeRun(run));
    if (!flags['no-wait'] && run.status !== 'succeeded') this.exit(1);
  }
}
