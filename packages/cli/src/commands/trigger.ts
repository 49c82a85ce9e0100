import { Args, Flags } from '@oclif/core';
import type { RunRecord } from '@sentry-git/core';
import { cliActor } from '../actor.js';
import { SentryCommand } from '../base.js';
import { connect } from '../connect.js';
import { describeRun } from '../format.js';
import { queueAndWait } from '../progress/queue.js';

export default class Trigger extends SentryCommand {
  static override description =
    'Deploy now at the last known heads (read fresh where none are known): every group and standalone repository, or the named repositories, or one group. Shows the jobs as they start and end, and exits 1 when any job failed.';

  static override strict = false;
  static override args = {
    names: Args.string({ description: 'Repository names (default: all).', required: false }),
  };
  static override examples = [
    '<%= config.bin %> trigger',
    '<%= config.bin %> trigger rag-service',
    '<%= config.bin %> trigger --group ai-blueprints',
  ];

  static override flags = {
    group: Flags.string({ char: 'g', description: 'Only this group.' }),
    json: Flags.boolean({ description: 'Print the finished runs as JSON.' }),
    'no-wait': Flags.boolean({
      description: 'Return once the runs are queued (needs a running watch with a server).',
    }),
  };

  async run(): Promise<void> {
    const { flags, argv } = await this.parse(Trigger);
    const connection = await connect(flags.config);
    this.secrets = connection.loaded.secrets;
    const repositories = argv as string[];
    const { runs } = await queueAndWait(connection, {
      command: 'trigger',
      doing: 'triggering',
      wait: !flags['no-wait'],
      logLevel: flags['log-level'],
      async remote(client) {
        const body = {
          ...(repositories.length > 0 ? { repositories } : {}),
          ...(flags.group ? { group: flags.group } : {}),
        };
        // The answer names the runs (id, unit, status); their jobs are read from the run.
        const { runs: queued } = await client.json<{ runs: Array<{ id: string }> }>(
          'trigger',
          'POST',
          '/api/v1/trigger',
          body,
        );
        const ids = [...new Set(queued.map((run) => run.id))];
        return Promise.all(
          ids.map((id) => client.json<RunRecord>('run', 'GET', `/api/v1/runs/${encodeURIComponent(id)}`)),
        );
      },
      local: (sentry) =>
        sentry.trigger({ repositories, ...(flags.group ? { group: flags.group } : {}), by: cliActor() }),
    });
    if (flags.json) this.log(JSON.stringify(runs, null, 2));
    else if (runs.length === 0) this.log('Nothing to deploy: no branch matches the watched patterns.');
    else for (const run of runs) this.log(describeRun(run));
    if (!flags['no-wait'] && runs.some((run) => run.status !== 'succeeded')) this.exit(1);
  }
}
