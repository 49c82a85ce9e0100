/** The first 7 characters of a commit SHA, as git shows it. */
export function shortSha(sha: string | null): string {
  return sha === null ? '—' : sha.slice(0, 7);
}

/** A duration in words a glance reads: `850 ms`, `4.2 s`, `3 min 5 s`, `2 h 10 min`. */
export function formatDuration(ms: number | null): string {
  if (ms === null || !Number.isFinite(ms) || ms < 0) return '—';
  if (ms < 1000) return `${Math.round(ms)} ms`;
  const seconds = ms / 1000;
  if (seconds < 60) return `${seconds < 10 ? seconds.toFixed(1) : Math.round(seconds)} s`;
  const minutes = Math.floor(seconds / 60);
  if (minutes < 60) return `${minutes} min ${Math.round(seconds % 60)} s`;
  return `${Math.floor(minutes / 60)} h ${minutes % 60} min`;
}

/** How long something took, or has been going on until `now`. */
export function elapsed(startedAt: string | null, finishedAt: string | null, now: number): string {
  if (startedAt === null) return '—';
  const end = finishedAt === null ? now : Date.parse(finishedAt);
  return formatDuration(end - Date.parse(startedAt));
}

/** `12 s ago`, `5 min ago`, `3 h ago`, else the date. */
export function ago(iso: string | null, now: number): string {
  if (iso === null) return 'never';
  const seconds = Math.max(0, Math.round((now - Date.parse(iso)) / 1000));
  if (seconds < 60) return `${seconds} s ago`;
  if (seconds < 3600) return `${Math.floor(seconds / 60)} min ago`;
  if (seconds < 86_400) return `${Math.floor(seconds / 3600)} h ago`;
  return new Date(iso).toLocaleDateString();
}

/** A local date and time, for a tooltip beside a relative one. */
export function fullTime(iso: string | null): string {
  return iso === null ? '' : new Date(iso).toLocaleString();
}

/** `repository:app` → `app`, `group:web` → `group web`. */
export function unitLabel(unit: string): string {
  if (unit.startsWith('repository:')) return unit.slice('repository:'.length);
  if (unit.startsWith('group:')) return `group ${unit.slice('group:'.length)}`;
  return unit;
}

/** `timed_out` → `timed out`. */
export function statusLabel(status: string): string {
  return status.replace(/_/g, ' ');
}

export function isFinished(status: string): boolean {
  return status !== 'queued' && status !== 'running';
}
