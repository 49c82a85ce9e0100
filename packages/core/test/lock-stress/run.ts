import { spawn } from 'node:child_process';
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const WORKER = fileURLToPath(new URL('./worker.mjs', import.meta.url));

export interface LockStressOptions {
  /** A module exporting `tryLock(file, owner)`: a held lock (`release()`, sync or async) or null. */
  adapter: string;
  dir: string;
  contenders: number;
  /** Holds per contender. */
  holds: number;
  /** Every n-th hold is abandoned as a dead holder's lock; 0 never. */
  abandonEvery: number;
}

export interface LockStressResult {
  /** Lock attempts of all contenders together, successful or not. */
  attempts: number;
  holds: number;
  /** Holds that began while another contender's hold had not ended, by the shared log. */
  doubleHolders: number;
  /** Holds that found the second exclusive resource taken. */
  collisions: number;
}

interface WorkerReport {
  attempts: number;
  held: number;
  collisions: number;
}

function runWorker(args: string[], onReady: () => void): Promise<WorkerReport> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [WORKER, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => {
      const before = stdout;
      stdout += chunk.toString('utf8');
      if (!before.includes('ready\n') && stdout.includes('ready\n')) onReady();
    });
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString('utf8');
    });
    child.once('error', reject);
    child.once('exit', (code) => {
      const last = stdout.trim().split('\n').at(-1) ?? '';
      if (code === 0 && last.startsWith('{')) resolve(JSON.parse(last) as WorkerReport);
      else reject(new Error(`lock worker exited with ${code}:\n${stdout}${stderr}`));
    });
  });
}

/** How many holds overlapped another, read from the log in the order the appends happened. */
export function countDoubleHolders(log: string): number {
  const holding = new Set<string>();
  let doubles = 0;
  for (const line of log.split('\n')) {
    const [what, id] = line.split(' ');
    if (what === 'start' && id) {
      if (holding.size > 0) doubles += 1;
      holding.add(id);
    } else if (what === 'end' && id) holding.delete(id);
  }
  return doubles;
}

/** Runs `contenders` real processes against one lock file and counts overlapping holds. */
export async function runLockStress(options: LockStressOptions): Promise<LockStressResult> {
  const files = {
    lock: path.join(options.dir, 'stress.lock'),
    log: path.join(options.dir, 'holds.log'),
    resource: path.join(options.dir, 'resource'),
    go: path.join(options.dir, 'go'),
  };
  await writeFile(files.log, '');
  let ready = 0;
  let signalReady!: () => void;
  const allReady = new Promise<void>((resolve) => {
    signalReady = resolve;
  });
  const workers = Array.from({ length: options.contenders }, (_, index) =>
    runWorker(
      [
        pathToFileURL(options.adapter).href,
        files.lock,
        files.log,
        files.resource,
        files.go,
        `w${index}`,
        String(options.holds),
        String(options.abandonEvery),
      ],
      () => {
        ready += 1;
        if (ready === options.contenders) signalReady();
      },
    ),
  );
  await Promise.race([allReady, Promise.all(workers)]);
  await writeFile(files.go, '');
  const reports = await Promise.all(workers);
  const log = await readFile(files.log, 'utf8');
  return {
    attempts: reports.reduce((sum, report) => sum + report.attempts, 0),
    holds: reports.reduce((sum, report) => sum + report.held, 0),
    doubleHolders: countDoubleHolders(log),
    collisions: reports.reduce((sum, report) => sum + report.collisions, 0),
  };
}
