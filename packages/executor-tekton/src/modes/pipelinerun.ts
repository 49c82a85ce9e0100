import { readFile } from 'node:fs/promises';
import { SentryError } from '@sentry-git/core';
import { jobSelector } from '../labels.js';
import { insideCheckout, parseManifests } from '../manifests.js';
import type { Outcome } from '../outcome.js';
import { buildPipelineRun } from '../pipelinerun/build.js';
import { createPipelineRun, findExisting } from '../pipelinerun/create.js';
import { followAll } from '../pipelinerun/follow-all.js';
import type { ModeContext } from './context.js';

interface Template {
  template: Record<string, unknown> | undefined;
  source: string;
}

/** The PipelineRun file of the QA checkout: its one PipelineRun document. */
async function templateFromFile(context: ModeContext, file: string): Promise<Template> {
  const root = await context.checkout('deploy.tekton.pipelinerun_file');
  const text = await readFile(insideCheckout(root, file, 'tekton.pipelinerun_file'), 'utf8').catch(
    (error: NodeJS.ErrnoException) => {
      throw new SentryError(
        'TEKTON_TEMPLATE_MISSING',
        `The QA checkout has no file ${file} (${error.code ?? error.message}).`,
        {
          fix: 'Correct deploy.tekton.pipelinerun_file (a path relative to the root of the QA repository).',
          path: 'deploy.tekton.pipelinerun_file',
        },
      );
    },
  );
  const manifests = parseManifests(text, file);
  const runs =
    manifests.length === 1
      ? manifests
      : manifests.filter((manifest) => manifest.object.kind === 'PipelineRun');
  const [first] = runs;
  if (runs.length !== 1 || !first) {
    throw new SentryError(
      'TEKTON_TEMPLATE_INVALID',
      `${file} holds ${runs.length} PipelineRuns; pipelinerun_file needs exactly one.`,
      {
        fix: 'Keep one PipelineRun in the file, or use mode: apply to create every PipelineRun of a folder.',
      },
    );
  }
  return { template: first.object, source: `${file}:${first.line}` };
}

function templateOf(context: ModeContext): Promise<Template> | Template {
  const { block } = context;
  if (block.pipelinerun) return { template: block.pipelinerun, source: 'deploy.tekton.pipelinerun' };
  if (block.pipelinerun_file) return templateFromFile(context, block.pipelinerun_file);
  return { template: undefined, source: 'deploy.tekton.pipeline_ref' };
}

/**
 * pipelinerun mode: build the PipelineRun (template or pipelineRef, variables, params, labels),
 * follow the one an earlier attempt of this job created if there is one, else create it; then
 * follow it to its end.
 */
export async function runPipelineRunMode(context: ModeContext): Promise<Outcome> {
  const { job, block, signal, output } = context;
  const client = context.kube();
  const api = context.tekton(client);
  const { template, source } = await templateOf(context);
  const run = buildPipelineRun({
    template,
    source,
    block,
    job,
    variables: context.variables,
    defaultNamespace: client.namespace,
  });
  const namespace = run.metadata?.namespace ?? client.namespace;
  const selector = jobSelector(job);
  context.track({ api, namespace, selector });
  const existing = await findExisting(api, namespace, selector, signal, output);
  const runs =
    existing.length > 0 ? existing : [await createPipelineRun(api, run, signal, new Set(), output)];
  return followAll(context.follow(api, namespace), runs);
}
