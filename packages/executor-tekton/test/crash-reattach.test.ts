import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { recordingContext } from '@sentry-git/core/testing';
import { isProcessAlive, progressions, promiseGate, tempdir } from '@sentry-git/test-utils';
import { describe, expect, it } from 'vitest';
import { clusterPerTest } from './cluster.js';
import { onFirstOutput, tektonJob } from './helpers.js';

/** The built package: a separate process runs it, as `sentry-git watch` would. */
const DIST = fileURLToPath(new URL('../dist/index.js', import.meta.url));

/** Runs one job with the built executor and prints its output; never exits on its own before the job ends. */
const WORKER = `
const [dist, jobJson] = process.argv.slice(2);
const { createTektonExecutor } = await import(dist);
const job = JSON.parse(jobJson);
const logger = { trace() {}, debug() {}, info() {}, warn() {}, error() {}, child: () => logger };
const context = {
  signal: new AbortController().signal,
  log: logger,
  output: (stream, text) => process.stdout.write(text),
  emit() {},
};
const result = await createTektonExecutor({ env: {} }).execute(job, context);
process.stdout.write('RESULT ' + result.status + '\\n');
`;

const cluster = clusterPerTest();

describe('a crash while a PipelineRun runs', () => {
  it.skipIf(!existsSync(DIST))(
    'kill -9 of the process, then the same job again: re-attaches, no second PipelineRun',
    async () => {
      const gate = promiseGate();
      cluster.kube.onPipelineRun(() => progressions.runsUntil(gate.promise));
      const job = tektonJob(cluster.block({ pipeline_ref: 'deploy' }));
      const script = path.join(await tempdir(), 'worker.mjs');
      await writeFile(script, WORKER);

      const child = spawn(process.execPath, [script, pathToFileURL(DIST).href, JSON.stringify(job)], {
        stdio: ['ignore', 'pipe', 'inherit'],
      });
      const exited = new Promise<NodeJS.Signals | null>((resolve) =>
        child.once('exit', (_code, signal) => resolve(signal)),
      );
      let printed = '';
      await new Promise<void>((resolve, reject) => {
        child.stdout.on('data', (chunk: Buffer) => {
          printed += chunk.toString('utf8');
          if (printed.includes('[build] Running')) resolve();
        });
        child.once('exit', () => reject(new Error(`the worker exited early:\n${printed}`)));
      });
      child.kill('SIGKILL');
      expect(await exited).toBe('SIGKILL');
      expect(isProcessAlive(child.pid ?? 0)).toBe(false);

      // Killed without a chance to cancel: the PipelineRun still runs.
      const [run] = cluster.kube.list('PipelineRun');
      expect(run?.spec).not.toHaveProperty('status');
      expect(printed).toContain(`Created PipelineRun ${run?.metadata.name}`);

      // The restarted watcher runs the recovered job (same id) again.
      const recording = recordingContext();
      onFirstOutput(recording.context, /\[build\] Running/, () => gate.open());
      const result = await cluster.executor.execute(job, recording.context);
      expect(result.status, result.error ?? '').toBe('succeeded');
      expect(recording.text('system')).toContain(
        `Re-attached to PipelineRun ${run?.metadata.name} in namespace default`,
      );
      expect(cluster.pipelineRunCreates()).toHaveLength(1);
      expect(cluster.kube.list('PipelineRun')).toHaveLength(1);
    },
  );
});

describe('the handle the engine stores for adoption', () => {
  it('names where the PipelineRuns are; adopt() follows them without creating another', async () => {
    cluster.kube.onPipelineRun(() => progressions.succeeds({ tasks: ['build'] }));
    const job = tektonJob(cluster.block({ pipeline_ref: 'deploy' }));
    const handles: unknown[] = [];
    const first = await cluster.executor.execute(job, {
      ...recordingContext().context,
      started: async (handle) => {
        handles.push(handle);
      },
    });
    expect(first.status, first.error ?? '').toBe('succeeded');
    expect(handles).toEqual([
      { executor: 'tekton', namespace: 'default', selector: `sentry-git.dev/job-id=${job.id}` },
    ]);
    expect(cluster.executor.capabilities.reattach).toBe(true);

    const recording = recordingContext();
    const adopted = await cluster.executor.adopt!(job, handles[0] as { executor: string }, recording.context);
    expect(adopted?.status, adopted?.error ?? '').toBe('succeeded');
    expect(recording.text('system')).toContain('Re-attached to PipelineRun');
    expect(cluster.pipelineRunCreates()).toHaveLength(1);
    expect(await cluster.executor.adopt!(job, { executor: 'shell' }, recordingContext().context)).toBeNull();
  });
});
