import { statusLabel } from './format.js';

const MARKS: Record<string, string> = {
  queued: '◌',
  running: '●',
  succeeded: '✓',
  failed: '✗',
  timed_out: '✗',
  cancelled: '⊘',
  skipped: '–',
  paused: '‖',
  failing: '✗',
  ok: '✓',
};

/** A status as a word with a mark and a colour; the word carries the meaning, never the colour alone. */
export function Badge({ status, label }: { status: string; label?: string }) {
  return (
    <span class={`badge badge-${status}`}>
      <span aria-hidden="true">{MARKS[status] ?? '•'} </span>
      {label ?? statusLabel(status)}
    </span>
  );
}
