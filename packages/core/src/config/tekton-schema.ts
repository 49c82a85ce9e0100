import { z } from 'zod';
import { booleanLike } from './boolean-like.js';
import { boundedSeconds, secondsJsonBounds } from './duration.js';

/**
 * The `deploy.tekton` block read by `@sentry-git/executor-tekton`. It lives in core so the one
 * JSON Schema editors use covers it; the executor checks the rules that depend on the mode.
 * Keys are snake_case like the rest of the config; objects copied into Kubernetes (an inline
 * PipelineRun, `pipeline_ref` as an object) keep Kubernetes' own camelCase.
 */

export const TEKTON_MODES = ['pipelinerun', 'eventlistener', 'apply'] as const;
export type TektonMode = (typeof TEKTON_MODES)[number];

export const EVENT_PAYLOADS = ['github', 'gitlab', 'cloudevents'] as const;
export type EventPayloadFormat = (typeof EVENT_PAYLOADS)[number];

/**
 * Job values a param, label or template may use, written `$(sentry.<name>)` (Tekton's own
 * `$(params.x)` syntax is left alone). Expanded when the job runs, not when the config loads.
 */
export const TEKTON_JOB_VARIABLES = [
  'repo_url',
  'repository',
  'branch',
  'sha',
  'short_sha',
  'previous_sha',
  'project',
  'run_id',
  'job_id',
  'trigger',
  'group',
] as const;

const positiveSeconds = z
  .union([
    z.number(),
    z
      .string()
      .regex(/^\d+(\.\d+)?$/, { message: 'must be a number' })
      .transform(Number),
  ])
  .pipe(boundedSeconds(z.number().positive()))
  .meta(secondsJsonBounds());

const countLike = z
  .union([z.number(), z.string().regex(/^\d+$/, { message: 'must be a whole number' }).transform(Number)])
  .pipe(z.number().int().min(0));

const paramValue = z.union([z.string(), z.array(z.string()), z.record(z.string(), z.string())]);

export const tektonDeploySchema = z
  .strictObject({
    mode: z
      .enum(TEKTON_MODES)
      .default('pipelinerun')
      .describe(
        "pipelinerun: create a PipelineRun and follow it; eventlistener: POST an event to a Tekton Triggers EventListener; apply: apply the QA checkout's tekton_dir, then create and follow the PipelineRuns in it.",
      ),
    kubeconfig: z
      .string()
      .min(1)
      .optional()
      .describe(
        'Kubeconfig file. Default: $KUBECONFIG, else ~/.kube/config, else the in-cluster service account.',
      ),
    context: z
      .string()
      .min(1)
      .optional()
      .describe("Kubeconfig context; default: the file's current-context."),
    in_cluster: booleanLike()
      .optional()
      .describe("Use the pod's service account (in-cluster config) even when a kubeconfig exists."),
    namespace: z
      .string()
      .min(1)
      .optional()
      .describe(
        "Namespace of the PipelineRuns (and of applied objects); default: the context's, else default.",
      ),
    pipeline_ref: z
      .union([z.string().min(1), z.record(z.string(), z.unknown())])
      .optional()
      .describe(
        'pipelinerun mode: the Pipeline to run, by name, or a full pipelineRef object (resolver, params).',
      ),
    pipelinerun: z
      .record(z.string(), z.unknown())
      .optional()
      .describe(
        'pipelinerun mode: an inline PipelineRun (apiVersion tekton.dev/v1) used as the template; $(sentry.*) variables are expanded.',
      ),
    pipelinerun_file: z
      .string()
      .min(1)
      .optional()
      .describe(
        'pipelinerun mode: a PipelineRun YAML file inside the QA checkout (needs qa_repo_url), used as the template.',
      ),
    params: z
      .record(z.string(), paramValue)
      .optional()
      .describe(
        "PipelineRun params (added to or replacing the template's). Values may use $(sentry.sha), $(sentry.branch), $(sentry.repo_url) ...",
      ),
    service_account: z
      .string()
      .min(1)
      .optional()
      .describe("Service account the PipelineRun's tasks run as (taskRunTemplate.serviceAccountName)."),
    generate_name: z
      .string()
      .min(1)
      .optional()
      .describe('Name prefix of created PipelineRuns; default: "<project_name>-".'),
    labels: z
      .record(z.string(), z.string())
      .optional()
      .describe('Extra labels on created PipelineRuns; $(sentry.*) variables are expanded.'),
    tekton_dir: z
      .string()
      .min(1)
      .default('.tekton')
      .describe(
        'apply mode: folder of the QA checkout whose manifests are applied (server-side apply) and whose PipelineRuns are created.',
      ),
    event_listener_url: z
      .string()
      .url({ message: 'must be a URL, e.g. "http://el-ci.tekton-pipelines.svc.cluster.local:8080"' })
      .optional()
      .describe("eventlistener mode: the EventListener's address."),
    payload: z
      .enum(EVENT_PAYLOADS)
      .default('github')
      .describe(
        "eventlistener mode: github (push event, X-Hub-Signature-256), gitlab (Push Hook, X-Gitlab-Token) or cloudevents (binary mode, RepoSentry's layout).",
      ),
    secret: z
      .string()
      .optional()
      .describe(
        "eventlistener mode: the interceptor's secret (GitHub HMAC key or GitLab token). Never logged.",
      ),
    follow: booleanLike()
      .optional()
      .describe(
        'eventlistener mode: follow the PipelineRuns the event created to their end. Default: true when a Kubernetes connection is configured.',
      ),
    follow_timeout: positiveSeconds
      .optional()
      .describe(
        'eventlistener mode: how long to wait for the first PipelineRun labelled with the event id before failing (seconds).',
      ),
    poll_interval: positiveSeconds
      .default(5)
      .describe('Seconds between status reads when a watch cannot be kept open (the polling fallback).'),
    max_retries: countLike
      .default(3)
      .describe(
        'Retries of a Kubernetes or EventListener call that failed with a connection error, 429 or 5xx.',
      ),
  })
  .describe('Tekton executor settings (deploy.executor: tekton).');

export type TektonDeployConfig = z.output<typeof tektonDeploySchema>;
export type TektonDeployInput = z.input<typeof tektonDeploySchema>;
