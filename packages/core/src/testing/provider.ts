import { describe, expect, it, onTestFinished } from 'vitest';
import { compileBranchMatcher } from '../engine/matcher.js';
import { isSentryError } from '../errors.js';
import type { GitProvider, ProviderTarget } from '../interfaces/provider.js';
import type { BranchHead } from '../types.js';

/** A remote repository the suite can change, and the target that points a provider at it. */
export interface RemoteFixture {
  target: ProviderTarget;
  /** Add a commit to `branch` (creating it when missing) and return the new head SHA. */
  commit(branch: string): Promise<string>;
  deleteBranch(branch: string): Promise<void>;
  /**
   * Optional fast path for the many-branches test: create each branch with a commit of its own
   * and return the head SHAs in the same order. Without it the suite calls `commit()` per branch.
   */
  commitMany?(branches: string[]): Promise<string[]>;
  cleanup?(): Promise<void>;
}

export interface GitProviderSuiteOptions {
  /** Title of the describe block. */
  name?: string;
  provider: GitProvider | (() => GitProvider | Promise<GitProvider>);
  /** A fresh, empty remote per call. */
  createRemote(): Promise<RemoteFixture>;
  /** a target that does not exist */
  missingTarget?(): Promise<ProviderTarget> | ProviderTarget;
}

const OBJECT_ID = /^[0-9a-f]{40}(?:[0-9a-f]{24})?$/;
const MANY_BRANCHES = 120;

/** Branch patterns as the configuration has them: each a full-match regular expression. */
function fullMatch(...patterns: string[]): (branch: string) => boolean {
  return compileBranchMatcher(patterns);
}

function byBranch(heads: BranchHead[]): BranchHead[] {
  return [...heads].sort((a, b) => (a.branch < b.branch ? -1 : a.branch > b.branch ? 1 : 0));
}

function rejection(promise: Promise<unknown>): Promise<unknown> {
  return promise.then(
    () => undefined,
    (error: unknown) => error ?? new Error('rejected without a reason'),
  );
}

/** An abort is reported as the signal's reason, an error caused by it, or an abort-coded error. */
function isAbortRejection(error: unknown, reason: unknown): boolean {
  if (error === reason) return true;
  if (!(error instanceof Error) && !(error instanceof DOMException)) return false;
  if (error.name === 'AbortError' || (error instanceof Error && error.cause === reason)) return true;
  const code = (error as { code?: unknown }).code;
  return typeof code === 'string' && /ABORT/i.test(code);
}

/**
 * The contract every GitProvider keeps, run against a real remote the caller provides: heads of
 * matching branches at their SHAs, moves and deletions seen on the next call, many branches,
 * prompt aborts and clear errors for a missing repository.
 */
export function describeGitProvider(options: GitProviderSuiteOptions): void {
  async function resolveProvider(): Promise<GitProvider> {
    return typeof options.provider === 'function' ? options.provider() : options.provider;
  }

  async function remote(): Promise<RemoteFixture> {
    const fixture = await options.createRemote();
    if (fixture.cleanup) onTestFinished(() => fixture.cleanup?.());
    return fixture;
  }

  async function list(provider: GitProvider, target: ProviderTarget, match: (branch: string) => boolean) {
    const result = await provider.listHeads(target, { match, signal: new AbortController().signal });
    expect(Array.isArray(result.heads), 'listHeads must resolve to { heads: [] }').toBe(true);
    for (const head of result.heads) {
      expect(typeof head.branch).toBe('string');
      expect(head.sha, `SHA of ${head.branch}`).toMatch(OBJECT_ID);
    }
    const branches = result.heads.map((head) => head.branch);
    expect(new Set(branches).size, 'each branch is reported once').toBe(branches.length);
    return byBranch(result.heads);
  }

  describe(options.name ?? 'GitProvider conformance', () => {
    it('has an id and a complete capabilities object that matches its methods', async () => {
      const provider = await resolveProvider();
      expect(typeof provider.id).toBe('string');
      expect(provider.id.length).toBeGreaterThan(0);
      const { capabilities } = provider;
      for (const key of ['changedFiles', 'commitStatus', 'webhooks'] as const) {
        expect(typeof capabilities[key], `capabilities.${key}`).toBe('boolean');
      }
      expect(typeof provider.listHeads).toBe('function');
      if (capabilities.changedFiles) expect(typeof provider.changedFiles).toBe('function');
      if (capabilities.commitStatus) expect(typeof provider.setCommitStatus).toBe('function');
      if (capabilities.webhooks) expect(typeof provider.parseWebhook).toBe('function');
    });

    it('reports the heads of matching branches at their SHAs', async () => {
      const provider = await resolveProvider();
      const fixture = await remote();
      const main = await fixture.commit('main');
      const dev = await fixture.commit('dev');
      const heads = await list(provider, fixture.target, fullMatch('main', 'dev'));
      expect(heads).toEqual([
        { branch: 'dev', sha: dev },
        { branch: 'main', sha: main },
      ]);
    });

    it('leaves out branches that do not match', async () => {
      const provider = await resolveProvider();
      const fixture = await remote();
      const main = await fixture.commit('main');
      await fixture.commit('experiment');
      await fixture.commit('main-old');
      expect(await list(provider, fixture.target, fullMatch('main'))).toEqual([
        { branch: 'main', sha: main },
      ]);
      expect(await list(provider, fixture.target, () => false)).toEqual([]);
    });

    it('handles branch names with / and # and regular-expression patterns', async () => {
      const provider = await resolveProvider();
      const fixture = await remote();
      const login = await fixture.commit('feature/login');
      const nested = await fixture.commit('feature/ui/dark-mode');
      const release = await fixture.commit('release#42');
      await fixture.commit('release#next');
      await fixture.commit('hotfix/feature/x');
      const heads = await list(provider, fixture.target, fullMatch('feature/.*', 'release#\\d+'));
      expect(heads).toEqual([
        { branch: 'feature/login', sha: login },
        { branch: 'feature/ui/dark-mode', sha: nested },
        { branch: 'release#42', sha: release },
      ]);
    });

    it('reports a moved head at its new SHA', async () => {
      const provider = await resolveProvider();
      const fixture = await remote();
      const first = await fixture.commit('main');
      expect(await list(provider, fixture.target, fullMatch('main'))).toEqual([
        { branch: 'main', sha: first },
      ]);
      const second = await fixture.commit('main');
      expect(second).not.toBe(first);
      expect(await list(provider, fixture.target, fullMatch('main'))).toEqual([
        { branch: 'main', sha: second },
      ]);
    });

    it('stops reporting a deleted branch', async () => {
      const provider = await resolveProvider();
      const fixture = await remote();
      const main = await fixture.commit('main');
      const topic = await fixture.commit('topic');
      expect(await list(provider, fixture.target, () => true)).toEqual([
        { branch: 'main', sha: main },
        { branch: 'topic', sha: topic },
      ]);
      await fixture.deleteBranch('topic');
      expect(await list(provider, fixture.target, () => true)).toEqual([{ branch: 'main', sha: main }]);
    });

    it(`reports all of ${MANY_BRANCHES} branches`, { timeout: 180_000 }, async () => {
      const provider = await resolveProvider();
      const fixture = await remote();
      const branches = Array.from(
        { length: MANY_BRANCHES },
        (_, index) => `many/${String(index).padStart(3, '0')}`,
      );
      const shas: string[] = [];
      if (fixture.commitMany) shas.push(...(await fixture.commitMany(branches)));
      else for (const branch of branches) shas.push(await fixture.commit(branch));
      expect(shas).toHaveLength(MANY_BRANCHES);
      expect(new Set(shas).size, 'each branch has a commit of its own').toBe(MANY_BRANCHES);
      const expected = branches.map((branch, index) => ({ branch, sha: shas[index]! }));
      await fixture.commit('other');
      expect(await list(provider, fixture.target, fullMatch('many/.*'))).toEqual(byBranch(expected));
    });

    it('rejects when the signal is already aborted', async () => {
      const provider = await resolveProvider();
      const fixture = await remote();
      await fixture.commit('main');
      const controller = new AbortController();
      const reason = new Error('conformance: aborted before the call');
      controller.abort(reason);
      const error = await rejection(
        provider.listHeads(fixture.target, { match: () => true, signal: controller.signal }),
      );
      expect(error, 'listHeads resolved although its signal was aborted').toBeDefined();
      expect(isAbortRejection(error, reason), `not an abort: ${String(error)}`).toBe(true);
    });

    it.runIf(options.missingTarget !== undefined)(
      'rejects with a clear Error for a missing repository',
      async () => {
        const provider = await resolveProvider();
        const target = await options.missingTarget!();
        const error = await rejection(
          provider.listHeads(target, { match: () => true, signal: new AbortController().signal }),
        );
        expect(error, 'listHeads resolved for a repository that does not exist').toBeInstanceOf(Error);
        const message = (error as Error).message;
        if (target.auth?.token) expect(message).not.toContain(target.auth.token);
        if (isSentryError(error)) {
          expect(error.code).toMatch(/^[A-Z][A-Z0-9_]+$/);
          expect(message, 'the message names the repository').toContain(target.repository);
        }
      },
    );
  });
}
