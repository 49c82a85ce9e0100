import { fork } from 'node:child_process';
import { once } from 'node:events';
import { createWriteStream } from 'node:fs';
import { requester } from './ipc.mjs';

/**
 * Forks one of the bench's hosts, waits for its "ready", and returns `call` plus `stop`. Its
 * output goes to a log file (printed by run.mjs when something fails); `children` tracks it so
 * the bench can end it on failure or SIGINT.
 */
export async function startHost({ script, env, logFile, children, onEvent }) {
  const log = createWriteStream(logFile, { flags: 'a' });
  const child = fork(script, [], {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
  });
  children.add(child);
  child.stdout.pipe(log, { end: false });
  child.stderr.pipe(log, { end: false });
  child.on('exit', () => {
    children.delete(child);
    log.end();
  });
  const ready = new Promise((resolve, reject) => {
    child.on('message', (message) => message?.ready && resolve());
    child.once('exit', (code, signal) =>
      reject(new Error(`${script} exited (${signal ?? code}) while starting; see ${logFile}`)),
    );
  });
  await ready;
  const call = requester(child, onEvent);
  async function stop() {
    if (child.exitCode !== null || child.signalCode !== null) return;
    const exited = once(child, 'exit');
    child.disconnect();
    const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
    await exited;
    clearTimeout(timer);
  }
  return { call, stop, child };
}
