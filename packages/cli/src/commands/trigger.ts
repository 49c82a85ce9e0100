import { Args, Flags } from '@oclif/core';
import { assemble } from '../assemble.js';
import { SentryCommand } from '../base.js';
import { describeRun } from '../format.js';

export default class Trigger extends SentryCommand {
  static override description =
    'Deploy now at the last known heads (read fresh where none are known): every group and standalone repository, or the named repositories, or one group. Exits 1 when any job failed.';

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
  };

  async run(): Promise<void> {
    const { flags, argv } = await this.parse(Trigger);
    const { sentry, loaded } = await assemble({
      configFile: flags.config,
      logLevel: flags['log-level'],
      owner: 'trigger',
    });
    this.secrets = loaded.secrets;
    let failed = false;
    try {
      const queued = await sentry.trigger({
        repositories: argv as string[],
        ...(flags.group ? { group: flags.group } : {}),
      });
      const runs = await sentry.waitForRuns([...new Set(queued.map((run) => run.id))]);
      failed = runs.some((run) => run.status !== 'succeeded');
      if (flags.json) this.log(JSON.stringify(runs, null, 2));
      else if (runs.length === 0) this.log('Nothing to deploy: no branch matches the watched patterns.');
      else for (const run of runs) this.log(describeRun(run));
    } finally {
      await sentry.close();
    }
    if (failed) this.exit(1);
  }
}
