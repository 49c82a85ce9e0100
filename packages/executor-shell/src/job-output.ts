import { tailFile, watchDir } from './file-tail.js';

/** How often a job's files are read when fs.watch says nothing (it may miss events). */
const FALLBACK_POLL_MS = 250;

export interface JobOutputFiles {
  jobDir: string;
  stdout: string;
  stderr: string;
}

/**
 * Follows the output files of a running job (its own, or one adopted after a crash) and hands
 * new text to `onOutput` as it is written; `onChange` also runs on every change in the job
 * directory (the status file appearing). `stop()` reads the rest, once the writers are gone.
 */
export function followJobOutput(
  files: JobOutputFiles,
  onOutput: (stream: 'stdout' | 'stderr', text: string) => void,
  onChange?: () => void,
): { stop(): Promise<void> } {
  const stdout = tailFile(files.stdout, (text) => onOutput('stdout', text));
  const stderr = tailFile(files.stderr, (text) => onOutput('stderr', text));
  function changed(): void {
    void stdout.poll();
    void stderr.poll();
    onChange?.();
  }
  const watcher = watchDir(files.jobDir, changed, FALLBACK_POLL_MS);
  changed();
  return {
    async stop() {
      watcher.close();
      await Promise.all([stdout.drain(), stderr.drain()]);
    },
  };
}
