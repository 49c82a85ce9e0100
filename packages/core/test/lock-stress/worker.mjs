// One contender of the lock stress test: a real process that takes the lock `holds` times in a
// tight loop. Each hold appends `start`/`end` to a shared append-only log and creates a second
// exclusive resource with O_EXCL, so two holders at once show up twice over. Every
// `abandonEvery`-th hold is left behind as a dead holder's lock (the file is atomically replaced
// by one naming a process that is gone), so the others race to take it over.
//
// argv: <adapter module URL> <lock file> <log file> <resource file> <go file> <worker id> <holds> <abandonEvery>
import {
  appendFileSync,
  closeSync,
  existsSync,
  openSync,
  readFileSync,
  renameSync,
  rmSync,
  writeFileSync,
} from 'node:fs';

const [adapterUrl, lockFile, logFile, resourceFile, goFile, id, holdsText, abandonText] =
  process.argv.slice(2);
const holds = Number(holdsText);
const abandonEvery = Number(abandonText);
const { tryLock } = await import(adapterUrl);

/** A lock content whose holder is gone: this pid, but a start time no process of this boot has. */
function deadHolder(serial) {
  let boot = '';
  try {
    boot = readFileSync('/proc/sys/kernel/random/boot_id', 'utf8').trim();
  } catch {}
  return `${process.pid}\ndead-${id}-${serial}\n${boot}/1\nabandoned\n`;
}

process.stdout.write('ready\n');
while (!existsSync(goFile)) {
  // All contenders start together (each spins until the parent says go).
}

let attempts = 0;
let held = 0;
let collisions = 0;
while (held < holds) {
  attempts += 1;
  const lock = await tryLock(lockFile, id);
  if (!lock) continue;
  held += 1;
  appendFileSync(logFile, `start ${id} ${held}\n`);
  try {
    closeSync(openSync(resourceFile, 'wx'));
  } catch (error) {
    if (error.code !== 'EEXIST') throw error;
    collisions += 1;
  }
  appendFileSync(logFile, `end ${id} ${held}\n`);
  rmSync(resourceFile, { force: true });
  if (abandonEvery > 0 && held % abandonEvery === 0) {
    const staged = `${lockFile}.abandon-${id}`;
    writeFileSync(staged, deadHolder(held));
    renameSync(staged, lockFile);
  } else {
    await lock.release();
  }
}
process.stdout.write(`${JSON.stringify({ id, attempts, held, collisions })}\n`);
