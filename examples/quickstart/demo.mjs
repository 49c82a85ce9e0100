#!/usr/bin/env node
// The quickstart demo: creates a local "app" repository and a "QA" repository with a deploy
// script, starts `sentry-git watch`, pushes a commit, and shows the deploy it triggers.
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync, watch, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { bin, demoGit, requireBuiltCli, say } from '../demo-kit.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const config = path.join(here, 'sentry.yaml');
const demo = path.join(here, '.demo');
requireBuiltCli('run `bash examples/quickstart/start.sh` (it sets everything up).');
const { git, repository } = demoGit(demo, 'Quickstart');

rmSync(demo, { recursive: true, force: true });
mkdirSync(demo, { recursive: true });
say('Creating a local app repository and a QA repository with a deploy script in .demo/');
const app = repository('app', { 'index.html': '<h1>v1</h1>\n' });
repository('qa', {
  'deploy/deploy.sh': [
    '#!/usr/bin/env bash',
    'set -euo pipefail',
    'echo "Deploying $SENTRY_REPO ($SENTRY_PROJECT) branch $SENTRY_BRANCH"',
    'echo "  commit   $SENTRY_COMMIT"',
    'echo "  previous $SENTRY_PREVIOUS_COMMIT"',
    'echo "  run      $SENTRY_RUN_ID (trigger: $SENTRY_TRIGGER)"',
    'echo "  workdir  $PWD"',
    '# The demo waits for this file; run by hand (no DEMO_DIR), the deploy only prints.',
    'if [ -n "${DEMO_DIR:-}" ]; then echo "$SENTRY_COMMIT" > "$DEMO_DIR/deployed.txt"; fi',
    '',
  ].join('\n'),
});

const env = {
  ...process.env,
  DEMO_DIR: demo,
  SENTRY_GIT_LOG_FORMAT: process.env.SENTRY_GIT_LOG_FORMAT ?? 'pretty',
};
say('sentry-git validate');
execFileSync(process.execPath, [bin, 'validate', '-c', config], { stdio: 'inherit', env });

say('sentry-git watch --once (the first poll records a baseline and deploys nothing)');
execFileSync(process.execPath, [bin, 'watch', '--once', '-c', config], { stdio: 'inherit', env });

say('sentry-git watch (polls every second until stopped)');
const watcher = spawn(process.execPath, [bin, 'watch', '-c', config], {
  stdio: ['ignore', 'inherit', 'inherit'],
  env,
});
const exited = new Promise((resolve) => watcher.once('exit', (code) => resolve(code)));

const deployed = path.join(demo, 'deployed.txt');
const deployedSha = new Promise((resolve) => {
  const watcherOfDir = watch(demo, (_event, file) => {
    // The file is created empty, then written: wait for the whole SHA.
    const content = file === 'deployed.txt' && existsSync(deployed) ? readFileSync(deployed, 'utf8') : '';
    if (content.endsWith('\n')) {
      watcherOfDir.close();
      resolve(content.trim());
    }
  });
});
const giveUp = setTimeout(() => {
  console.error('No deploy within 60 s: something is wrong, see the log above.');
  watcher.kill('SIGKILL');
  process.exit(1);
}, 60_000);

say('Committing to main and pushing…');
writeFileSync(path.join(app, 'index.html'), '<h1>v2</h1>\n');
git(app, 'commit', '--quiet', '-am', 'v2');
const pushedAt = Date.now();
git(app, 'push', '--quiet', 'origin', 'HEAD:main');
const pushed = git(app, 'rev-parse', 'HEAD');

const sha = await deployedSha;
clearTimeout(giveUp);
say(
  `Deployed ${sha.slice(0, 10)} ${sha === pushed ? '(the pushed commit)' : '(unexpected!)'} ${((Date.now() - pushedAt) / 1000).toFixed(1)} s after the push`,
);

say('Stopping the watcher (SIGTERM: graceful)');
watcher.kill('SIGTERM');
const code = await exited;

say('sentry-git runs');
execFileSync(process.execPath, [bin, 'runs', '-c', config], { stdio: 'inherit', env });
say(
  `Done. Try it yourself: run \`sentry-git watch -c ${config}\` in one terminal; in another, commit in ${app} and push.`,
);
process.exit(code === 0 && sha === pushed ? 0 : 1);
