import { Args, Flags } from '@oclif/core';
import type { PauseRecord } from '@sentry-git/core';
import { cliActor } from '../actor.js';
import { SentryCommand } from '../base.js';
import { connect, onServerOrEngine } from '../connect.js';
import { pauseTarget, resumeCommand, targetBody } from '../pause-target.js';

export default class Pause extends SentryCommand {
  static override description =
    'Pause a repository (one without a group) or a group: it is still polled and its changes recorded, but nothing of it deploys until `sentry-git resume`. A run already running goes on. Kept in the state store: a restart keeps the pause.';

  static override args = {
    repository: Args.string({ description: 'A repository without a group.', required: false }),
  };
  static override examples = [
    '<%= config.bin %> pause standalone-service --reason "database migration"',
    '<%= config.bin %> pause --group ai-blueprints',
  ];

  static override flags = {
    group: Flags.string({ char: 'g', description: 'Pause this group (every repository in it).' }),
    reason: Flags.string({ char: 'r', description: 'Why, recorded with the pause and shown by status.' }),
    json: Flags.boolean({ description: 'Print the pause as JSON.' }),
  };

  async run(): Promise<void> {
    const { flags, args } = await this.parse(Pause);
    const target = pauseTarget('pause', args.repository, flags.group);
    const connection = await connect(flags.config);
    this.secrets = connection.loaded.secrets;
    const reason = flags.reason === undefined ? {} : { reason: flags.reason };
    const pause = await onServerOrEngine(
      connection,
      { command: 'pause', logLevel: flags['log-level'] },
      {
        remote: async (client) =>
          (
            await client.json<{ pause: PauseRecord }>('pause', 'POST', '/api/v1/pause', {
              ...targetBody(target),
              ...reason,
            })
          ).pause,
        local: (sentry) => sentry.pause(target, { by: cliActor(), ...reason }),
      },
    );
    if (flags.json) {
      this.log(JSON.stringify(pause, null, 2));
      return;
    }
    const why = pause.reason ? `: ${pause.reason}` : '';
    this.log(
      `Paused ${pause.unit} (by ${pause.by} at ${pause.at}${why}). Its changes are still recorded; nothing of it deploys until \`${resumeCommand(pause.unit)}\`.`,
    );
  }
}
