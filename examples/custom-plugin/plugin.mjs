// A sentry-git plugin in one file: a `hook` executor that deploys by POSTing the job to an HTTP
// endpoint (a deploy service, a CI trigger, a serverless function), and a notifier, wired in
// through setup(host), that POSTs a summary of every finished run to a URL.
//
// sentry.yaml loads it with `plugins: [["./plugin.mjs", { notify_url: "..." }]]`.
//
// In your own project the import below is `from '@sentry-git/core'`. Inside this repository the
// examples are not workspace packages, so the plugin imports core's build by path; the CLI
// resolves `@sentry-git/core` to the same file, so both share one module.
import { abortMessage, definePlugin, outcomeOfAbort, redactUrl } from '../../packages/core/dist/index.js';

/** Cuts a response body to its first line, at most 200 characters, for an error message. */
function firstLine(text) {
  const line = text.split('\n').find((part) => part.trim() !== '') ?? '';
  return line.length > 200 ? `${line.slice(0, 200)}…` : line;
}

/**
 * Deploys a job by POSTing `{ repository, branch, sha, previousSha, run, job, trigger }` as JSON
 * to `deploy.env.DEPLOY_HOOK`. A 2xx answer is `succeeded`, anything else `failed`; the job's
 * signal (timeout, shutdown) aborts the request.
 */
export const hookExecutor = {
  id: 'hook',
  capabilities: { reattach: false },

  validate(deploy) {
    const url = deploy.env?.DEPLOY_HOOK;
    if (!url) {
      return [
        {
          key: 'env',
          message: 'the hook executor needs env.DEPLOY_HOOK, the http(s) URL to POST the deploy to',
        },
      ];
    }
    if (!/^https?:\/\//.test(url)) {
      return [
        { key: 'env.DEPLOY_HOOK', message: `must be an http:// or https:// URL, got "${redactUrl(url)}"` },
      ];
    }
    return [];
  },

  async execute(job, { signal, output }) {
    const startedAt = new Date();
    const result = (status, exitCode, error) => {
      const finishedAt = new Date();
      return {
        status,
        exitCode,
        error,
        output: '', // the engine fills it with what was sent through output()
        startedAt: startedAt.toISOString(),
        finishedAt: finishedAt.toISOString(),
        durationMs: finishedAt.getTime() - startedAt.getTime(),
      };
    };
    if (signal.aborted) return result(outcomeOfAbort(signal), null, abortMessage(signal));

    const url = job.deploy.env?.DEPLOY_HOOK;
    if (!url) return result('failed', null, 'the hook executor needs env.DEPLOY_HOOK (the URL to POST to)');
    // Bounded on its own too (the engine also enforces the timeout through `signal`).
    const bounded = AbortSignal.any([signal, AbortSignal.timeout(job.timeoutSeconds * 1000)]);
    // redactUrl: a token in the URL's user info never reaches the output.
    output('stdout', `POST ${redactUrl(url)} ${job.repository} ${job.branch} ${job.sha}\n`);
    try {
      const response = await fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({
          repository: job.repository,
          branch: job.branch,
          sha: job.sha,
          previousSha: job.previousSha,
          run: job.runId,
          job: job.id,
          trigger: job.trigger,
        }),
        signal: bounded,
      });
      const body = await response.text();
      output('stdout', `${response.status} ${body}${body.endsWith('\n') ? '' : '\n'}`);
      if (response.ok) return result('succeeded', 0, null);
      return result('failed', null, `the deploy hook answered ${response.status}: ${firstLine(body)}`);
    } catch (error) {
      if (bounded.aborted) return result(outcomeOfAbort(bounded), null, abortMessage(bounded));
      return result(
        'failed',
        null,
        `the deploy hook ${redactUrl(url)} could not be called: ${error.cause?.message ?? error.message}`,
      );
    }
  },
};

/**
 * The plugin. `options.notify_url`: where the notifier POSTs a JSON summary of each finished run
 * (left out or empty: the notifier prints the summary to stdout instead).
 */
export default function plugin(options = {}) {
  const notifyUrl =
    typeof options.notify_url === 'string' && options.notify_url !== '' ? options.notify_url : '';
  return definePlugin({
    name: 'example-hook',
    executors: [hookExecutor],
    setup(host) {
      const pending = new Set();
      const off = host.events.on('run:finish', ({ run }) => {
        const summary = {
          run: run.id,
          unit: run.unit,
          trigger: run.trigger,
          status: run.status,
          jobs: run.jobs.map((job) => ({
            repository: job.repository,
            branch: job.branch,
            sha: job.sha,
            status: job.status,
          })),
        };
        if (!notifyUrl) {
          console.log(`notify: ${JSON.stringify(summary)}`);
          return;
        }
        // Event handlers are synchronous: the request's failure is caught here, never unhandled.
        const request = fetch(notifyUrl, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify(summary),
          signal: AbortSignal.timeout(10_000),
        })
          .then((response) => {
            if (!response.ok)
              host.logger.warn({ status: response.status }, 'notify: the receiver refused the run summary');
          })
          .catch((error) =>
            host.logger.warn(
              { error: error.message, url: redactUrl(notifyUrl) },
              'notify: could not post the run summary',
            ),
          )
          .finally(() => pending.delete(request));
        pending.add(request);
      });
      // The plugin's lifecycle: close() is called by sentry.close() (so also at the end of
      // `watch --once`): stop listening, then let the summaries already on their way arrive.
      return {
        async close() {
          off();
          await Promise.allSettled(pending);
        },
      };
    },
  });
}
