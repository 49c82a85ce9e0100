import { SentryError } from '@sentry-git/core';
import { deliverEvent } from '../eventlistener/index.js';
import { TRIGGERS_EVENT_ID_LABEL } from '../labels.js';
import type { Outcome } from '../outcome.js';
import { waitForPipelineRuns } from '../pipelinerun/appear.js';
import { followAll } from '../pipelinerun/follow-all.js';
import type { ModeContext } from './context.js';

/** How long to wait for the PipelineRun of an accepted event, unless follow_timeout says. */
const DEFAULT_FOLLOW_TIMEOUT_S = 60;

/** Follow by default when the block (or the executor's options) says how to reach the cluster. */
function shouldFollow(context: ModeContext): boolean {
  const { block } = context;
  if (block.follow !== undefined) return block.follow;
  return Boolean(block.kubeconfig || block.context || block.in_cluster) || context.hasKubeConfigOption;
}

/**
 * eventlistener mode: POST the event (retries reuse one delivery id). An EventListener answers
 * 202 before its interceptors run, so 202 means "accepted", never "deployed": when following,
 * the job waits for the PipelineRuns labelled with the event id and ends as they end.
 */
export async function runEventListenerMode(context: ModeContext): Promise<Outcome> {
  const { block, signal, output, job } = context;
  const url = block.event_listener_url;
  if (!url) {
    throw new SentryError(
      'TEKTON_EVENT_LISTENER_URL_MISSING',
      'eventlistener mode needs deploy.tekton.event_listener_url.',
      {
        fix: "Set it to the EventListener's address, e.g. http://el-ci.tekton-pipelines.svc.cluster.local:8080.",
        path: 'deploy.tekton.event_listener_url',
      },
    );
  }
  const follow = shouldFollow(context);
  // Before delivering: a broken kubeconfig should fail the job before the event starts a pipeline.
  const client = follow ? context.kube() : undefined;
  const delivery = await deliverEvent({
    url,
    format: block.payload,
    ...(block.secret === undefined ? {} : { secret: block.secret }),
    job,
    signal,
    maxRetries: block.max_retries,
    output: (_stream, text) => output.note(text),
  });
  const eventId = delivery.eventId;
  const listener = delivery.eventListener ? `EventListener ${delivery.eventListener}` : 'the EventListener';
  if (!client) {
    output.note(
      `Delivered the event to ${listener} (HTTP ${delivery.status}, event ${eventId ?? 'id not given'}, delivery ${delivery.deliveryId}); not following its PipelineRuns (follow is off: set deploy.tekton.follow or a kubeconfig to follow them)`,
    );
    return { status: 'succeeded', error: null };
  }
  if (eventId === null) {
    return {
      status: 'failed',
      error: `${listener} answered ${delivery.status} without an eventID, so its PipelineRuns cannot be found; is ${url} a Tekton Triggers EventListener? (set follow: false to only deliver)`,
    };
  }
  const api = context.tekton(client);
  const namespace = block.namespace ?? delivery.namespace ?? client.namespace;
  const selector = `${TRIGGERS_EVENT_ID_LABEL}=${eventId}`;
  context.track({ api, namespace, selector });
  const timeoutS = block.follow_timeout ?? DEFAULT_FOLLOW_TIMEOUT_S;
  output.note(
    `${listener} accepted event ${eventId}; waiting for its PipelineRuns in namespace ${namespace}`,
  );
  const runs = await waitForPipelineRuns({
    api,
    namespace,
    selector,
    signal,
    timeoutMs: timeoutS * 1000,
    pollIntervalMs: block.poll_interval * 1000,
    onTimeout: () =>
      new SentryError(
        'TEKTON_EVENT_NOT_PROCESSED',
        `EventListener accepted event ${eventId} but no PipelineRun appeared within ${timeoutS}s: its interceptor probably rejected it (check the secret and the event type).`,
        {
          fix: `Look at the EventListener's log (kubectl logs -n ${namespace} -l eventlistener=${delivery.eventListener ?? '<name>'}) for event ${eventId}; raise follow_timeout if its triggers are slow.`,
        },
      ),
  });
  for (const run of runs)
    output.note(`Following PipelineRun ${run.metadata?.name} created for event ${eventId}`);
  return followAll(context.follow(api, namespace), runs);
}
