import {
  abortMessage,
  type ExecutorContext,
  errorMessage,
  type Job,
  type JobResult,
  type TektonDeployConfig,
} from '@sentry-git/core';
import { tektonDeploySchema } from '@sentry-git/core/internal';
import { removeJobDir, withJobTimeout } from '@sentry-git/executor-kit';
import { checkoutQaRepository } from './checkout.js';
import { createKubeClientCache, type KubeClientCache } from './kube/client.js';
import { createTektonApi } from './kube/tekton-api.js';
import { runApplyMode } from './modes/apply.js';
import type { CancelTarget, ModeContext } from './modes/context.js';
import { runEventListenerMode } from './modes/eventlistener.js';
import { runPipelineRunMode } from './modes/pipelinerun.js';
import type { ResolvedTektonExecutorOptions } from './options.js';
import { abortedOutcome, failed, type Outcome } from './outcome.js';
import { createJobOutput, type JobOutput } from './output.js';
import { cancelPipelineRuns } from './pipelinerun/cancel.js';
import { validateDeploy } from './validate.js';
import { jobVariables } from './variables.js';

const MODES = {
  pipelinerun: runPipelineRunMode,
  eventlistener: runEventListenerMode,
  apply: runApplyMode,
} satisfies Record<TektonDeployConfig['mode'], (context: ModeContext) => Promise<Outcome>>;

interface JobState {
  jobDir: string | undefined;
  checkout: Promise<string> | undefined;
  targets: CancelTarget[];
}

/** The block with its defaults, or a failure saying what is wrong with it. */
function readBlock(job: Job): TektonDeployConfig | Outcome {
  const problems = validateDeploy(job.deploy);
  if (problems.length > 0) {
    const lines = problems.map((problem) => `deploy.${problem.key}: ${problem.message}`);
    return failed(`The deploy block is not valid for the tekton executor:\n${lines.join('\n')}`);
  }
  return tektonDeploySchema.parse(job.deploy.tekton);
}

function modeContext(
  job: Job,
  block: TektonDeployConfig,
  signal: AbortSignal,
  output: JobOutput,
  state: JobState,
  options: ResolvedTektonExecutorOptions,
  clients: KubeClientCache,
  context: ExecutorContext,
): ModeContext {
  return {
    job,
    block,
    signal,
    output,
    variables: jobVariables(job),
    hasKubeConfigOption: options.kubeConfig !== undefined,
    kube: () =>
      clients.get({ kubeconfig: block.kubeconfig, context: block.context, inCluster: block.in_cluster }),
    tekton: (client) => createTektonApi(client, { maxRetries: block.max_retries, onRetry: output.note }),
    follow: (api, namespace) => ({
      api,
      namespace,
      signal,
      pollIntervalMs: block.poll_interval * 1000,
      maxRetries: block.max_retries,
      output,
    }),
    checkout(neededBy) {
      state.checkout ??= checkoutQaRepository({
        job,
        signal,
        gitBinary: options.gitBinary,
        killGraceMs: options.killGraceMs,
        output,
        neededBy,
        onJobDir: (dir) => {
          state.jobDir = dir;
        },
      });
      return state.checkout;
    },
    track(target) {
      state.targets.push(target);
      // The handle names where the job's PipelineRuns are; after a crash the engine hands it to
      // adopt(), which finds them again by the job-id label and follows them.
      context
        .started?.({ executor: 'tekton', namespace: target.namespace, selector: target.selector })
        .catch((error: unknown) =>
          context.log.warn({ error: errorMessage(error) }, 'could not record the PipelineRuns of the job'),
        );
    },
  };
}

/** After an abort: cancel what the job started, then report the abort (timed_out or cancelled). */
async function stopAfterAbort(
  signal: AbortSignal,
  block: TektonDeployConfig,
  state: JobState,
  output: JobOutput,
  options: ResolvedTektonExecutorOptions,
): Promise<Outcome> {
  for (const target of state.targets) {
    await cancelPipelineRuns({
      ...target,
      graceMs: options.cancelGraceMs,
      pollIntervalMs: block.poll_interval * 1000,
      maxRetries: block.max_retries,
      output,
      why: abortMessage(signal),
    });
  }
  return abortedOutcome(signal);
}

/** Runs one job of an executor (`execute`), with the Kubernetes clients its jobs share. */
export type JobRunner = (job: Job, context: ExecutorContext) => Promise<JobResult>;

/**
 * What the Tekton executor does per job: creates a PipelineRun (pipelinerun mode), delivers an
 * event to an EventListener (eventlistener mode) or applies a QA repository's `.tekton` folder
 * (apply mode), and follows the PipelineRuns to their end. A job re-run after a crash re-attaches
 * to the PipelineRuns it created instead of creating more; a timeout or shutdown cancels them.
 * This module is the one that loads @kubernetes/client-node; executor.ts imports it on the first job.
 */
export function createJobRunner(resolved: ResolvedTektonExecutorOptions): JobRunner {
  const clients = createKubeClientCache({
    kubeConfig: resolved.kubeConfig,
    env: resolved.env,
    serviceAccountRoot: resolved.serviceAccountRoot,
  });

  async function execute(job: Job, context: ExecutorContext): Promise<JobResult> {
    const startedAt = new Date();
    const output = createJobOutput(context);
    const bounded = withJobTimeout(context.signal, job.timeoutSeconds);
    const { signal } = bounded;
    const state: JobState = { jobDir: undefined, checkout: undefined, targets: [] };
    let outcome: Outcome;
    try {
      const block = readBlock(job);
      if (signal.aborted) outcome = abortedOutcome(signal);
      else if ('status' in block) outcome = block;
      else {
        try {
          outcome = await MODES[block.mode](
            modeContext(job, block, signal, output, state, resolved, clients, context),
          );
        } catch (error) {
          if (!signal.aborted) throw error;
          outcome = await stopAfterAbort(signal, block, state, output, resolved);
        }
      }
    } catch (error) {
      // A result, never a rejection: the runner records it like any other failure.
      outcome = failed(errorMessage(error));
    } finally {
      bounded.dispose();
    }
    if (state.jobDir !== undefined) {
      if (job.settings.cleanup) {
        await removeJobDir(state.jobDir).catch((error: unknown) => {
          context.log.warn(
            { jobDir: state.jobDir, error: errorMessage(error) },
            'could not remove the job directory',
          );
        });
      } else {
        output.note(`Job directory kept: ${state.jobDir}`);
      }
    }
    const finishedAt = new Date();
    return {
      ...outcome,
      exitCode: null,
      startedAt: startedAt.toISOString(),
      finishedAt: finishedAt.toISOString(),
      durationMs: Math.max(0, finishedAt.getTime() - startedAt.getTime()),
      output: output.sink.tail(),
    };
  }

  return execute;
}
