import { Flags } from '@oclif/core';
import { corePlugin, createRedactor, createRegistry, repositoryStatus } from '@sentry-git/core';
import { loadFullConfig, openStateStore } from '../assemble.js';
import { SentryCommand } from '../base.js';
import { shortSha, table } from '../format.js';

export default class Status extends SentryCommand {
  static override description =
    'Show each repository: watched branches, last seen SHA, and its last run. Reads the state; safe beside a running watch.';
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
      const rows = report.flatMap((repo) => {
        const run = repo.lastRun
          ? `${repo.lastRun.status} (${repo.lastRun.id.slice(0, 16)}, job ${repo.lastRun.jobStatus ?? '-'})`
          : '-';
        const heads =
          repo.heads.length > 0
            ? repo.heads
            : [{ branch: repo.seen ? '(no matching branch)' : '(not polled yet)', sha: '', updatedAt: '' }];
        return heads.map((head, i) => [
          i === 0 ? repo.name : '',
          i === 0 ? (repo.group ?? '-') : '',
          head.branch,
          shortSha(head.sha || null),
          head.updatedAt || '-',
          i === 0 ? run : '',
        ]);
      });
      this.log(table(['REPOSITORY', 'GROUP', 'BRANCH', 'LAST SEEN', 'SEEN AT', 'LAST RUN'], rows));
    } finally {
      await store.close();
    }
  }
}
