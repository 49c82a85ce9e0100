import { Flags } from '@oclif/core';
import { describeStateCounts, readStateExport, type StateExportHeader } from '@sentry-git/core/internal';
import { SentryCommand } from '../../base.js';
import { openExportInput } from '../../state-transfer/input.js';
import { assertTransferable, takeImportLock } from '../../state-transfer/support.js';
import { stateFlags, stateTarget } from '../../state-transfer/target.js';

export default class StateImport extends SentryCommand {
  static override description =
    'Read a state export (from `state export`) into the state store, in one transaction: all of it or, on any error, nothing. Refuses a store that holds state unless --replace, and a store a running watch holds (ENGINE_LOCKED).';

  static override examples = [
    '<%= config.bin %> state import -c postgres.yaml --in state.jsonl',
    '<%= config.bin %> state export -c sqlite.yaml | <%= config.bin %> state import -c postgres.yaml',
    "<%= config.bin %> state import --state-driver postgres --state-url '${DATABASE_URL}' --in state.jsonl --replace",
  ];

  static override flags = {
    in: Flags.string({
      char: 'i',
      description: 'The export to read, or - for stdin.',
      helpValue: 'FILE',
      default: '-',
    }),
    replace: Flags.boolean({
      description:
        'Delete the state the store holds first, in the same transaction. Without it a store that holds any state is refused (STATE_NOT_EMPTY).',
    }),
    ...stateFlags,
  };

  async run(): Promise<void> {
    const { flags } = await this.parse(StateImport);
    const input = await openExportInput(flags.in);
    try {
      const target = await stateTarget(flags);
      this.secrets = target.secrets;
      const store = await target.open();
      try {
        assertTransferable(store, 'import', target.where);
        const release = await takeImportLock(store);
        try {
          let header: StateExportHeader | undefined;
          const records = readStateExport(input.lines, {
            source: input.source,
            onHeader: (read) => {
              header = read;
            },
          });
          const { imported, replaced } = await store.importState!(records, { replace: flags.replace });
          if (replaced)
            this.logToStderr(`Replaced ${describeStateCounts(replaced)} that ${target.where} held.`);
          // The header's other keys are informational and unchecked: shown only when they are text.
          const from =
            typeof header?.store === 'string' && typeof header.exportedAt === 'string'
              ? ` (exported from ${header.store.slice(0, 100)} at ${header.exportedAt.slice(0, 40)})`
              : '';
          this.logToStderr(`Imported ${describeStateCounts(imported)} into ${target.where}${from}.`);
        } finally {
          await release();
        }
      } finally {
        await store.close();
      }
    } finally {
      await input.close();
    }
  }
}
