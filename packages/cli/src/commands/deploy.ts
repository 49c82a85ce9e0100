import { Args, Flags } from '@oclif/core';
import type { RunRecord } from '@sentry-git/core';
import { cliActor } from '../actor.js';
import { SentryCommand } from '../base.js';
import { connect } from '../connect.js';
import { describeRun } from '../format.js';
import { queueAndWait } from '../progress/queue.js';

export default class Deploy extends SentryCommand {
  static override description =
    'Deploy one branch of one repository at a chosen commit (a rollback, or a commit not polled yet): a run with trigger "deploy", of the repository’s group when it has one. Without --sha: the branch’s last known head. Shows the jobs as they start and end, and exits 1 when the run did not succeed.';

  static override args = {
    repository: Args.string({ description: 'A repository name from the configuration.', required: true }),
  };
  static override examples = [
    '<%= config.bin %> deploy rag-service --branch main --sha 90b19edfe3f9c8c9f4df2e4362b236f2db1ffaf6',
    '<%= config.bin %> deploy rag-service --branch main',
  ];

  static override flags = {
    branch: Flags.string({ char: 'b', description: 'A branch the repository watches.', required: true }),
    sha: Flags.string({
      description: 'The full commit SHA (40 or 64 hex digits). Default: the branch’s last known head.',
    }),
    json: Flags.boolean({ description: 'Print the run as JSON.' }),
    'no-wait': Flags.boolean({
      description: 'Return once the run is queued (needs a running watch with a server).',
    }),
  };

  async run(): Promise<void> {
    const { flags, args } = await this.parse(Deploy);
    const connection = await connect(flags.config);
    this.secrets = connection.loaded.secrets;
    const request = {
      repository: args.repository,
      branch: flags.branch,
      ...(flags.sha === undefined ? {} : { sha: flags.sha }),
    };
    const { runs } = await queueAndWait(connection, {
      command: 'deploy',
      doing: 'deploying',
      wait: !flags['no-wait'],
      logLevel: flags['log-level'],
      async remote(client) {
        const { run } = await client.json<{ run: RunRecord }>('deploy', 'POST', '/api/v1/deploy', request);
        return [run];
      },
      local: async (sentry) => [await sentry.deploy({ ...request, by: cliActor() })],
    });
    const run = runs[0]!;
    if (flags.json) this.log(JSON.stringify(run, null, 2));
    else this.log(describeRun(run));
    if (!flags['no-wait'] && run.status !== 'succeeded') this.exit(1);
  }
}
