import { Args, Flags } from '@oclif/core';
import type { DeployPlan } from '@sentry-git/core';
import { SentryCommand } from '../base.js';
import { connect, onServerOrEngine } from '../connect.js';
import { renderPlan } from '../plan-view.js';

export default class Plan extends SentryCommand {
  static override description =
    'A dry run: read every watched head now (or those of the named repositories) and show, per group or standalone repository, what a poll would deploy, what is queued already and what is paused. Records nothing and deploys nothing. Exits 1 when a repository could not be read.';

  static override strict = false;
  static override args = {
    names: Args.string({ description: 'Repository names (default: all).', required: false }),
  };
  static override examples = ['<%= config.bin %> plan', '<%= config.bin %> plan rag-service --json'];
  static override flags = { json: Flags.boolean({ description: 'Print the plan as JSON.' }) };

  async run(): Promise<void> {
    const { flags, argv } = await this.parse(Plan);
    const repositories = argv as string[];
    const connection = await connect(flags.config);
    this.secrets = connection.loaded.secrets;
    const plan = await onServerOrEngine(
      connection,
      { command: 'plan', logLevel: flags['log-level'] ?? 'warn' },
      {
        remote(client) {
          const query = new URLSearchParams(
            repositories.map((name): [string, string] => ['repository', name]),
          );
          const search = repositories.length > 0 ? `?${query.toString()}` : '';
          return client.json<DeployPlan>('plan', 'GET', `/api/v1/plan${search}`);
        },
        local: (sentry) => sentry.plan(repositories.length > 0 ? { repositories } : {}),
      },
    );
    this.log(flags.json ? JSON.stringify(plan, null, 2) : renderPlan(plan));
    if (plan.errors.length > 0) this.exit(1);
  }
}
