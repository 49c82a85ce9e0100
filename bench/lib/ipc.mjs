// Request/answer over a child process's IPC channel: { id, cmd, args } → { id, ok, result | error }.
// Messages without an id are events (the engine host reports what it saw as it happens).

/** The child's side: answers requests with the handlers, in arrival order. */
export function serveRequests(handlers) {
  process.on('message', async (message) => {
    if (!message || message.id === undefined) return;
    const handler = handlers[message.cmd];
    try {
      if (!handler) throw new Error(`unknown command ${message.cmd}`);
      const result = await handler(message.args ?? {});
      process.send({ id: message.id, ok: true, result });
    } catch (error) {
      process.send({ id: message.id, ok: false, error: error?.stack ?? String(error) });
    }
  });
}

/** The parent's side: `call(cmd, args)` resolves with the child's answer; events go to onEvent. */
export function requester(child, onEvent = () => {}) {
  let nextId = 0;
  const waiting = new Map();
  child.on('message', (message) => {
    if (message?.id === undefined) return onEvent(message);
    const pending = waiting.get(message.id);
    if (!pending) return;
    waiting.delete(message.id);
    if (message.ok) pending.resolve(message.result);
    else pending.reject(new Error(`${pending.cmd} failed in the child: ${message.error}`));
  });
  child.on('exit', (code, signal) => {
    for (const pending of waiting.values()) {
      pending.reject(new Error(`${pending.cmd}: the child exited (${signal ?? code}) before answering`));
    }
    waiting.clear();
  });
  return (cmd, args) =>
    new Promise((resolve, reject) => {
      const id = nextId++;
      waiting.set(id, { resolve, reject, cmd });
      child.send({ id, cmd, args });
    });
}

/** Wall-clock milliseconds with sub-millisecond precision, comparable across processes. */
export function nowMs() {
  return performance.timeOrigin + performance.now();
}
