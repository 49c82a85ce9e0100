#!/usr/bin/env node
// Embedding sentry-git: a configuration built in code, the engine created with createSentry(),
// events subscribed to, a deploy started with trigger(), its result printed, then close().
// No file, no CLI, no database: the state lives in memory for the life of this process.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, rmSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const packages = path.resolve(here, '../../packages');
if (!existsSync(path.join(packages, 'core/dist/index.js'))) {
  console.error('The packages are not built yet: run `pnpm install && pnpm build` at the repository root.');
  process.exit(1);
}
// In your own project these are `import ... from '@sentry-git/core'` and so on (docs/embedding.md).
// Inside this repository the examples are not workspace packages, so they import the builds.
const load = (file) => import(pathToFileURL(path.join(packages, file)).href);
const { createSentry } = await load('core/dist/index.js');
const { default: providerGit } = await load('provider-git/dist/index.js');
const { default: executorShell } = await load('executor-shell/dist/index.js');

const demo = path.join(here, '.demo');
const gitEnv = {
  ...process.env,
  GIT_CONFIG_GLOBAL: '/dev/null',
  GIT_AUTHOR_NAME: 'Embed',
  GIT_AUTHOR_EMAIL: 'embed@sentry-git.invalid',
  GIT_COMMITTER_NAME: 'Embed',
  GIT_COMMITTER_EMAIL: 'embed@sentry-git.invalid',
};
const git = (cwd, ...args) =>
  execFileSync('git', args, { cwd, env: gitEnv, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }).trim();

// 1. A local bare repository with one commit on main: the repository to watch.
rmSync(demo, { recursive: true, force: true });
mkdirSync(demo, { recursive: true });
const bare = path.join(demo, 'app.git');
const work = path.join(demo, 'app-work');
git(demo, 'init', '--quiet', '--bare', '--initial-branch=main', bare);
git(demo, 'clone', '--quiet', bare, work);
git(work, 'checkout', '--quiet', '-B', 'main');
git(work, 'commit', '--quiet', '--allow-empty', '-m', 'first release');
git(work, 'push', '--quiet', 'origin', 'HEAD:main');
console.log(`repository ${path.relative(process.cwd(), bare)} main at ${git(bare, 'rev-parse', 'main')}`);

// 2. The configuration, in code: the same keys as sentry.yaml (docs/configuration.md).
const sentry = await createSentry({
  config: {
    polling_interval: 60,
    repositories: [
      {
        name: 'app',
        monitor: { repo_url: './.demo/app.git', branches: ['main', 'release/.*'], repo_type: 'git' },
        deploy: {
          commands: [
            'echo "deploying $SENTRY_REPO $SENTRY_BRANCH at $SENTRY_COMMIT (trigger: $SENTRY_TRIGGER)"',
          ],
        },
      },
    ],
    global: { tmp_dir: './.demo/jobs', cleanup: true, timeout: 60 },
    state: { driver: 'memory' },
  },
  configDir: here, // relative paths above resolve against this folder
  plugins: [providerGit, executorShell],
});

// 3. Events: typed payloads, secrets already redacted.
sentry.on('poll:finish', ({ checked, changed, errors }) =>
  console.log(`event poll:finish checked=${checked} changed=${changed} errors=${errors}`),
);
sentry.on('run:queued', ({ run }) => console.log(`event run:queued ${run.id} ${run.unit} ${run.trigger}`));
sentry.on('run:start', ({ run }) => console.log(`event run:start ${run.id}`));
sentry.on('job:output', ({ repository, stream, text }) => {
  if (stream === 'stdout') process.stdout.write(`event job:output [${repository}] ${text}`);
});
sentry.on('job:finish', ({ job, result }) =>
  console.log(`event job:finish ${job.repository} ${job.branch} ${result.status} exit=${result.exitCode}`),
);
sentry.on('run:finish', ({ run }) => console.log(`event run:finish ${run.id} ${run.status}`));
sentry.on('error', ({ error, context }) => console.error(`event error (${context}): ${error.message}`));

let ok = false;
try {
  // 4. One poll: the first records the heads as a baseline and deploys nothing.
  const poll = await sentry.pollOnce();
  console.log(`baseline: checked ${poll.checked}, changed ${poll.changed}, runs ${poll.runs.length}`);

  // 5. Deploy now, at the last known head, and wait for the outcome.
  const queued = await sentry.trigger({ repositories: ['app'] });
  const finished = await sentry.waitForRuns(queued.map((run) => run.id));
  for (const run of finished) {
    console.log(`result: run ${run.id} ${run.status} (trigger ${run.trigger})`);
    for (const job of run.jobs) {
      console.log(
        `result: job ${job.repository} ${job.branch} ${job.sha} ${job.status} exit=${job.exitCode}`,
      );
    }
  }
  ok = finished.length > 0 && finished.every((run) => run.status === 'succeeded');
} finally {
  // 6. Stop the engine, run plugin teardowns, close the state store.
  await sentry.close();
  console.log('closed');
}
process.exitCode = ok ? 0 : 1;
