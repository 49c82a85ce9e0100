import type {
  GitProvider,
  Registry,
  RepositoryConfig,
  SentryConfig,
  WebhookPush,
  WebhookResult,
} from '@sentry-git/core';
import { compileBranchMatcher } from '@sentry-git/core/internal';
import { HttpError } from './http-error.js';
import { repoUrlKey } from './repo-url.js';

type Headers = Record<string, string | string[] | undefined>;

/** What a delivery leads to: a poll of these repositories, an acknowledged no-op, or a refusal. */
export type WebhookOutcome =
  | { kind: 'accepted'; repositories: string[]; push: WebhookPush }
  | { kind: 'ignored'; status: number; reason: string }
  | { kind: 'rejected'; error: HttpError };

interface Candidate {
  repo: RepositoryConfig;
  secret: string | undefined;
  urlKey: string;
  watches: (branch: string) => boolean;
}

/** The ids of the installed providers (a fallback such as github → git is not one). */
export function installedProviders(registry: Registry): ReadonlySet<string> {
  return registry.known().providers ?? new Set();
}

function webhookProvider(registry: Registry, id: string): GitProvider {
  const ids = installedProviders(registry);
  const receivers = [...ids].filter((name) => Boolean(registry.provider(name).provider.parseWebhook));
  const choose = `Send webhooks to /webhooks/<provider> with one of: ${receivers.join(', ') || 'none installed'}.`;
  if (!ids.has(id))
    throw new HttpError(404, 'UNKNOWN_PROVIDER', `No provider "${id}" is installed.`, { fix: choose });
  const { provider } = registry.provider(id);
  if (!provider.parseWebhook) {
    throw new HttpError(404, 'WEBHOOKS_UNSUPPORTED', `The provider "${id}" does not receive webhooks.`, {
      fix: `Rely on polling for these repositories. ${choose}`,
    });
  }
  return provider;
}

function servedBy(registry: Registry, repo: RepositoryConfig, provider: GitProvider): boolean {
  try {
    return registry.provider(repo.monitor.repo_type).provider === provider;
  } catch {
    return false;
  }
}

/**
 * Tries each secret in use until one verifies the delivery. Any answer but 401 means the
 * signature checked out (providers verify before they read the body).
 */
function verify(
  provider: GitProvider,
  secrets: string[],
  headers: Headers,
  rawBody: Buffer,
): { secret: string; result: WebhookResult } | HttpError {
  let refusal: string | undefined;
  for (const secret of secrets) {
    const result = provider.parseWebhook!(headers, rawBody, secret);
    if (result.ok || result.status !== 401) return { secret, result };
    refusal ??= result.reason;
  }
  return new HttpError(401, 'WEBHOOK_SIGNATURE_INVALID', `Webhook refused: ${refusal ?? 'bad signature'}.`, {
    fix: "Set the same secret on the forge's webhook and in server.webhook_secret or the repository's monitor.webhook_secret.",
  });
}

/** The repositories a verified push is for: same URL, signed with their secret, branch watched. */
function match(
  candidates: Candidate[],
  push: WebhookPush,
  secret: string,
  providerId: string,
): WebhookOutcome {
  const key = repoUrlKey(push.repoUrl);
  const sameUrl = candidates.filter((candidate) => candidate.urlKey === key);
  if (sameUrl.length === 0) {
    return {
      kind: 'ignored',
      status: 202,
      reason: `no watched ${providerId} repository has the URL ${push.repoUrl}`,
    };
  }
  const signedForIt = sameUrl.filter((candidate) => candidate.secret === secret);
  if (signedForIt.length === 0) {
    const names = sameUrl.map((candidate) => candidate.repo.name).join(', ');
    const error = new HttpError(
      401,
      'WEBHOOK_SIGNATURE_INVALID',
      `Webhook refused: it is not signed with the webhook secret of ${names}.`,
      {
        fix: `Sign ${names}'s webhook with its monitor.webhook_secret.`,
      },
    );
    return { kind: 'rejected', error };
  }
  const watching = signedForIt.filter((candidate) => candidate.watches(push.branch));
  if (watching.length === 0) {
    const names = signedForIt.map((candidate) => candidate.repo.name).join(', ');
    return { kind: 'ignored', status: 202, reason: `branch "${push.branch}" is not watched by ${names}` };
  }
  return { kind: 'accepted', repositories: watching.map((candidate) => candidate.repo.name), push };
}

/**
 * Turns a webhook delivery into the repositories to poll. The signature is checked with the
 * secrets of the provider's repositories (`monitor.webhook_secret`, else the server's) before
 * anything in the body counts. Unsigned deliveries are refused: anyone could otherwise make
 * sentry-git spend forge quota.
 */
export function createWebhookResolver(input: {
  config: SentryConfig;
  registry: Registry;
  serverSecret: string | undefined;
}): (providerId: string, headers: Headers, rawBody: Buffer) => WebhookOutcome {
  const { config, registry, serverSecret } = input;
  const compiledPatterns = new Map<string, (branch: string) => boolean>();
  const candidates: Candidate[] = config.repositories.map((repo) => ({
    repo,
    secret: repo.monitor.webhook_secret || serverSecret,
    urlKey: repoUrlKey(repo.monitor.repo_url),
    watches: compileBranchMatcher(repo.monitor.branches, compiledPatterns),
  }));

  return (providerId, headers, rawBody) => {
    let provider: GitProvider;
    try {
      provider = webhookProvider(registry, providerId);
    } catch (error) {
      return { kind: 'rejected', error: error as HttpError };
    }
    const mine = candidates.filter((candidate) => servedBy(registry, candidate.repo, provider));
    const inUse = mine.length > 0 ? mine.map((candidate) => candidate.secret) : [serverSecret];
    const secrets = [...new Set(inUse.filter((secret): secret is string => secret !== undefined))];
    if (secrets.length === 0) {
      const error = new HttpError(
        403,
        'WEBHOOK_SECRET_MISSING',
        `No webhook secret is configured for ${providerId} repositories.`,
        {
          fix: "Set server.webhook_secret (or monitor.webhook_secret per repository) and the same secret on the forge's webhook.",
        },
      );
      return { kind: 'rejected', error };
    }
    const verified = verify(provider, secrets, headers, rawBody);
    if (verified instanceof HttpError) return { kind: 'rejected', error: verified };
    const { result, secret } = verified;
    if (result.ok) return match(mine, result.push, secret, providerId);
    if (result.status < 300) return { kind: 'ignored', status: result.status, reason: result.reason };
    return {
      kind: 'rejected',
      error: new HttpError(result.status, 'WEBHOOK_INVALID', `Webhook refused: ${result.reason}.`),
    };
  };
}
