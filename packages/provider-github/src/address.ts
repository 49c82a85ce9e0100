import { redactUrl, SentryError } from '@sentry-git/core';
import { splitUrlCredentials } from '@sentry-git/core/internal';

/** Where a GitHub repository lives: its host and `owner/name`. */
export interface RepoAddress {
  /** Host name without port, lower case (`github.com`, `ghe.example.com`). */
  host: string;
  /** Host with the port of an http(s) URL, as written (`ghe.example.com:8443`). */
  authority: string;
  /** `http:` or `https:` for http(s) URLs; `https:` for ssh and scp-like URLs. */
  protocol: 'http:' | 'https:';
  owner: string;
  repo: string;
}

// `git@host:owner/repo.git`: scp-like syntax has a colon before the first slash and no scheme.
const SCP_LIKE = /^(?:[^@/:]+@)?([^/:]+):(?!\/\/)(.+)$/;

function invalid(repository: string, url: string, why: string): SentryError {
  return new SentryError(
    'PROVIDER_INVALID_URL',
    `The GitHub provider cannot use monitor.repo_url of repository "${repository}" (${redactUrl(url)}): ${why}.`,
    {
      fix: 'write it as https://github.com/OWNER/REPO (or https://HOST/OWNER/REPO for GitHub Enterprise Server, or git@HOST:OWNER/REPO.git).',
      path: repository,
    },
  );
}

function safeDecode(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}

/** Reads `owner/repo` and the host from an https, ssh or scp-like repository URL (`.git` stripped). */
export function parseRepoAddress(url: string, repository: string): RepoAddress {
  const clean = splitUrlCredentials(url.trim()).url;
  let host: string;
  let authority: string;
  let protocol: RepoAddress['protocol'] = 'https:';
  let path: string;
  const scp = /^[a-z][a-z0-9+.-]*:\/\//i.test(clean) ? null : SCP_LIKE.exec(clean);
  if (scp) {
    host = scp[1]!.toLowerCase();
    authority = host;
    path = scp[2]!;
  } else {
    let parsed: URL;
    try {
      parsed = new URL(clean);
    } catch {
      throw invalid(repository, url, 'it is not a URL');
    }
    if (parsed.protocol === 'http:' || parsed.protocol === 'https:') {
      protocol = parsed.protocol;
      authority = parsed.host.toLowerCase();
    } else if (parsed.protocol === 'ssh:' || parsed.protocol === 'git+ssh:' || parsed.protocol === 'git:') {
      // An SSH port says nothing about where the web API listens.
      authority = parsed.hostname.toLowerCase();
    } else {
      throw invalid(repository, url, `the ${parsed.protocol} scheme does not name a GitHub host`);
    }
    host = parsed.hostname.toLowerCase();
    path = safeDecode(parsed.pathname);
  }
  const segments = path.split('/').filter(Boolean);
  if (segments.length < 2) throw invalid(repository, url, 'it does not name OWNER/REPO');
  const owner = segments[0]!;
  const repo = segments[1]!.replace(/\.git$/i, '');
  if (!host || !owner || !repo) throw invalid(repository, url, 'it does not name OWNER/REPO');
  return { host, authority, protocol, owner, repo };
}

/**
 * The REST API root for a repository: api.github.com for github.com, `api.SUBDOMAIN.ghe.com` for
 * GitHub Enterprise Cloud with data residency, `/api/v3` on the host for GitHub Enterprise Server.
 * `monitor.api_base_url` wins over all of these.
 */
export function apiBaseUrl(address: RepoAddress, override?: string): string {
  if (override) return override.replace(/\/+$/, '');
  if (address.host === 'github.com' || address.host === 'www.github.com') return 'https://api.github.com';
  if (address.host.endsWith('.ghe.com') && !address.host.startsWith('api.')) {
    return `https://api.${address.host}`;
  }
  return `${address.protocol}//${address.authority}/api/v3`;
}
