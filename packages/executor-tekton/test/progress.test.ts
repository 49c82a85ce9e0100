import { describe, expect, it } from 'vitest';
import type { TektonRun } from '../src/kube/types.js';
import type { JobOutput } from '../src/output.js';
import { createProgressReporter } from '../src/pipelinerun/progress.js';

function recordingOutput() {
  const lines: Array<[string, string]> = [];
  const output: JobOutput = {
    note: (line) => lines.push(['system', line]),
    progress: (line) => lines.push(['stdout', line]),
    sink: { write() {}, tail: () => '' },
    log: { trace() {}, debug() {}, info() {}, warn() {}, error() {}, child: () => output.log },
  };
  return { output, lines };
}

function run(
  name: string,
  status?: [string, string, string?],
  extra: Partial<TektonRun['metadata']> = {},
): TektonRun {
  return {
    metadata: { name, ...extra },
    status: status
      ? { conditions: [{ type: 'Succeeded', status: status[0], reason: status[1], message: status[2] }] }
      : {},
  };
}

function taskRun(task: string, created: string, status?: [string, string, string?]): TektonRun {
  return run(`deploy-x-${task}`, status, {
    creationTimestamp: created,
    labels: { 'tekton.dev/pipelineTask': task },
  });
}

describe('TaskRun progress', () => {
  it("writes one stdout line per TaskRun state change and notes the PipelineRun's changes", () => {
    const { output, lines } = recordingOutput();
    const reporter = createProgressReporter(output, { prefixWithRun: false });
    const pipelineRun = (status: [string, string, string?]) => run('deploy-x', status);
    reporter.pipelineRun(pipelineRun(['Unknown', 'Started']));
    reporter.taskRun(taskRun('build', '2025-01-01T00:00:01Z', ['Unknown', 'Running', 'Not all Steps']));
    reporter.pipelineRun(pipelineRun(['Unknown', 'Running']));
    // The same states again (a resync): nothing new.
    reporter.taskRun(taskRun('build', '2025-01-01T00:00:01Z', ['Unknown', 'Running']));
    reporter.pipelineRun(pipelineRun(['Unknown', 'Running']));
    reporter.taskRun(
      taskRun('build', '2025-01-01T00:00:01Z', ['True', 'Succeeded', 'All Steps have completed executing']),
    );
    reporter.taskRun(
      taskRun('test', '2025-01-01T00:00:02Z', ['True', 'Succeeded', 'All Steps have completed executing']),
    );
    reporter.pipelineRun(pipelineRun(['True', 'Succeeded', 'Tasks Completed: 2']));
    expect(lines).toEqual([
      ['system', 'PipelineRun deploy-x: Started'],
      ['stdout', '[build] Running'],
      ['system', 'PipelineRun deploy-x: Running'],
      ['stdout', '[build] Succeeded: All Steps have completed executing'],
      ['stdout', '[test] Succeeded: All Steps have completed executing'],
      ['system', 'PipelineRun deploy-x: Succeeded: Tasks Completed: 2'],
    ]);
  });

  it('prefixes the PipelineRun name when a job follows several', () => {
    const { output, lines } = recordingOutput();
    const build = taskRun('build', '2025-01-01T00:00:01Z');
    build.metadata = {
      ...build.metadata,
      labels: { ...build.metadata?.labels, 'tekton.dev/pipelineRun': 'a-1' },
    };
    createProgressReporter(output, { prefixWithRun: true }).taskRun(build);
    expect(lines[0]).toEqual(['stdout', '[a-1/build] Pending']);
  });
});
