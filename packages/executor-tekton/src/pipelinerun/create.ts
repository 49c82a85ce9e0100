import type { TektonApi } from '../kube/tekton-api.js';
import type { TektonRun } from '../kube/types.js';
import { LABELS } from '../labels.js';
import type { JobOutput } from '../output.js';

/**
 * Creates a built PipelineRun and says so. A create whose answer was lost (connection reset, 5xx)
 * may have happened anyway, and with generateName a retry would make a second run: before each
 * retry, a PipelineRun of this job with the same generateName that is not in `known` is taken
 * as the one created.
 */
export async function createPipelineRun(
  api: TektonApi,
  run: TektonRun,
  signal: AbortSignal,
  known: Set<string>,
  output: JobOutput,
): Promise<TektonRun> {
  const namespace = run.metadata?.namespace ?? '';
  const selector = `${LABELS.jobId}=${run.metadata?.labels?.[LABELS.jobId] ?? ''}`;
  const created = await api.create(namespace, run, signal, async () => {
    const { items } = await api.list(namespace, selector, signal);
    return items.find(
      (item) =>
        !known.has(item.metadata?.name ?? '') && item.metadata?.generateName === run.metadata?.generateName,
    );
  });
  const name = created.metadata?.name ?? '';
  known.add(name);
  output.note(`Created PipelineRun ${name} in namespace ${namespace}`);
  return created;
}

/** The job's PipelineRuns left by an earlier attempt (a crash, a restart), to follow instead of creating. */
export async function findExisting(
  api: TektonApi,
  namespace: string,
  selector: string,
  signal: AbortSignal,
  output: JobOutput,
): Promise<TektonRun[]> {
  const { items } = await api.list(namespace, selector, signal);
  for (const item of items) {
    output.note(
      `Re-attached to PipelineRun ${item.metadata?.name} in namespace ${namespace} (created by an earlier attempt of this job)`,
    );
  }
  return items;
}
