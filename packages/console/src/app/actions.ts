import type { Api } from './api.js';
import type { PauseRecord, Run } from './api-types.js';
import { targetLabel, type UnitTarget } from './context.js';
import type { DeployInput } from './deploy-dialog.js';
import type { LiveData } from './live-data.js';

/** A line the console shows after an action: what happened, and where to look. */
export interface Notice {
  kind: 'ok' | 'error';
  text: string;
  href?: string;
}

interface TriggerAnswer {
  runs: Array<{ id: string; unit: string; status: string }>;
  message?: string;
}

function plural(count: number, word: string): string {
  return `${count} ${word}${count === 1 ? '' : 's'}`;
}

/**
 * The API calls behind the console's buttons. Each resolves with the notice to show, or throws
 * the server's error (a dialog shows it in place; a button's error becomes an error notice).
 */
export function createActionCalls(api: Api, data: LiveData) {
  return {
    async trigger(target: UnitTarget): Promise<Notice> {
      const body = 'group' in target ? { group: target.group } : { repositories: [target.repository] };
      const answer = await api.post<TriggerAnswer>('api/v1/trigger', body);
      void data.refreshStatus();
      if (answer.runs.length === 0) {
        return { kind: 'ok', text: answer.message ?? `Nothing to deploy for ${targetLabel(target)}.` };
      }
      const ids = answer.runs.map((run) => run.id);
      for (const id of ids) data.refreshRun(id, { list: true }).catch(() => undefined);
      return {
        kind: 'ok',
        text: `Triggered ${targetLabel(target)}: queued ${ids.join(', ')}.`,
        href: `#/runs/${encodeURIComponent(ids[0]!)}`,
      };
    },

    async cancel(run: Run, reason: string | undefined): Promise<Notice> {
      const answer = await api.post<{ run: Run; outcome: 'cancelled' | 'requested' | 'finished' }>(
        `api/v1/runs/${encodeURIComponent(run.id)}/cancel`,
        reason === undefined ? {} : { reason },
      );
      await data.refreshRun(run.id).catch(() => undefined);
      const text = {
        cancelled: `Run ${run.id} is cancelled: it had not started.`,
        requested: `Cancelling run ${run.id}: its running jobs are being stopped.`,
        finished: `Run ${run.id} had already finished: nothing to cancel.`,
      }[answer.outcome];
      return { kind: 'ok', text };
    },

    async rerun(run: Run): Promise<{ notice: Notice; run: Run }> {
      const answer = await api.post<{ run: Run }>(`api/v1/runs/${encodeURIComponent(run.id)}/rerun`);
      data.refreshRun(answer.run.id, { list: true }).catch(() => undefined);
      return {
        notice: { kind: 'ok', text: `Re-run of ${run.id} queued as ${answer.run.id}.` },
        run: answer.run,
      };
    },

    async deploy(input: DeployInput): Promise<{ notice: Notice; run: Run }> {
      const answer = await api.post<{ run: Run }>('api/v1/deploy', {
        repository: input.repository,
        branch: input.branch,
        ...(input.sha === '' ? {} : { sha: input.sha }),
      });
      data.refreshRun(answer.run.id, { list: true }).catch(() => undefined);
      const at = input.sha === '' ? 'its head' : input.sha.slice(0, 7);
      return {
        notice: {
          kind: 'ok',
          text: `Deploy of ${input.repository} ${input.branch} at ${at} queued as ${answer.run.id}.`,
        },
        run: answer.run,
      };
    },

    async pause(target: UnitTarget, reason: string | undefined): Promise<Notice> {
      await api.post<{ pause: PauseRecord }>(
        'api/v1/pause',
        reason === undefined ? target : { ...target, reason },
      );
      void data.refreshStatus();
      return {
        kind: 'ok',
        text: `Paused ${targetLabel(target)}: its changes are recorded, nothing of it deploys until resumed.`,
      };
    },

    async resume(target: UnitTarget): Promise<Notice> {
      const answer = await api.post<{ resumed: boolean; queued: string[] }>('api/v1/resume', target);
      void data.refreshStatus();
      if (!answer.resumed) return { kind: 'ok', text: `${targetLabel(target)} was not paused.` };
      const waiting = answer.queued.length;
      return {
        kind: 'ok',
        text: `Resumed ${targetLabel(target)}${waiting > 0 ? `: ${plural(waiting, 'waiting run')} start${waiting === 1 ? 's' : ''}` : ''}.`,
      };
    },
  };
}

export type ActionCalls = ReturnType<typeof createActionCalls>;
