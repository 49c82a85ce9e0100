import type pLimit from 'p-limit';

/** What a request without octokit needs: the API root, the token, a fetch and a limit. */
export interface DirectRoute {
  baseUrl: string;
  /** `baseUrl` parsed once, for the check that every URL asked lies under it. */
  root: string | URL;
  token: string | undefined;
  userAgent: string;
  fetch: typeof fetch;
  /** Requests in flight on this route at most (the client's `maxInFlight`). */
  limit: ReturnType<typeof pLimit>;
}

/** `<API root>/repos/<owner>/<repo>`: where every direct URL of one repository starts. */
export function repoUrl(route: DirectRoute, repository: { owner: string; repo: string }): string {
  return `${route.baseUrl}/repos/${encodeURIComponent(repository.owner)}/${encodeURIComponent(repository.repo)}`;
}
