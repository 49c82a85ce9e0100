import { splitUrlCredentials } from '@sentry-git/core/internal';

export type RepositoryProvider = 'github' | 'gitlab' | 'gitea' | 'git';

/** What a push payload says about the watched repository, derived from its URL alone. */
export interface RepositoryFacts {
  provider: RepositoryProvider;
  /** Host name without port; '' for a local path. */
  host: string;
  /** Owner or group path (GitLab subgroups keep their slashes); '' when the path has one segment. */
  organization: string;
  name: string;
  /** `organization/name`, or `name` alone. */
  fullName: string;
  /** The URL as configured, without credentials. */
  url: string;
  webUrl: string;
  /** An http(s) clone URL where one can be derived, else `url`. */
  cloneUrl: string;
  sshUrl: string;
}

interface Location {
  kind: 'http' | 'ssh' | 'local';
  /** `https:` or `http:` for kind http. */
  protocol: string;
  hostname: string;
  /** hostname plus `:port` when one was given. */
  authority: string;
  /** Path segments without a trailing `.git`. */
  segments: string[];
  hadGitSuffix: boolean;
}

// `git@host:owner/repo.git`: no scheme, a colon before the first slash.
const SCP_LIKE = /^(?:[^@/]+@)?([^:/]+):(.+)$/;
const SCHEME = /^[a-z][a-z0-9+.-]*:\/\//i;

function splitPath(path: string): { segments: string[]; hadGitSuffix: boolean } {
  const trimmed = path.replace(/^\/+|\/+$/g, '');
  const hadGitSuffix = trimmed.endsWith('.git');
  const bare = hadGitSuffix ? trimmed.slice(0, -4) : trimmed;
  return { segments: bare.split('/').filter(Boolean), hadGitSuffix };
}

function locate(url: string): Location {
  if (SCHEME.test(url)) {
    const parsed = new URL(url);
    const kind = /^https?:$/.test(parsed.protocol) ? 'http' : parsed.hostname ? 'ssh' : 'local';
    return {
      kind,
      protocol: parsed.protocol,
      hostname: parsed.hostname,
      authority: parsed.host,
      ...splitPath(decodeURIComponent(parsed.pathname)),
    };
  }
  const scp = SCP_LIKE.exec(url);
  if (scp && !url.startsWith('/')) {
    const hostname = scp[1] ?? '';
    return { kind: 'ssh', protocol: '', hostname, authority: hostname, ...splitPath(scp[2] ?? '') };
  }
  return { kind: 'local', protocol: '', hostname: '', authority: '', ...splitPath(url) };
}

/** The forge behind a host name, by the names forges are usually served under. */
export function providerOfHost(hostname: string): RepositoryProvider {
  const host = hostname.toLowerCase();
  if (/\bgithub\b/.test(host)) return 'github';
  if (/\bgitlab\b/.test(host)) return 'gitlab';
  if (/\b(gitea|forgejo)\b/.test(host) || host === 'codeberg.org') return 'gitea';
  return 'git';
}

/** The forge a `repo_type` names; other types (git, plugins') fall back to the host name. */
function providerOfType(repoType: string | undefined): RepositoryProvider | undefined {
  if (repoType === 'github' || repoType === 'gitlab' || repoType === 'gitea') return repoType;
  if (repoType === 'forgejo') return 'gitea';
  return undefined;
}

export function describeRepository(repoUrl: string, repoType?: string): RepositoryFacts {
  // Job URLs carry no credentials by contract; stripping again costs nothing and keeps a
  // token out of a payload that other systems log.
  const url = splitUrlCredentials(repoUrl).url;
  const where = locate(url);
  const name = where.segments.at(-1) ?? url;
  const organization = where.kind === 'local' ? '' : where.segments.slice(0, -1).join('/');
  const fullName = organization ? `${organization}/${name}` : name;
  const provider =
    providerOfType(repoType) ?? (where.kind === 'local' ? 'git' : providerOfHost(where.hostname));
  const path = where.segments.join('/');
  if (where.kind === 'local') {
    return { provider, host: '', organization, name, fullName, url, webUrl: url, cloneUrl: url, sshUrl: url };
  }
  const webUrl =
    where.kind === 'http'
      ? `${where.protocol}//${where.authority}/${path}`
      : `https://${where.hostname}/${path}`;
  // Forges answer clones on `<web>.git`; a plain git server is left exactly as configured.
  const cloneUrl =
    where.kind === 'http' && (where.hadGitSuffix || provider === 'git') ? url : `${webUrl}.git`;
  const sshUrl = where.kind === 'ssh' ? url : `git@${where.hostname}:${path}.git`;
  return { provider, host: where.hostname, organization, name, fullName, url, webUrl, cloneUrl, sshUrl };
}
