#!/usr/bin/env node
// The custom-plugin demo: a local repository watched by `sentry-git watch --once`, deployed by
// the `hook` executor of plugin.mjs to a local HTTP "deploy service", with the plugin's notifier
// posting the run's summary to a local "chat" endpoint. Both endpoints are served by this script.
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdirSync, rmSync } from 'node:fs';
import { createServer } from 'node:http';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const bin = path.resolve(here, '../../packages/cli/bin/run.js');
const config = path.join(here, 'sentry.yaml');
const demo = path.join(here, '.demo');
const gitEnv = {
  ...process.env,
  GIT_CONFIG_GLOBAL: '/dev/null',
  GIT_AUTHOR_NAME: 'Custom Plugin',
  GIT_AUTHOR_EMAIL: 'custom-plugin@sentry-git.invalid',
  GIT_COMMITTER_NAME: 'Custom Plugin',
  GIT_COMMITTER_EMAIL: 'custom-plugin@sentry-git.invalid',
};
const git = (cwd, ...args) =>
  execFileSync('git', args, { cwd, env: gitEnv, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }).trim();
const say = (text) => process.stdout.write(`\n\x1b[1m▶ ${text}\x1b[0m\n`);

if (!existsSync(path.resolve(here, '../../packages/cli/dist/index.js'))) {
  console.error('The CLI is not built yet: run `pnpm install && pnpm build` at the repository root.');
  process.exit(1);
}

// The two endpoints: POST /deploy (the hook executor) and POST /notify (the notifier).
const received = { deploy: [], notify: [] };
const server = createServer((request, response) => {
  let body = '';
  request.setEncoding('utf8');
  request.on('data', (chunk) => {
    body += chunk;
  });
  request.on('end', () => {
    const kind = request.url === '/deploy' ? 'deploy' : request.url === '/notify' ? 'notify' : undefined;
    if (request.method !== 'POST' || !kind) {
      response.writeHead(404).end('not found\n');
      return;
    }
    const message = JSON.parse(body);
    received[kind].push(message);
    console.log(`[local ${kind} endpoint] ${body}`);
    response.writeHead(200, { 'content-type': 'text/plain' });
    response.end(kind === 'deploy' ? `deployed ${message.sha.slice(0, 10)}\n` : 'ok\n');
  });
});
await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
const base = `http://127.0.0.1:${server.address().port}`;
const env = {
  ...process.env,
  DEPLOY_HOOK_URL: `${base}/deploy`,
  NOTIFY_URL: `${base}/notify`,
  SENTRY_GIT_LOG_FORMAT: process.env.SENTRY_GIT_LOG_FORMAT ?? 'pretty',
};

/** Runs the CLI without blocking this process, which serves the endpoints meanwhile. */
function cli(...args) {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [bin, ...args, '-c', config], { stdio: 'inherit', env });
    child.once('error', reject);
    child.once('exit', (code) => resolve(code));
  });
}

rmSync(demo, { recursive: true, force: true });
mkdirSync(demo, { recursive: true });
say('Creating a local repository in .demo/app.git');
const bare = path.join(demo, 'app.git');
const work = path.join(demo, 'app-work');
git(demo, 'init', '--quiet', '--bare', '--initial-branch=main', bare);
git(demo, 'clone', '--quiet', bare, work);
git(work, 'checkout', '--quiet', '-B', 'main');
git(work, 'commit', '--quiet', '--allow-empty', '-m', 'v1');
git(work, 'push', '--quiet', 'origin', 'HEAD:main');

let failed = false;
try {
  say('sentry-git validate (plugin.mjs is loaded, the hook executor checks its deploy block)');
  failed ||= (await cli('validate')) !== 0;

  say('sentry-git watch --once (the first poll records a baseline and deploys nothing)');
  failed ||= (await cli('watch', '--once')) !== 0;

  say('Committing to main and pushing…');
  git(work, 'commit', '--quiet', '--allow-empty', '-m', 'v2');
  git(work, 'push', '--quiet', 'origin', 'HEAD:main');
  const pushed = git(work, 'rev-parse', 'HEAD');

  say('sentry-git watch --once (deploys the pushed commit through the hook executor)');
  failed ||= (await cli('watch', '--once')) !== 0;

  const deployed = received.deploy.at(-1);
  const notified = received.notify.at(-1);
  const deployOk = deployed?.sha === pushed;
  const notifyOk = notified?.status === 'succeeded' && notified.jobs?.[0]?.sha === pushed;
  say(
    `Deploy endpoint received ${deployed ? deployed.sha.slice(0, 10) : 'nothing'} ${deployOk ? '(the pushed commit)' : '(unexpected!)'}`,
  );
  say(
    `Notify endpoint received ${notified ? `${notified.unit} ${notified.status}` : 'nothing'} ${notifyOk ? '(the deploy run)' : '(unexpected!)'}`,
  );
  failed ||= !deployOk || !notifyOk;

  say('sentry-git runs');
  failed ||= (await cli('runs')) !== 0;
} finally {
  server.close();
}
process.exit(failed ? 1 : 0);
