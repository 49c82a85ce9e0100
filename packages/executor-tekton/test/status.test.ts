import { describe, expect, it } from 'vitest';
import type { TektonRun } from '../src/kube/types.js';
import { describeState, isFinished, outcomeOf } from '../src/pipelinerun/status.js';

function run(status: string | undefined, reason?: string, message?: string): TektonRun {
  return {
    metadata: { name: 'deploy-x2b4' },
    status: status === undefined ? {} : { conditions: [{ type: 'Succeeded', status, reason, message }] },
  };
}

describe('PipelineRun status', () => {
  it('is finished only when Succeeded is True or False', () => {
    expect(isFinished(run(undefined))).toBe(false);
    expect(isFinished(run('Unknown', 'Running'))).toBe(false);
    expect(isFinished(run('Unknown', 'Cancelled', 'stopping'))).toBe(false);
    expect(isFinished(run('True', 'Succeeded'))).toBe(true);
    expect(isFinished(run('False', 'Failed'))).toBe(true);
  });

  it.each([
    ['True', 'Succeeded', 'Tasks Completed: 1', 'succeeded', null],
    ['True', 'Completed', 'done', 'succeeded', null],
    [
      'False',
      'Failed',
      'Tasks Completed: 1 (Failed: 1)',
      'failed',
      'PipelineRun deploy-x2b4 Failed: Tasks Completed: 1 (Failed: 1)',
    ],
    [
      'False',
      'PipelineRunTimeout',
      'timed out after 1h',
      'failed',
      'PipelineRun deploy-x2b4 PipelineRunTimeout: timed out after 1h',
    ],
    [
      'False',
      'CreateRunFailed',
      'no Task "x"',
      'failed',
      'PipelineRun deploy-x2b4 CreateRunFailed: no Task "x"',
    ],
    [
      'False',
      'PipelineValidationFailed',
      'bad',
      'failed',
      'PipelineRun deploy-x2b4 PipelineValidationFailed: bad',
    ],
    [
      'False',
      'Cancelled',
      'PipelineRun "deploy-x2b4" was cancelled',
      'cancelled',
      'PipelineRun deploy-x2b4 Cancelled: PipelineRun "deploy-x2b4" was cancelled',
    ],
    [
      'False',
      'CancelledRunFinally',
      'finally',
      'cancelled',
      'PipelineRun deploy-x2b4 CancelledRunFinally: finally',
    ],
    [
      'False',
      'StoppedRunFinally',
      'stopped',
      'cancelled',
      'PipelineRun deploy-x2b4 StoppedRunFinally: stopped',
    ],
  ])('Succeeded=%s %s → %s, reason and message kept', (status, reason, message, outcome, error) => {
    expect(outcomeOf(run(status, reason, message))).toEqual({ status: outcome, error });
  });

  it('describes a state in one line', () => {
    expect(describeState(run(undefined))).toBe('Pending');
    expect(
      describeState(run('Unknown', 'Running', 'Not all Steps in the Task have finished executing')),
    ).toBe('Running');
    expect(describeState(run('True', 'Succeeded', 'All Steps have completed executing'))).toBe(
      'Succeeded: All Steps have completed executing',
    );
  });
});
