import { redactUrl, SentryError } from '@sentry-git/core';
import { splitUrlCredentials } from '@sentry-git/core/internal';

/** Where to POST, with any credentials moved out of the URL (fetch refuses URLs that hold them). */
export interface EventListenerTarget {
  url: string;
  /** Safe to print. */
  printable: string;
  /** `Basic ...` from user info in the configured URL (a proxy in front of the listener). */
  authorization?: string;
}

export function eventListenerTarget(url: string): EventListenerTarget {
  const printable = redactUrl(url);
  const { url: bare, username, password } = splitUrlCredentials(url);
  let parsed: URL;
  try {
    parsed = new URL(bare);
  } catch {
    throw invalidUrl(printable, 'it is not a URL');
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') {
    throw invalidUrl(printable, `the scheme ${parsed.protocol} is not http or https`);
  }
  const target: EventListenerTarget = { url: bare, printable };
  if (username !== undefined || password !== undefined) {
    const pair = `${username ?? ''}:${password ?? ''}`;
    target.authorization = `Basic ${Buffer.from(pair, 'utf8').toString('base64')}`;
  }
  return target;
}

function invalidUrl(printable: string, why: string): SentryError {
  return new SentryError('EVENTLISTENER_URL_INVALID', `Cannot deliver to "${printable}": ${why}.`, {
    fix: 'Set tekton.event_listener_url to the listener\'s address, e.g. "http://el-ci.tekton-pipelines.svc.cluster.local:8080".',
    path: 'tekton.event_listener_url',
  });
}
