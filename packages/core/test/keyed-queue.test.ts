import { describe, expect, it } from 'vitest';
import { createKeyedQueue } from '../src/internal.js';

/** A promise the test resolves itself: work "holds the key" until the gate opens. */
function gate(): { opened: Promise<void>; open(): void } {
  let open = () => {};
  const opened = new Promise<void>((resolve) => {
    open = resolve;
  });
  return { opened, open };
}

describe('keyed queue', () => {
  it('is busy on a key from the moment work is queued on it until the last of it has finished', async () => {
    const queue = createKeyedQueue();
    const first = gate();
    expect(queue.busy('k')).toBe(false);
    const a = queue.run('k', () => first.opened);
    const b = queue.run('k', async () => 'b');
    expect(queue.busy('k')).toBe(true);
    expect(queue.busy('other')).toBe(false);
    first.open();
    await Promise.all([a, b]);
    expect(queue.busy('k')).toBe(false);
    // A failure ends its turn too.
    await expect(queue.run('k', async () => Promise.reject(new Error('no')))).rejects.toThrow('no');
    expect(queue.busy('k')).toBe(false);
  });

  it('runs the work on one key one at a time, in order', async () => {
    const queue = createKeyedQueue();
    const signal = new AbortController().signal;
    const events: string[] = [];
    const first = gate();
    const started = gate();
    const a = queue.runUnlessAborted(
      'm',
      signal,
      async () => {
        events.push('a start');
        started.open();
        await first.opened;
        events.push('a end');
        return 'a';
      },
      () => 'aborted',
    );
    const b = queue.runUnlessAborted(
      'm',
      signal,
      async () => {
        events.push('b');
        return 'b';
      },
      () => 'aborted',
    );
    // Another key is not held up.
    const other = await queue.runUnlessAborted(
      'n',
      signal,
      async () => 'n',
      () => 'aborted',
    );
    await started.opened;
    expect(other).toBe('n');
    expect(events).toEqual(['a start']);
    first.open();
    expect(await Promise.all([a, b])).toEqual(['a', 'b']);
    expect(events).toEqual(['a start', 'a end', 'b']);
  });

  it('lets a waiter whose signal aborts leave at once, without the next overtaking the holder', async () => {
    const queue = createKeyedQueue();
    const events: string[] = [];
    const hold = gate();
    const a = queue.runUnlessAborted(
      'm',
      new AbortController().signal,
      async () => {
        await hold.opened;
        events.push('a');
      },
      () => {},
    );
    const controller = new AbortController();
    const b = queue.runUnlessAborted(
      'm',
      controller.signal,
      async () => {
        events.push('b');
        return 'b';
      },
      () => 'b aborted',
    );
    const c = queue.runUnlessAborted(
      'm',
      new AbortController().signal,
      async () => {
        events.push('c');
        return 'c';
      },
      () => 'c aborted',
    );
    controller.abort();
    expect(await b).toBe('b aborted');
    expect(events).toEqual([]);
    hold.open();
    await Promise.all([a, c]);
    expect(events).toEqual(['a', 'c']);
  });

  it('without a signal: in order per key, and a failure does not stop the queue', async () => {
    const queue = createKeyedQueue();
    const events: string[] = [];
    const hold = gate();
    const a = queue.run('m', async () => {
      await hold.opened;
      events.push('a');
      throw new Error('a failed');
    });
    const b = queue.run('m', async () => {
      events.push('b');
      return 'b';
    });
    expect(await queue.run('n', async () => 'n')).toBe('n');
    expect(events).toEqual([]);
    hold.open();
    await expect(a).rejects.toThrow('a failed');
    expect(await b).toBe('b');
    expect(events).toEqual(['a', 'b']);
  });
});
