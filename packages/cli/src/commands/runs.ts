import { Errors, Flags } from '@oclif/core';
import {
  parseSince,
  type RunFilter,
  type RunStatus,
  type SentryConfig,
  SentryError,
  type TriggerKind,
  type UnitKey,
} from '@sentry-git/core';
import { loadFullConfig, openStateStore } from '../assemble.js';
import { SentryCommand } from '../base.js';
import { describeRun } from '../format.js';

const STATUSES: RunStatus[] = ['queued', 'running', 'succeeded', 'failed', 'timed_out', 'cancelled'];
const TRIGGERS: TriggerKind[] = ['poll', 'manual', 'webhook', 'api', 'rerun', 'deploy'];

/**
 * `--unit`: a unit key (`group:NAME`, `repository:NAME`), or a bare name: a group's, else a
 * repository's (its group's unit when it has one).
 */
function unitOf(text: string, config: SentryConfig): UnitKey {
  if (/^(group|repository):./.test(text)) return text as UnitKey;
  if (config.groups[text]) return `group:${text}`;
  const repository = config.repositories.find((repo) => repo.name === text);
  if (repository) return repository.group ? `group:${repository.group}` : `repository:${repository.name}`;
  throw new SentryError(
    'UNKNOWN_GROUP',
    `--unit ${text} is neither a group nor a repository of the configuration.`,
    {
      fix: `Give group:NAME, repository:NAME, or one of: ${[...Object.keys(config.groups), ...config.repositories.map((repo) => repo.name)].join(', ')}.`,
    },
  );
}

export default class Runs extends SentryCommand {
  static override description =
    'Show run history, newest first: each job with repository, branch, commit, status, exit code and duration. Filters combine (all must match).';
  static override examples = [
    '<%= config.bin %> runs',
    '<%= config.bin %> runs --limit 5 --json',
    '<%= config.bin %> runs --status failed,timed_out --since 7d',
    '<%= config.bin %> runs --repository rag-service --trigger deploy',
  ];
  static override flags = {
    limit: Flags.integer({ char: 'n', description: 'How many runs.', default: 20, min: 1 }),
    status: Flags.string({
      char: 's',
      description: 'Only runs with this status (several: comma-separated or repeated).',
      options: STATUSES,
      multiple: true,
      delimiter: ',',
    }),
    repository: Flags.string({ char: 'r', description: 'Only runs with a job of this repository.' }),
    unit: Flags.string({
      char: 'u',
      description: 'Only runs of this unit: group:NAME, repository:NAME, or a group or repository name.',
    }),
    trigger: Flags.string({ char: 't', description: 'Only runs this trigger started.', options: TRIGGERS }),
    since: Flags.custom<string>({
      description:
        'Only runs created since: an ISO 8601 time (2026-11-22T20:00:00Z) or a duration back from now (30m, 2h, 7d).',
      // A usage error (exit 2), as any other bad flag value.
      parse: async (input) => {
        try {
          return parseSince(input);
        } catch (error) {
          throw new Errors.CLIError((error as Error).message, { exit: 2 });
        }
      },
    })(),
    json: Flags.boolean({ description: 'Print JSON (with output tails).' }),
  };

  async run(): Promise<void> {
    const { flags } = await this.parse(Runs);
    const { loaded, plugins } = await loadFullConfig(flags.config, { readOnly: true });
    this.secrets = loaded.secrets;
    const filter: RunFilter = {
      limit: flags.limit,
      ...(flags.status ? { status: flags.status as RunStatus[] } : {}),
      ...(flags.repository ? { repository: flags.repository } : {}),
      ...(flags.unit ? { unit: unitOf(flags.unit, loaded.config) } : {}),
      ...(flags.trigger ? { trigger: flags.trigger as TriggerKind } : {}),
      ...(flags.since ? { since: flags.since } : {}),
    };
    const store = await openStateStore(loaded, plugins);
    try {
      const runs = await store.listRuns(filter);
      // A repository no longer configured keeps its history; an unknown name with none is a typo.
      const repository = flags.repository;
      if (
        runs.length === 0 &&
        repository &&
        !loaded.config.repositories.some((repo) => repo.name === repository)
      ) {
        throw new SentryError(
          'UNKNOWN_REPOSITORY',
          `--repository ${repository}: no such repository, and no run of one.`,
          {
            fix: `Use a repository name from the configuration: ${loaded.config.repositories.map((repo) => repo.name).join(', ')}.`,
          },
        );
      }
      if (flags.json) this.log(JSON.stringify(runs, null, 2));
      else if (runs.length === 0)
        this.log(Object.keys(filter).length > 1 ? 'No runs match.' : 'No runs yet.');
      else this.log(runs.map(describeRun).join('\n\n'));
    } finally {
      await store.close();
    }
  }
}
