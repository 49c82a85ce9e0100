import { isIP } from 'node:net';
import { READ_TOKEN_ENV, TOKEN_ENV } from './tokens.js';

/** `localhost`, 127.0.0.0/8, `::1` and their IPv4-mapped form: only this machine can connect. */
export function isLoopback(host: string): boolean {
  const bare = host.replace(/^\[|\]$/g, '').toLowerCase();
  if (bare === 'localhost' || bare === '::1') return true;
  const v4 = bare.startsWith('::ffff:') ? bare.slice('::ffff:'.length) : bare;
  return isIP(v4) === 4 && v4.startsWith('127.');
}

/**
 * What to warn about when the server listens beyond this machine with no token: anyone who
 * reaches it reads the repositories, runs and deploy output (actions stay refused).
 */
export function exposureWarning(host: string, tokensConfigured: boolean): string | undefined {
  if (tokensConfigured || isLoopback(host)) return undefined;
  return `server: listening on ${host} without an API token: anyone who can reach it reads the status, the runs, the deploy output and the event stream (actions stay refused). Set server.token or ${TOKEN_ENV} (and server.read_token or ${READ_TOKEN_ENV} for read-only clients), or bind to 127.0.0.1 (server.host, --host).`;
}
