/** Test clients for the server's open answers: the event stream and a followed log. */

/** One block of an event stream: an event, an id alone, or a comment. */
export interface SseBlock {
  id?: string;
  event?: string;
  data?: string;
  comment?: string;
}

export interface StreamedEvent {
  id: string;
  event: string;
  // biome-ignore lint/suspicious/noExplicitAny: tests read arbitrary JSON
  data: any;
}

/** Parses one block (the text between two blank lines) as the HTML standard reads it. */
function parseBlock(text: string): SseBlock {
  const block: SseBlock = {};
  for (const line of text.split('\n')) {
    if (line.startsWith(':')) {
      block.comment = line.slice(1).trim();
      continue;
    }
    const colon = line.indexOf(':');
    const field = colon < 0 ? line : line.slice(0, colon);
    const value = colon < 0 ? '' : line.slice(colon + 1).replace(/^ /, '');
    if (field === 'id') block.id = value;
    else if (field === 'event') block.event = value;
    else if (field === 'data') block.data = block.data === undefined ? value : `${block.data}\n${value}`;
  }
  return block;
}

/** A queue of values that a reader awaits one by one; a failure ends it. */
function createQueue<T>() {
  const items: T[] = [];
  const waiters: Array<{ resolve: (item: T) => void; reject: (error: Error) => void }> = [];
  let failure: Error | undefined;
  return {
    push(item: T) {
      const waiter = waiters.shift();
      if (waiter) waiter.resolve(item);
      else items.push(item);
    },
    fail(error: Error) {
      failure ??= error;
      for (const waiter of waiters.splice(0)) waiter.reject(failure);
    },
    next(): Promise<T> {
      if (items.length > 0) return Promise.resolve(items.shift() as T);
      if (failure) return Promise.reject(failure);
      return new Promise((resolve, reject) => waiters.push({ resolve, reject }));
    },
  };
}

export interface EventStreamClient {
  status: number;
  headers: Headers;
  /** The next block, comments and lone ids included. */
  nextBlock(): Promise<SseBlock>;
  /** The next event (not a comment, not a lone id), its data parsed. */
  nextEvent(): Promise<StreamedEvent>;
  /** Events until (and with) the first that `until` accepts. */
  eventsUntil(until: (event: StreamedEvent) => boolean): Promise<StreamedEvent[]>;
  /** Resolves when the server ends the stream cleanly; rejects when it breaks off. */
  ended: Promise<void>;
  close(): void;
}

/** Opens `GET /api/v1/events` as the console does: fetch, so it can send headers. */
export async function openEvents(
  url: string,
  options: { token?: string; lastEventId?: string } = {},
): Promise<EventStreamClient> {
  const controller = new AbortController();
  const headers: Record<string, string> = { accept: 'text/event-stream' };
  if (options.token) headers.authorization = `Bearer ${options.token}`;
  if (options.lastEventId) headers['last-event-id'] = options.lastEventId;
  const response = await fetch(`${url}/api/v1/events`, { headers, signal: controller.signal });
  const blocks = createQueue<SseBlock>();
  const ended = (async () => {
    if (!response.body) return;
    const decoder = new TextDecoder();
    let buffer = '';
    try {
      for await (const chunk of response.body) {
        buffer += decoder.decode(chunk as Uint8Array, { stream: true });
        let end = buffer.indexOf('\n\n');
        while (end >= 0) {
          blocks.push(parseBlock(buffer.slice(0, end)));
          buffer = buffer.slice(end + 2);
          end = buffer.indexOf('\n\n');
        }
      }
      blocks.fail(new Error('the event stream ended'));
    } catch (error) {
      blocks.fail(error as Error);
      if (!controller.signal.aborted) throw error;
    }
  })();
  ended.catch(() => undefined);
  async function nextEvent(): Promise<StreamedEvent> {
    for (;;) {
      const block = await blocks.next();
      if (block.event !== undefined && block.data !== undefined) {
        return { id: block.id ?? '', event: block.event, data: JSON.parse(block.data) };
      }
    }
  }
  return {
    status: response.status,
    headers: response.headers,
    nextBlock: blocks.next,
    nextEvent,
    async eventsUntil(until) {
      const seen: StreamedEvent[] = [];
      for (;;) {
        const event = await nextEvent();
        seen.push(event);
        if (until(event)) return seen;
      }
    },
    ended,
    close: () => controller.abort(),
  };
}

export interface TextStreamClient {
  status: number;
  headers: Headers;
  /** Everything read so far. */
  text(): string;
  /** Resolves once the text read so far contains `needle`. */
  waitFor(needle: string): Promise<string>;
  /** Resolves with the whole text when the server ends the answer; rejects when it breaks off. */
  ended: Promise<string>;
  close(): void;
}

/** Opens a followed log (`?follow=1`) and reads it as it comes. */
export async function openText(url: string, token?: string): Promise<TextStreamClient> {
  const controller = new AbortController();
  const response = await fetch(url, {
    headers: token ? { authorization: `Bearer ${token}` } : {},
    signal: controller.signal,
  });
  let text = '';
  let over: Error | undefined;
  const waiters: Array<{ needle: string; resolve: (text: string) => void; reject: (error: Error) => void }> =
    [];
  function settle(error?: Error): void {
    over ??= error;
    for (const waiter of [...waiters]) {
      if (text.includes(waiter.needle)) waiter.resolve(text);
      else if (error) waiter.reject(error);
      else continue;
      waiters.splice(waiters.indexOf(waiter), 1);
    }
  }
  const ended = (async () => {
    const decoder = new TextDecoder();
    try {
      for await (const chunk of response.body ?? []) {
        text += decoder.decode(chunk as Uint8Array, { stream: true });
        settle();
      }
    } catch (error) {
      settle(error as Error);
      throw error;
    }
    settle(new Error(`the answer ended without the text waited for; it was:\n${text}`));
    return text;
  })();
  ended.catch(() => undefined);
  return {
    status: response.status,
    headers: response.headers,
    text: () => text,
    waitFor(needle) {
      if (text.includes(needle)) return Promise.resolve(text);
      if (over) return Promise.reject(over);
      return new Promise((resolve, reject) => waiters.push({ needle, resolve, reject }));
    },
    ended,
    close: () => controller.abort(),
  };
}
