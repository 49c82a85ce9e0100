import { splitUrlCredentials } from '@sentry-git/core/internal';

const SCHEME = /^[a-z][a-z0-9+.-]*:\/\//i;
/** `user@host:path` (scp-like SSH), not `C:\path` or a URL. */
const SCP_LIKE = /^(?:[^@/\s]+@)?([^:/\s]+):(?!\/\/)(.+)$/;

/**
 * A comparable key for a repository URL: host and path, lowercased, without credentials, scheme,
 * port, `.git` suffix or trailing slash. A forge's push names the repository by its web URL
 * (`https://github.com/acme/app`) while the configuration may say `https://token@github.com/Acme/app.git`
 * or `git@github.com:acme/app.git`; forges treat owner and name case-insensitively.
 */
export function repoUrlKey(url: string): string {
  const bare = splitUrlCredentials(url.trim()).url;
  let hostAndPath = bare;
  if (SCHEME.test(bare)) {
    try {
      const parsed = new URL(bare);
      hostAndPath = `${parsed.hostname}/${parsed.pathname}`;
    } catch {
      // Not a URL after all: compare it as written.
    }
  } else {
    const scp = SCP_LIKE.exec(bare);
    if (scp) hostAndPath = `${scp[1]}/${scp[2]}`;
  }
  return hostAndPath
    .toLowerCase()
    .replace(/\/{2,}/g, '/')
    .replace(/\/+$/, '')
    .replace(/\.git$/, '')
    .replace(/\/+$/, '');
}
