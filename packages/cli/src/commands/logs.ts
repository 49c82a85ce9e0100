import { Args, Flags } from '@oclif/core';
import type { RunRecord, Sentry, StateStore } from '@sentry-git/core';
import { SentryCommand } from '../base.js';
import { connect, onServerOrEngine, storeOf } from '../connect.js';
import { duration, shortSha } from '../format.js';
import { selectJobs } from '../job-select.js';
import type { ApiClient } from '../remote/client.js';
import { runNotFound } from './cancel.js';

/** Where `logs` reads a run and follows a job's output: the watch's API, or this process. */
interface LogSource {
  run(id: string): Promise<RunRecord>;
  follow(runId: string, jobId: string, signal: AbortSignal): Promise<AsyncIterable<string>>;
}

function serverSource(client: ApiClient): LogSource {
  const runPath = (id: string) => `/api/v1/runs/${encodeURIComponent(id)}`;
  return {
    run: (id) => client.json<RunRecord>('run', 'GET', runPath(id)),
    follow: (runId, jobId, signal) =>
      client.stream('log', `${runPath(runId)}/jobs/${encodeURIComponent(jobId)}/log?follow=1`, signal),
  };
}

function storeRun(store: StateStore) {
  return async (id: string): Promise<RunRecord> => {
    const run = await store.getRun(id);
    if (!run) throw runNotFound(id);
    return run;
  };
}

function engineSource(sentry: Sentry): LogSource {
  return {
    run: storeRun(sentry.store),
    follow: async (runId, jobId, signal) => sentry.followJob(runId, jobId, { signal }),
  };
}

type Job = RunRecord['jobs'][number];

function header(job: Job): string {
  return `==> ${job.repository} ${job.branch} ${shortSha(job.sha)} (${job.id}) <==`;
}

function ending(job: Job): string {
  const exit = job.exitCode === null ? '' : `, exit ${job.exitCode}`;
  return `(${job.repository} ${job.branch}: ${job.status}${job.durationMs === null ? '' : ` in ${duration(job.durationMs)}`}${exit})`;
}

export default class Logs extends SentryCommand {
  static override description =
    "Print a run's job output (the last 64 KiB of each, secrets redacted): every job in the run's order, or the one --job names. --follow prints what a running job printed so far, then its new output as it comes, until the job ends (every job of the run, one after the other).";

  static override args = {
    run: Args.string({ description: 'A run id (`sentry-git runs` lists them).', required: true }),
  };
  static override examples = [
    '<%= config.bin %> logs run_0mwsav719622732122a',
    '<%= config.bin %> logs run_0mwsav719622732122a --job rag-service --follow',
  ];

  static override flags = {
    job: Flags.string({
      char: 'j',
      description: 'Only this job: its id, its repository, or repository@branch.',
    }),
    follow: Flags.boolean({ char: 'f', description: 'Follow the output until the job(s) end.' }),
    json: Flags.boolean({
      description: 'Print the jobs with their output as JSON (not with --follow).',
      exclusive: ['follow'],
    }),
  };

  async run(): Promise<void> {
    const { flags, args } = await this.parse(Logs);
    const connection = await connect(flags.config);
    this.secrets = connection.loaded.secrets;
    if (!flags.follow) {
      const run = connection.server
        ? await serverSource(connection.server).run(args.run)
        : await this.readStored(connection, args.run);
      this.print(run, flags.job, flags.json);
      return;
    }
    await onServerOrEngine(
      connection,
      { command: 'logs', logLevel: flags['log-level'] ?? 'warn' },
      {
        remote: (client) => this.follow(serverSource(client), args.run, flags.job),
        local: (sentry) => this.follow(engineSource(sentry), args.run, flags.job),
      },
    );
  }

  private async readStored(connection: Awaited<ReturnType<typeof connect>>, id: string): Promise<RunRecord> {
    const store = await storeOf(connection);
    try {
      return await storeRun(store)(id);
    } finally {
      await store.close();
    }
  }

  private print(run: RunRecord, wanted: string | undefined, json: boolean): void {
    const jobs = selectJobs(run.id, run.jobs, wanted);
    if (json) {
      this.log(JSON.stringify(jobs, null, 2));
      return;
    }
    for (const job of jobs) {
      if (jobs.length > 1) this.log(header(job));
      if (job.status === 'queued') this.log('(not started yet)');
      else if (job.output) process.stdout.write(job.output.endsWith('\n') ? job.output : `${job.output}\n`);
    }
  }

  /**
   * Follows each job in the run's order, then reads the run again: jobs merged into it while it
   * was queued (waiting for its first job to start) are followed too.
   */
  private async follow(source: LogSource, runId: string, wanted: string | undefined): Promise<void> {
    const done = new Set<string>();
    const controller = new AbortController();
    for (;;) {
      const run = await source.run(runId);
      const next = selectJobs(run.id, run.jobs, wanted).filter((job) => !done.has(job.id));
      if (next.length === 0) return;
      const many = wanted === undefined && run.jobs.length > 1;
      for (const job of next) {
        if (many) this.log(header(job));
        let last = '\n';
        for await (const chunk of await source.follow(run.id, job.id, controller.signal)) {
          process.stdout.write(chunk);
          last = chunk.at(-1) ?? last;
        }
        if (last !== '\n') process.stdout.write('\n');
        done.add(job.id);
        const ended = (await source.run(runId)).jobs.find((candidate) => candidate.id === job.id) ?? job;
        this.logToStderr(ending(ended));
      }
    }
  }
}
