import { hostname, userInfo } from 'node:os';

/**
 * Who the CLI records as having asked for an action it takes without a server: `user@host`.
 * A container user without a passwd entry has no name: `USER`, else `uid<N>`, stands in.
 */
export function cliActor(): string {
  let user: string;
  try {
    user = userInfo().username;
  } catch {
    user = process.env.USER || `uid${process.getuid?.() ?? 'unknown'}`;
  }
  return `${user}@${hostname()}`;
}
