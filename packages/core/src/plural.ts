/** `1 repository`, `3 repositories`: a count with its noun, for messages and log lines. */
export function plural(count: number, one: string, many: string): string {
  return `${count} ${count === 1 ? one : many}`;
}
