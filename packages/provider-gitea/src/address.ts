import { type ProviderTarget, redactUrl, SentryError } from '@sentry-git/core';
import { splitUrlCredentials } from '@sentry-git/core/internal';

/** Where a repository lives on a Gitea or Forgejo server. */
export interface GiteaAddress {
  owner: string;
  repo: string;
  /** The API root, e.g. `https://git.example.com/api/v1` (no trailing slash). */
  apiBase: string;
}

/** A target resolved for API calls: its address, token, and what error messages may show. */
export interface ResolvedTarget extends GiteaAddress {
  repository: string;
  /** `repo_url` with credentials replaced, for messages. */
  safeUrl: string;
  token: string | undefined;
}

const SCHEME = /^([a-z][a-z0-9+.-]*):\/\//i;
// `user@host:path` (scp-like); a Windows drive (`C:\`) or a path without `:` is not one.
const SCP_LIKE = /^(?:[^@/\s]+@)?(?<host>[^:/\s]+):(?!\/\/)(?<path>.+)$/;

function invalidUrl(target: ProviderTarget, why: string): SentryError {
  return new SentryError(
    'PROVIDER_INVALID_URL',
    `Repository "${target.repository}": ${why} (repo_url ${redactUrl(target.url)}).`,
    {
      fix: 'use the https or ssh URL of a Gitea/Forgejo repository (https://git.example.com/owner/name.git), or set repo_type to git for other hosts.',
      path: target.repository,
    },
  );
}

function decode(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
}

/** owner and name from the last two path segments; `.git` and trailing slashes dropped. */
function ownerAndRepo(path: string): { owner: string; repo: string; prefix: string } | null {
  const segments = path.split('/').filter(Boolean);
  if (segments.length < 2) return null;
  const repo = decode(segments.at(-1)!.replace(/\.git$/i, ''));
  const owner = decode(segments.at(-2)!);
  if (!owner || !repo) return null;
  const prefix = segments.slice(0, -2).join('/');
  return { owner, repo, prefix: prefix ? `/${prefix}` : '' };
}

/** The API root from `monitor.api_base_url`: a bare origin gets `/api/v1`. */
function overrideBase(target: ProviderTarget, apiBaseUrl: string): string {
  let url: URL;
  try {
    url = new URL(apiBaseUrl);
  } catch {
    throw invalidUrl(target, `api_base_url "${redactUrl(apiBaseUrl)}" is not a URL`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw invalidUrl(target, `api_base_url must be http(s), got ${url.protocol}`);
  }
  url.username = '';
  url.password = '';
  url.search = '';
  url.hash = '';
  const path = url.pathname.replace(/\/+$/, '');
  return `${url.origin}${path === '' ? '/api/v1' : path}`;
}

/**
 * owner/name and the API root from `repo_url`. https/http keep their scheme, port and a sub-path
 * install (`https://host/gitea/o/r` → `https://host/gitea/api/v1`); ssh, git and scp-like URLs
 * map to `https://HOST/api/v1` (the SSH port says nothing about the web port).
 */
export function parseRepoUrl(target: ProviderTarget): GiteaAddress {
  const url = splitUrlCredentials(target.url.trim()).url;
  const scheme = SCHEME.exec(url)?.[1]?.toLowerCase();
  let address: GiteaAddress | null = null;
  if (scheme === 'http' || scheme === 'https') {
    const parsed = new URL(url);
    const parts = ownerAndRepo(parsed.pathname);
    if (parts)
      address = { owner: parts.owner, repo: parts.repo, apiBase: `${parsed.origin}${parts.prefix}/api/v1` };
  } else if (scheme === 'ssh' || scheme === 'git' || scheme === 'git+ssh' || scheme === 'ssh+git') {
    const parsed = new URL(url.replace(SCHEME, 'ssh://'));
    const parts = ownerAndRepo(parsed.pathname);
    if (parts)
      address = { owner: parts.owner, repo: parts.repo, apiBase: `https://${parsed.hostname}/api/v1` };
  } else if (scheme === undefined) {
    if (/^[./~\\]/.test(url) || /^[a-z]:[\\/]/i.test(url))
      throw invalidUrl(target, 'a local path has no Gitea API');
    const scp = SCP_LIKE.exec(url);
    const parts = scp?.groups ? ownerAndRepo(scp.groups.path!) : null;
    if (scp?.groups && parts) {
      address = { owner: parts.owner, repo: parts.repo, apiBase: `https://${scp.groups.host}/api/v1` };
    }
  } else {
    throw invalidUrl(target, `a ${scheme}:// URL has no Gitea API`);
  }
  if (!address) throw invalidUrl(target, 'the URL names no owner/repository');
  if (target.apiBaseUrl) address.apiBase = overrideBase(target, target.apiBaseUrl);
  return address;
}

/** Address, token (`auth.token`, else a password written into the URL) and a printable URL. */
export function resolveTarget(target: ProviderTarget): ResolvedTarget {
  const address = parseRepoUrl(target);
  const token = target.auth?.token || splitUrlCredentials(target.url).password || undefined;
  // Written out, not `{ ...address, ... }`: a spread of an address whose apiBase was replaced
  // gave every repository's target its own hidden class (a map and a descriptor array each,
  // about 250 bytes per repository in a heap snapshot of watch with 5,000 repositories).
  return {
    owner: address.owner,
    repo: address.repo,
    apiBase: address.apiBase,
    repository: target.repository,
    safeUrl: redactUrl(target.url),
    token,
  };
}

/**
 * One path segment, percent-encoded. gitea-js pastes path parameters in as they are, so a
 * branch `feature/#123` would end the path at `#`; Gitea unescapes `%2F` and `%23` in its
 * wildcard parameters (`ctx.PathParam` → `url.PathUnescape`).
 */
export function segment(value: string): string {
  return encodeURIComponent(value);
}
