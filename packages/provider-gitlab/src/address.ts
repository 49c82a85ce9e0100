import { redactUrl, SentryError } from '@sentry-git/core';
import { splitUrlCredentials } from '@sentry-git/core/internal';

/** Where a GitLab project lives: the API to ask and the project's full path. */
export interface GitlabAddress {
  /** The API root without a trailing slash, e.g. `https://gitlab.com/api/v4`. */
  apiBaseUrl: string;
  /** The full project path with every (sub)group, e.g. `group/sub/project`. */
  projectPath: string;
  /** The repository URL with credentials removed, for messages. */
  displayUrl: string;
}

// `user@host:path` (scp-like), but not a URL with a scheme and not a Windows drive letter.
const SCP_LIKE = /^(?:[^@/]+@)?([^:/]+):(?!\/\/)(.+)$/;
const SCHEME = /^[a-z][a-z0-9+.-]*:\/\//i;

function badUrl(repository: string, url: string, why: string): SentryError {
  return new SentryError(
    'PROVIDER_BAD_URL',
    `Repository "${repository}": ${redactUrl(url)} is not a GitLab project URL (${why}).`,
    {
      fix: 'set monitor.repo_url to the project URL, e.g. https://gitlab.com/group/subgroup/project.git or git@gitlab.com:group/project.git.',
      path: repository,
      details: { repository, url: redactUrl(url) },
    },
  );
}

/** The project path from a URL path: no slashes at the ends, no `.git`, no `/-/tree/...` web suffix. */
function projectPathOf(pathname: string): string {
  const trimmed = pathname.replace(/\/-\/.*$/, '').replace(/^\/+|\/+$/g, '');
  return trimmed.replace(/\.git$/, '');
}

function decodeSegments(path: string): string {
  return path
    .split('/')
    .map((segment) => {
      try {
        return decodeURIComponent(segment);
      } catch {
        return segment;
      }
    })
    .join('/');
}

interface ParsedUrl {
  /** `https://host[:port]` for http(s) URLs; `https://host` for ssh, git and scp-like ones. */
  origin: string;
  hostname: string;
  path: string;
}

function parseRepoUrl(repository: string, url: string): ParsedUrl {
  const clean = splitUrlCredentials(url).url;
  if (SCHEME.test(clean)) {
    let parsed: URL;
    try {
      parsed = new URL(clean);
    } catch {
      throw badUrl(repository, url, 'it cannot be parsed');
    }
    const scheme = parsed.protocol.replace(/:$/, '').toLowerCase();
    if (scheme === 'file') throw badUrl(repository, url, 'a file:// URL has no API; use repo_type: git');
    // The API of an ssh:// or git:// remote is on the same host over https; the SSH port says nothing about it.
    const origin = scheme === 'http' || scheme === 'https' ? parsed.origin : `https://${parsed.hostname}`;
    return { origin, hostname: parsed.hostname, path: decodeSegments(projectPathOf(parsed.pathname)) };
  }
  const scp = SCP_LIKE.exec(clean);
  if (scp && !clean.startsWith('/')) {
    const [, host = '', path = ''] = scp;
    return { origin: `https://${host}`, hostname: host, path: projectPathOf(path) };
  }
  throw badUrl(repository, url, 'a local path has no API; use repo_type: git');
}

/**
 * The API root and project path of a GitLab repository URL: https, http, ssh://, git:// and
 * scp-like `git@host:group/project.git`. The API is `https://HOST/api/v4` (http(s) URLs keep their
 * scheme and port); `apiBaseUrl` (monitor.api_base_url) overrides it. When GitLab is served under a
 * relative URL root (`https://host/gitlab`), the root is taken off the project path if
 * `apiBaseUrl` names it (`https://host/gitlab/api/v4`).
 */
export function gitlabAddress(repository: string, url: string, apiBaseUrl?: string): GitlabAddress {
  const parsed = parseRepoUrl(repository, url);
  let api = `${parsed.origin}/api/v4`;
  let path = parsed.path;
  if (apiBaseUrl) {
    let base: URL;
    try {
      base = new URL(apiBaseUrl);
    } catch {
      throw new SentryError('PROVIDER_BAD_URL', `Repository "${repository}": api_base_url is not a URL.`, {
        fix: 'set monitor.api_base_url to the API root, e.g. https://gitlab.example.com/api/v4.',
        path: repository,
      });
    }
    api = `${base.origin}${base.pathname.replace(/\/+$/, '')}`;
    const root = base.pathname.replace(/\/api\/v4\/?$/, '').replace(/^\/+|\/+$/g, '');
    if (root && base.hostname === parsed.hostname && path.startsWith(`${root}/`)) {
      path = path.slice(root.length + 1);
    }
  }
  if (!/^[^/]+(\/[^/]+)+$/.test(path)) {
    throw badUrl(repository, url, 'it names no group/project path');
  }
  return { apiBaseUrl: api, projectPath: path, displayUrl: redactUrl(splitUrlCredentials(url).url) };
}
