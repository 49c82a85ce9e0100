import { classifyGitStderr } from '@sentry-git/core/internal';

/** The QA repository a git step worked on, to name the configuration keys behind a failure. */
export interface QaRepositoryRef {
  /** The repository entry whose deploy block names the QA repository. */
  repository: string | undefined;
  branch: string | undefined;
}

/**
 * What git's stderr means for a QA repository clone or fetch, and which key to fix; undefined
 * when it says nothing known. The QA repository has its own keys (deploy.qa_repo_url,
 * deploy.auth): monitor.auth is never sent to it.
 */
export function qaFailureHint(stderr: string, qa: QaRepositoryRef): string | undefined {
  const of = qa.repository ? ` of repository "${qa.repository}"` : '';
  switch (classifyGitStderr(stderr)) {
    case 'auth':
      return `Authentication failed: the host refused the QA repository's credentials, or asked for some and none were given. Fix: set deploy.auth.token${of} (and deploy.auth.username where the host needs a particular one) to a token that can read the QA repository; it does not use monitor.auth.`;
    case 'not-found':
      return `The host has no such repository, or the credentials cannot see it (most hosts answer "not found" for a private repository). Fix: check deploy.qa_repo_url${of}, and deploy.auth.token if the repository is private.`;
    case 'branch-not-found':
      return `The QA repository has no branch ${qa.branch ? `"${qa.branch}"` : 'of that name'}. Fix: check deploy.qa_repo_branch${of}.`;
    case 'unreachable':
      return `The host could not be reached. Fix: check the host in deploy.qa_repo_url${of}, and DNS, proxy and firewall from here.`;
    default:
      return undefined;
  }
}
