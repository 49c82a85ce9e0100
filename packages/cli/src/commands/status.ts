import { Flags } from '@oclif/core';
import { createRedactor } from '@sentry-git/core';
import { corePlugin, createRegistry, repositoryStatus } from '@sentry-git/core/internal';
import { loadFullConfig, openStateStore } from '../assemble.js';
import { SentryCommand } from '../base.js';
import { renderStatus } from '../status-view.js';

export default class Status extends SentryCommand {
  static override description =
    'Show each repository: watched branches, last seen SHA, its last run, and polls that fail (how many in a row, since when, the last error). Reads the state; safe beside a running watch.';
  static override examples = ['<%= config.bin %> status', '<%= config.bin %> status --json'];
  static override flags = { json: Flags.boolean({ description: 'Print JSON.' }) };

  async run(): Promise<void> {
    const { flags } = await this.parse(Status);
    const { loaded, plugins } = await loadFullConfig(flags.config, { readOnly: true });
    this.secrets = loaded.secrets;
    // No engine: status only reads the state, it never recovers, runs or sets plugins up.
    const store = await openStateStore(loaded, plugins);
    try {
      const report = await repositoryStatus({
        config: loaded.config,
        store,
        registry: createRegistry([corePlugin, ...plugins]),
        redactor: createRedactor(loaded.secrets),
      });
      if (flags.json) {
        this.log(JSON.stringify(report, null, 2));
        return;
      }
      this.log(renderStatus(report));
    } finally {
      await store.close();
    }
  }
}
