#!/usr/bin/env node
// The quickstart demo: creates a local "app" repository and a "QA" repository with a deploy
// script, starts `sentry-git watch`, pushes a commit, and shows the deploy it triggers.
import { execFileSync, spawn } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, readFileSync, rmSync, watch, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const bin = path.resolve(here, '../../packages/cli/bin/run.js');
const config = path.join(here, 'sentry.yaml');
const demo = path.join(here, '.demo');
const gitEnv = {
  ...process.env,
  GIT_CONFIG_GLOBAL: '/dev/null',
  GIT_AUTHOR_NAME: 'Quickstart',
  GIT_AUTHOR_EMAIL: 'quickstart@sentry-git.invalid',
  GIT_COMMITTER_NAME: 'Quickstart',
  GIT_COMMITTER_EMAIL: 'quickstart@sentry-git.invalid',
};
const git = (cwd, ...args) =>
  execFileSync('git', args, { cwd, env: gitEnv, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }).trim();
const say = (text) => process.stdout.write(`\n\x1b[1m▶ ${text}\x1b[0m\n`);

if (!existsSync(path.resolve(here, '../../packages/cli/dist/index.js'))) {
  console.error('The CLI is not built yet: run `bash examples/quickstart/start.sh` (it sets everything up).');
  process.exit(1);
}

function repository(name, files) {
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
  git(work, 'commit', '--quiet', '-m', `initial ${name}`);
  git(work, 'push', '--quiet', 'origin', 'HEAD:main');
  return work;
}

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
    'echo "$SENTRY_COMMIT" > "$DEMO_DIR/deployed.txt"',
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
  `Done. Try it yourself: edit ${path.relative(process.cwd(), app)}, commit, push, and run \`pnpm sentry-git watch -c ${path.relative(process.cwd(), config)}\`.`,
);
process.exit(code === 0 && sha === pushed ? 0 : 1);
