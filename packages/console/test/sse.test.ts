import { describe, expect, it } from 'vitest';
import { createEventParser, type StreamEvent } from '../src/app/sse.js';

function parse(chunks: string[]): StreamEvent[] {
  const events: StreamEvent[] = [];
  const feed = createEventParser((event) => events.push(event));
  for (const chunk of chunks) feed(chunk);
  return events;
}

describe('the event stream parser', () => {
  it('reads events with their id, name and data; comments are skipped', () => {
    const text =
      ': ping\n\nid: b1-1\nevent: run:queued\ndata: {"run":{"id":"run_1"}}\n\nid: b1-2\nevent: change\ndata: {}\n\n';
    expect(parse([text])).toEqual([
      { id: 'b1-1', event: 'run:queued', data: '{"run":{"id":"run_1"}}' },
      { id: 'b1-2', event: 'change', data: '{}' },
    ]);
  });

  it('joins data lines, keeps the last id for events without one, and names unnamed events "message"', () => {
    expect(parse(['id: 7\ndata: a\ndata: b\n\ndata:c\n\n'])).toEqual([
      { id: '7', event: 'message', data: 'a\nb' },
      { id: '7', event: 'message', data: 'c' },
    ]);
  });

  it('puts together lines split across chunks, CRLF split between two chunks included', () => {
    const chunks = ['id: x-', '1\r', '\nevent: res', 'et\r\ndata: {"reason":"', 'gone"}\r\n', '\r\n'];
    expect(parse(chunks)).toEqual([{ id: 'x-1', event: 'reset', data: '{"reason":"gone"}' }]);
    expect(parse(['data: one\r\rdata: two\n', '\n'])).toEqual([
      { id: null, event: 'message', data: 'one' },
      { id: null, event: 'message', data: 'two' },
    ]);
  });

  it('dispatches nothing for an event without data or one the stream has not ended yet', () => {
    expect(parse(['event: ping\n\n', 'data: half'])).toEqual([]);
  });
});
