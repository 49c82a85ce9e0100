#!/usr/bin/env node
import { mkdirSync, rmSync } from 'node:fs';
import { createServer } from 'node:http';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { cliRunner, demoGit, requireBuiltCli, say } from '../demo-kit.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const config = path.join(here, 'sentry.yaml');
const demo = path.join(here, '.demo');
requireBuiltCli();
const { repository, push } = demoGit(demo, 'Custom Plugin');

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

/** The CLI, run without blocking this process, which serves the endpoints meanwhile. */
const cli = cliRunner(config, env);

rmSync(demo, { recursive: true, force: true });
mkdirSync(demo, { recursive: true });
say('Creating a local repository in .demo/app.git');
const work = repository('app');

let failed = false;
try {
  say('sentry-git validate (plugin.mjs is loaded, the hook executor checks its deploy block)');
  failed ||= (await cli('validate')) !== 0;

  say('sentry-git watch --once (the first poll records a baseline and deploys nothing)');
  failed ||= (await cli('watch', '--once')) !== 0;

  say('Committing to main and pushing…');
  const pushed = push(work, 'v2');

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
