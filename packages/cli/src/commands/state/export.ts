import path from 'node:path';
import { Flags } from '@oclif/core';
import type { StateCounts } from '@sentry-git/core';
import { describeStateCounts, stateExportLines } from '@sentry-git/core/internal';
import { SentryCommand } from '../../base.js';
import { type ExportSink, fileSink, stdoutSink } from '../../state-transfer/output.js';
import { assertTransferable } from '../../state-transfer/support.js';
import { stateFlags, stateTarget } from '../../state-transfer/target.js';

export default class StateExport extends SentryCommand {
  static override description =
    'Write everything the state store keeps (seen repositories, heads, poll failures, runs with their jobs) as JSON Lines, to stdout or a file; `state import` reads it into another store. Reads one snapshot and takes no lock: safe beside a running watch.';

  static override examples = [
    '<%= config.bin %> state export -c sentry.yaml --out state.jsonl',
    '<%= config.bin %> state export -c sqlite.yaml | <%= config.bin %> state import -c postgres.yaml',
  ];

  static override flags = {
    out: Flags.string({
      char: 'o',
      description:
        'Write to this file instead of stdout: complete or not at all (a temporary file beside it is renamed when the export is done), readable by its owner only.',
      helpValue: 'FILE',
    }),
    force: Flags.boolean({ description: 'Overwrite the --out file when it exists.', dependsOn: ['out'] }),
    ...stateFlags,
  };

  async run(): Promise<void> {
    const { flags } = await this.parse(StateExport);
    const target = await stateTarget(flags);
    this.secrets = target.secrets;
    const out = flags.out === undefined ? undefined : path.resolve(flags.out);
    const store = await target.open();
    try {
      assertTransferable(store, 'export', target.where);
      const sink: ExportSink = out ? await fileSink(out, flags.force) : stdoutSink();
      let counts: StateCounts;
      try {
        const lines = stateExportLines(store.exportState!(), {
          store: store.id,
          exportedAt: new Date().toISOString(),
        });
        let next = await lines.next();
        for (; !next.done; next = await lines.next()) await sink.write(next.value);
        await sink.commit();
        counts = next.value;
      } catch (error) {
        await sink.abort();
        throw error;
      }
      this.logToStderr(
        `Exported ${describeStateCounts(counts)} from ${target.where}${out ? ` to ${out}` : ''}.`,
      );
    } finally {
      await store.close();
    }
  }
}
