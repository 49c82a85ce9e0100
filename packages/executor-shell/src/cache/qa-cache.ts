import { mkdir, rm } from 'node:fs/promises';
import { createRedactor, errorMessage, redactUrl } from '@sentry-git/core';
import { createKeyedQueue, gitAuthEnv } from '@sentry-git/core/internal';
import {
  type CloneOptions,
  type CloneOutcome,
  cloneQaRepository,
  type GitRunResult,
  gitFailure,
  type QaRepositoryRef,
  toCloneUrl,
} from '@sentry-git/executor-kit';
import { checkoutFromMirror } from './checkout.js';
import { type EvictionLimits, evictMirrors } from './evict.js';
import { tryLockMirror } from './lock.js';
import { buildMirror, type MirrorGit, markUsed, mirrorExists, updateMirror } from './mirror.js';
import { mirrorDir, qaCacheRoot } from './paths.js';

export interface QaCheckoutOptions extends CloneOptions {
  /** `global.tmp_dir`: the mirrors live under `<tmpDir>/cache/qa-mirrors/`. */
  tmpDir: string;
}

/** Checks the QA repository out through a local mirror; same outcome shape as a direct clone. */
export interface QaCache {
  checkout(options: QaCheckoutOptions): Promise<CloneOutcome>;
}

type Step = { ok: true } | { ok: false; aborted: boolean; error: string };

function step(result: GitRunResult | null, what: string, qa: QaRepositoryRef): Step {
  if (result === null)
    return { ok: false, aborted: false, error: `${what} failed: the mirror names no branch` };
  if (result.ok) return { ok: true };
  return { ok: false, aborted: result.aborted, error: gitFailure(what, result, qa) };
}

/**
 * One bare mirror per QA repository URL and branch under `<tmp_dir>/cache/qa-mirrors/`:
 * fetched (under a lock) at the start of each job, then cloned locally into the job's
 * directory. Jobs of this cache on one mirror queue in memory; another process (or another
 * cache instance) holding the mirror's lock file makes the job clone directly instead of waiting.
 */
export function createQaCache(limits: EvictionLimits): QaCache {
  const queue = createKeyedQueue();

  async function throughMirror(
    dir: string,
    git: MirrorGit,
    target: string,
    where: string,
    qa: QaRepositoryRef,
  ): Promise<Step> {
    const cloneWhat = `Cloning the QA repository ${where}`;
    if (!mirrorExists(dir)) {
      git.output.write('system', `Cloning ${where} into the QA cache\n`);
      const built = step(await buildMirror(dir, git), cloneWhat, qa);
      if (!built.ok) return built;
    } else {
      git.output.write('system', `Updating the QA cache for ${where}\n`);
      const updated = step(await updateMirror(dir, git), `Updating the QA cache for ${where}`, qa);
      if (updated.ok) {
        const checkedOut = step(
          await checkoutFromMirror(dir, target, git),
          `Checking out ${where} from the QA cache`,
          qa,
        );
        if (checkedOut.ok || checkedOut.aborted) return checkedOut;
        git.output.write('system', `${checkedOut.error}\n`);
      } else {
        if (updated.aborted) return updated;
        git.output.write('system', `${updated.error}\n`);
      }
      // A failed fetch or checkout may be a broken mirror (deleted objects, a bad ref): start
      // over from the repository. If that fails too, it was the repository or the network.
      git.output.write('system', `Rebuilding the QA cache for ${where}\n`);
      await rm(target, { recursive: true, force: true });
      await rm(dir, { recursive: true, force: true });
      const rebuilt = step(await buildMirror(dir, git), cloneWhat, qa);
      if (!rebuilt.ok) return rebuilt;
    }
    git.output.write('system', `Checking out ${where} from the QA cache\n`);
    return step(await checkoutFromMirror(dir, target, git), `Checking out ${where} from the QA cache`, qa);
  }

  async function checkout(options: QaCheckoutOptions): Promise<CloneOutcome> {
    const { url, env, secrets } = gitAuthEnv(toCloneUrl(options.url), options.auth, options.type);
    const shownUrl = redactUrl(url);
    const where = options.branch ? `${shownUrl} (branch ${options.branch})` : shownUrl;
    const root = qaCacheRoot(options.tmpDir);
    const dir = mirrorDir(root, url, options.branch);
    await mkdir(root, { recursive: true });
    const git: MirrorGit = {
      gitBinary: options.gitBinary,
      url,
      branch: options.branch,
      authEnv: env,
      redactor: createRedactor(secrets),
      signal: options.signal,
      killGraceMs: options.killGraceMs,
      output: options.output,
    };

    const stopped: CloneOutcome = { ok: false, aborted: true, error: `Cloning ${where} was stopped` };
    const outcome = await queue.runUnlessAborted(
      dir,
      options.signal,
      async (): Promise<CloneOutcome | 'busy'> => {
        if (options.signal.aborted) return stopped;
        const lock = await tryLockMirror(dir);
        if (!lock) return 'busy';
        try {
          const qa = { repository: options.repository, branch: options.branch };
          const result = await throughMirror(dir, git, options.dir, where, qa);
          if (result.ok) await markUsed(dir);
          return result.ok || !result.aborted ? result : stopped;
        } finally {
          await lock.release();
        }
      },
      () => stopped,
    );
    if (outcome === 'busy') {
      options.output.write(
        'system',
        `The QA cache for ${where} is in use by another process; cloning directly\n`,
      );
      return cloneQaRepository(options);
    }
    if (outcome.ok) {
      await evictMirrors(root, dir, limits).catch((error: unknown) => {
        options.output.write('system', `Could not trim the QA cache: ${errorMessage(error)}\n`);
      });
    }
    return outcome;
  }

  return { checkout };
}
