import { Args, Flags } from '@oclif/core';
import { engineLockedDetails, type RunRecord } from '@sentry-git/core';
import { assemble } from '../assemble.js';
import { SentryCommand } from '../base.js';
import { describeRun } from '../format.js';
import { forwardTarget, forwardTrigger, triggerLockedError } from '../forward-trigger.js';

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
    const selection = { repositories: argv as string[], group: flags.group };
    let runs: RunRecord[];
    try {
      const queued = await sentry.trigger({
        repositories: selection.repositories,
        ...(flags.group ? { group: flags.group } : {}),
      });
      runs = await sentry.waitForRuns([...new Set(queued.map((run) => run.id))]);
    } catch (error) {
      // A running `watch` holds the engine: hand the trigger to it through its server, if it has one.
      const locked = engineLockedDetails(error);
      if (!locked) throw error;
      const target = forwardTarget(loaded.config, process.env);
      if (!target) throw triggerLockedError(locked, loaded.config, process.env);
      await sentry.close();
      this.logToStderr(`A sentry-git watch is running: triggering through its server at ${target.url}.`);
      runs = await forwardTrigger(target, selection);
    } finally {
      await sentry.close();
    }
    if (flags.json) this.log(JSON.stringify(runs, null, 2));
    else if (runs.length === 0) this.log('Nothing to deploy: no branch matches the watched patterns.');
    else for (const run of runs) this.log(describeRun(run));
    if (runs.some((run) => run.status !== 'succeeded')) this.exit(1);
  }
}
