import { applyManifests } from '../apply/server-side-apply.js';
import type { TektonRun } from '../kube/types.js';
import { jobSelector } from '../labels.js';
import { readManifestDir } from '../manifests.js';
import type { Outcome } from '../outcome.js';
import { buildPipelineRun } from '../pipelinerun/build.js';
import { createPipelineRun, findExisting } from '../pipelinerun/create.js';
import { followAll } from '../pipelinerun/follow-all.js';
import { expandVariables } from '../variables.js';
import type { ModeContext } from './context.js';

/**
 * apply mode (the simplified Sentry's job): read every manifest under tekton_dir of the QA
 * checkout (all parsed before anything is applied), server-side apply all but the PipelineRuns,
 * then create the PipelineRuns and follow them all. An earlier attempt's PipelineRuns (a crash)
 * are followed instead, without applying or creating anything.
 */
export async function runApplyMode(context: ModeContext): Promise<Outcome> {
  const { job, block, signal, output } = context;
  const client = context.kube();
  const api = context.tekton(client);
  const root = await context.checkout('deploy.tekton (mode apply)');
  const manifests = (await readManifestDir(root, block.tekton_dir)).map((manifest) => {
    const source = `${manifest.file}:${manifest.line}`;
    return { ...manifest, object: expandVariables(manifest.object, context.variables, source) };
  });
  const others = manifests.filter((manifest) => manifest.object.kind !== 'PipelineRun');
  const runs: TektonRun[] = manifests
    .filter((manifest) => manifest.object.kind === 'PipelineRun')
    .map((manifest) =>
      buildPipelineRun({
        // Variables are expanded already; buildPipelineRun finds none left to expand.
        template: manifest.object,
        source: `${manifest.file}:${manifest.line}`,
        block,
        job,
        variables: context.variables,
        defaultNamespace: client.namespace,
      }),
    );

  const selector = jobSelector(job);
  const namespaces = [
    ...new Set([block.namespace ?? client.namespace, ...runs.map((run) => run.metadata?.namespace ?? '')]),
  ];
  const existing: TektonRun[] = [];
  for (const namespace of namespaces) {
    context.track({ api, namespace, selector });
    existing.push(...(await findExisting(api, namespace, selector, signal, output)));
  }
  const follow = context.follow(api, block.namespace ?? client.namespace);
  if (existing.length > 0) return followAll(follow, existing);

  await applyManifests(others, {
    client,
    signal,
    namespaceOverride: block.namespace,
    call: { maxRetries: block.max_retries, onRetry: output.note },
    note: output.note,
  });
  if (runs.length === 0) {
    output.note(
      `No PipelineRun in ${block.tekton_dir}: applied ${others.length} object(s), nothing to follow`,
    );
    return { status: 'succeeded', error: null };
  }
  const known = new Set<string>();
  const created: TektonRun[] = [];
  for (const run of runs) created.push(await createPipelineRun(api, run, signal, known, output));
  return followAll(follow, created);
}
