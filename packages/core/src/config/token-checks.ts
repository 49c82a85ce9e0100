import type { ConfigIssue } from '../errors.js';
import { formatPath } from './expand.js';
import type { SentryConfig } from './schema.js';

/**
 * The API tokens must say who a request is: a name given twice, or one token value under two
 * keys (a read token that is also an admin one), would make that ambiguous. Messages name the
 * keys, never the values: those are secrets.
 */
export function apiTokenIssues(server: SentryConfig['server']): ConfigIssue[] {
  const issues: ConfigIssue[] = [];
  const values = new Map<string, string>();
  const names = new Map<string, number>();
  function noteValue(value: string | undefined, key: string): void {
    if (value === undefined || value === '') return;
    const first = values.get(value);
    if (first === undefined) {
      values.set(value, key);
      return;
    }
    issues.push({
      path: key,
      message: `the same token as ${first}: a request with it could not be told apart. Fix: give each token its own value.`,
    });
  }
  noteValue(server.token, 'server.token');
  noteValue(server.read_token, 'server.read_token');
  server.tokens.forEach((entry, index) => {
    const first = names.get(entry.name);
    if (first === undefined) names.set(entry.name, index);
    else {
      issues.push({
        path: formatPath(['server', 'tokens', index, 'name']),
        message: `duplicate token name "${entry.name}" (also server.tokens[${first}]). Fix: give each token a unique name: it is recorded as who acted.`,
      });
    }
    noteValue(entry.token, formatPath(['server', 'tokens', index, 'token']));
  });
  return issues;
}
