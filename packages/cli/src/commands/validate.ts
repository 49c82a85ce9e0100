import { Flags } from '@oclif/core';
import { createRedactor, errorMessage, type ProviderTarget } from '@sentry-git/core';
import {
  compileBranchMatcher,
  corePlugin,
  createRegistry,
  plural,
  timeoutSignal,
} from '@sentry-git/core/internal';
import { loadFullConfig } from '../assemble.js';
import { SentryCommand } from '../base.js';

export default class Validate extends SentryCommand {
  static override description =
    'Check the configuration: exit 0 when valid, 1 with every problem and its key path.';
  static override examples = [
    '<%= config.bin %> validate -c sentry.yaml',
    '<%= config.bin %> validate --check-connections',
  ];

  static override flags = {
    'check-connections': Flags.boolean({
      description: 'Also reach every watched and QA repository (git ls-remote / the provider API).',
    }),
  };

  async run(): Promise<void> {
    const { flags } = await this.parse(Validate);
    const { loaded, plugins } = await loadFullConfig(flags.config);
    this.secrets = loaded.secrets;
    const { config } = loaded;
    this.log(
      `${loaded.file}: valid (${plural(config.repositories.length, 'repository', 'repositories')}, ${plural(Object.keys(config.groups).length, 'group', 'groups')}, polling every ${config.polling_interval} s)`,
    );
    if (loaded.source.format === 'sentry-simple') {
      this.log("Read as a simplified Sentry configuration; each key maps to sentry-git's format as:");
      for (const note of loaded.source.mapping) this.log(`  ${note.from} -> ${note.to}`);
    }
    if (!flags['check-connections']) return;

    const registry = createRegistry([corePlugin, ...plugins]);
    const redactor = createRedactor(loaded.secrets);
    let problems = 0;
    async function check(
      label: string,
      target: ProviderTarget,
      branchPattern: ((b: string) => boolean) | null,
      providerType = target.type,
    ): Promise<string> {
      const { provider, fallback } = registry.provider(providerType);
      try {
        const result = await provider.listHeads(target, {
          match: branchPattern ?? (() => true),
          signal: timeoutSignal(config.global.poll_timeout * 1000),
        });
        return `ok   ${label}: ${result.heads.length} matching branch${result.heads.length === 1 ? '' : 'es'} via ${provider.id}${fallback ? ' (fallback)' : ''}`;
      } catch (error) {
        problems += 1;
        return `FAIL ${label}: ${redactor.redact(errorMessage(error))}`;
      }
    }
    const checks = config.repositories.flatMap((repo, index) => {
      const watches = compileBranchMatcher(repo.monitor.branches);
      const list = [
        check(
          `repositories[${index}] ${repo.name} monitor ${redactor.redact(repo.monitor.repo_url)}`,
          {
            repository: repo.name,
            url: repo.monitor.repo_url,
            type: repo.monitor.repo_type,
            auth: repo.monitor.auth,
            configKeys: {
              url: `repositories[${index}].monitor.repo_url`,
              auth: `repositories[${index}].monitor.auth`,
            },
          },
          watches,
        ),
      ];
      if (repo.deploy.qa_repo_url) {
        const qaBranch = repo.deploy.qa_repo_branch;
        list.push(
          check(
            `repositories[${index}] ${repo.name} qa_repo ${redactor.redact(repo.deploy.qa_repo_url)}`,
            {
              repository: `${repo.name} (QA)`,
              url: repo.deploy.qa_repo_url,
              // The host type picks the user name sent with the token, as the clone does.
              type: repo.deploy.repo_type ?? 'git',
              auth: repo.deploy.auth,
              // The QA repository's own keys: its credentials are deploy.auth, not monitor.auth.
              configKeys: {
                url: `repositories[${index}].deploy.qa_repo_url`,
                auth: `repositories[${index}].deploy.auth`,
              },
            },
            qaBranch ? (b) => b === qaBranch : null,
            // The QA repository is cloned with git, whatever its host: check it with git.
            'git',
          ),
        );
      }
      return list;
    });
    for (const line of await Promise.all(checks)) this.log(line);
    if (problems > 0) {
      this.logToStderr(`${problems} connection check${problems === 1 ? '' : 's'} failed.`);
      this.exit(1);
    }
  }
}
