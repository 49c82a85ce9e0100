// What the examples' demo scripts share: git with a fixed identity and no user configuration,
// local repositories with a bare "remote" under the demo folder, and the check that the CLI is
// built. Each demo stays one readable script; only this plumbing lives here.

import { execFileSync, spawn } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

/** The built CLI's entry point (`node <bin> …` runs sentry-git from this checkout). */
export const bin = path.join(root, 'packages/cli/bin/run.js');

/** Exits with `hint` when the packages are not built yet. */
export function requireBuiltCli(hint = 'run `pnpm install && pnpm build` at the repository root.') {
  if (existsSync(path.join(root, 'packages/cli/dist/index.js'))) return;
  console.error(`The CLI is not built yet: ${hint}`);
  process.exit(1);
}

/** A bold step line, so the CLI's own output between steps stays readable. */
export function say(text) {
  process.stdout.write(`\n\x1b[1m▶ ${text}\x1b[0m\n`);
}

/**
 * Git for one demo, committing as `author` (e.g. "Tekton Demo"), plus helpers that make and push
 * to repositories under `demo`.
 */
export function demoGit(demo, author) {
  const email = `${author.toLowerCase().replaceAll(' ', '-')}@sentry-git.invalid`;
  const env = {
    ...process.env,
    GIT_CONFIG_GLOBAL: '/dev/null',
    GIT_AUTHOR_NAME: author,
    GIT_AUTHOR_EMAIL: email,
    GIT_COMMITTER_NAME: author,
    GIT_COMMITTER_EMAIL: email,
  };
  const git = (cwd, ...args) =>
    execFileSync('git', args, { cwd, env, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }).trim();
  return {
    git,
    /** A bare `<name>.git` with `files` committed on main (`*.sh` executable); returns its work tree. */
    repository(name, files = {}) {
      const bare = path.join(demo, `${name}.git`);
      const work = path.join(demo, `${name}-work`);
      git(demo, 'init', '--quiet', '--bare', '--initial-branch=main', bare);
      git(demo, 'clone', '--quiet', bare, work);
      git(work, 'checkout', '--quiet', '-B', 'main');
      for (const [file, text] of Object.entries(files)) {
        mkdirSync(path.dirname(path.join(work, file)), { recursive: true });
        writeFileSync(path.join(work, file), text);
        if (file.endsWith('.sh')) chmodSync(path.join(work, file), 0o755);
      }
      git(work, 'add', '--all');
      git(work, 'commit', '--quiet', '--allow-empty', '-m', `initial ${name}`);
      git(work, 'push', '--quiet', 'origin', 'HEAD:main');
      return work;
    },
    /** Commits whatever is staged (or nothing) and pushes main; returns the new SHA. */
    push(work, message) {
      git(work, 'commit', '--quiet', '--allow-empty', '-m', message);
      git(work, 'push', '--quiet', 'origin', 'HEAD:main');
      return git(work, 'rev-parse', 'HEAD');
    },
  };
}

/**
 * `cli(...args)` runs `sentry-git <args> -c <config>` with `env`, without blocking this process
 * (which may be serving endpoints the CLI calls); resolves with the exit code.
 */
export function cliRunner(config, env) {
  return (...args) =>
    new Promise((resolve, reject) => {
      const child = spawn(process.execPath, [bin, ...args, '-c', config], { stdio: 'inherit', env });
      child.once('error', reject);
      child.once('exit', (code) => resolve(code));
    });
}
