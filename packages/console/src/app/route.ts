import { useEffect, useState } from 'preact/hooks';

/** The console's views, kept in the address bar's fragment so that back, forward and links work. */
export type Route = { view: 'overview' } | { view: 'run'; runId: string; jobId: string | null };

export function parseRoute(hash: string): Route {
  const match = /^#\/runs\/([^/]+)(?:\/jobs\/([^/]+))?$/.exec(hash);
  if (match) {
    return {
      view: 'run',
      runId: decodeURIComponent(match[1]!),
      jobId: match[2] === undefined ? null : decodeURIComponent(match[2]),
    };
  }
  return { view: 'overview' };
}

export function runHref(runId: string, jobId?: string): string {
  const run = `#/runs/${encodeURIComponent(runId)}`;
  return jobId === undefined ? run : `${run}/jobs/${encodeURIComponent(jobId)}`;
}

export function useRoute(): Route {
  const [route, setRoute] = useState(() => parseRoute(location.hash));
  useEffect(() => {
    const update = () => setRoute(parseRoute(location.hash));
    addEventListener('hashchange', update);
    return () => removeEventListener('hashchange', update);
  }, []);
  return route;
}
