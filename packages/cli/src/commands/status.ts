import { Flags } from '@oclif/core';
import { createSentry } from '@sentry-git/core';
import { loadFullConfig, openStateStore } from '../assemble.js';
import { SentryCommand } from '../base.js';
import { builtinPlugins } from '../builtins.js';
import { shortSha, table } from '../format.js';

export default class Status extends SentryCommand {
  static override description =
    'Show each repository: watched branches, last seen SHA, and its last run. Reads the state; safe beside a running watch.';
  static override examples = ['<%= config.bin %> status', '<%= config.bin %> status --json'];
  static override flags = { json: Flags.boolean({ description: 'Print JSON.' }) };

  async run(): Promise<void> {
    const { flags } = await this.parse(Status);
    const { loaded, plugins } = await loadFullConfig(flags.config);
    this.secrets = loaded.secrets;
    const store = await openStateStore(loaded, plugins);
    // No start(): status reads, it never recovers or runs anything.
    const sentry = await createSentry({
      config: loaded.config,
      configDir: loaded.dir,
      plugins: builtinPlugins(),
      stateStore: store,
      secrets: loaded.secrets,
      expanded: true,
    });
    try {
      const report = await sentry.status();
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
      await sentry.close();
    }
  }
}
