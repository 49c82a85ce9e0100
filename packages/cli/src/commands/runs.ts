import { Flags } from '@oclif/core';
import { loadFullConfig, openStateStore } from '../assemble.js';
import { SentryCommand } from '../base.js';
import { describeRun } from '../format.js';

export default class Runs extends SentryCommand {
  static override description =
    'Show run history, newest first: each job with repository, branch, commit, status, exit code and duration.';
  static override examples = ['<%= config.bin %> runs', '<%= config.bin %> runs --limit 5 --json'];
  static override flags = {
    limit: Flags.integer({ char: 'n', description: 'How many runs.', default: 20, min: 1 }),
    json: Flags.boolean({ description: 'Print JSON (with output tails).' }),
  };

  async run(): Promise<void> {
    const { flags } = await this.parse(Runs);
    const { loaded, plugins } = await loadFullConfig(flags.config, { readOnly: true });
    this.secrets = loaded.secrets;
    const store = await openStateStore(loaded, plugins);
    try {
      const runs = await store.listRuns({ limit: flags.limit });
      if (flags.json) this.log(JSON.stringify(runs, null, 2));
      else if (runs.length === 0) this.log('No runs yet.');
      else this.log(runs.map(describeRun).join('\n\n'));
    } finally {
      await store.close();
    }
  }
}
