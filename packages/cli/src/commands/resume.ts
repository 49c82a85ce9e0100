import { Args, Flags } from '@oclif/core';
import type { UnitKey } from '@sentry-git/core';
import { cliActor } from '../actor.js';
import { SentryCommand } from '../base.js';
import { connect, onServerOrEngine } from '../connect.js';
import { pauseTarget, targetBody } from '../pause-target.js';

/** What `resume` did, as the server answers it. */
interface Resumed {
  unit: UnitKey;
  resumed: boolean;
  /** The runs that waited, starting now (in a running watch). */
  queued: string[];
}

export default class Resume extends SentryCommand {
  static override description =
    'Resume a paused repository or group: the runs that waited start (one run at the latest heads where changes merged), in the running watch at once (one without a server within a few seconds), else when `sentry-git watch` next runs.';

  static override args = {
    repository: Args.string({ description: 'A repository without a group.', required: false }),
  };
  static override examples = [
    '<%= config.bin %> resume standalone-service',
    '<%= config.bin %> resume --group ai-blueprints',
  ];

  static override flags = {
    group: Flags.string({ char: 'g', description: 'Resume this group.' }),
    json: Flags.boolean({ description: 'Print { unit, resumed, queued } as JSON (queued: run ids).' }),
  };

  async run(): Promise<void> {
    const { flags, args } = await this.parse(Resume);
    const target = pauseTarget('resume', args.repository, flags.group);
    const connection = await connect(flags.config);
    this.secrets = connection.loaded.secrets;
    const result = await onServerOrEngine(
      connection,
      { command: 'resume', logLevel: flags['log-level'] ?? 'warn' },
      {
        remote: (client) => client.json<Resumed>('resume', 'POST', '/api/v1/resume', targetBody(target)),
        async local(sentry) {
          const resumed = await sentry.resume(target, { by: cliActor() });
          return { ...resumed, queued: resumed.queued.map((run) => run.id) };
        },
      },
    );
    if (flags.json) this.log(JSON.stringify(result, null, 2));
    else if (!result.resumed) this.log(`${result.unit} was not paused: nothing to resume.`);
    else if (result.queued.length === 0) this.log(`Resumed ${result.unit}: no run was waiting.`);
    else if (connection.server) this.log(`Resumed ${result.unit}: ${result.queued.join(', ')} start now.`);
    else {
      // No server answered: a watch without one notices the resume itself; else nothing runs now.
      this.log(
        `Resumed ${result.unit}: ${result.queued.join(', ')} waited; a running watch starts ${result.queued.length === 1 ? 'it' : 'them'} within a few seconds, else the next \`sentry-git watch\` does.`,
      );
    }
  }
}
