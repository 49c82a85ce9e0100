import { accessSync, constants, mkdirSync, writeFileSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import path from 'node:path';
import {
  abortMessage,
  type Executor,
  type ExecutorContext,
  errorMessage,
  type Job,
  type JobHandle,
  type JobOutcome,
  type JobResult,
  outcomeOfAbort,
} from '@sentry-git/core';
import {
  type CloneOptions,
  type CloneOutcome,
  cloneQaRepository,
  createJobDir,
  createOutputSink,
  type OutputSink,
  removeJobDir,
  withJobTimeout,
} from '@sentry-git/executor-kit';
import { adoptJob } from './adopt.js';
import { createQaCache, type QaCache } from './cache/qa-cache.js';
import { commandEnvironment } from './environment.js';
import { asShellHandle, type ShellHandle } from './handle.js';
import { runJobProcess } from './job-process.js';
import { type ResolvedShellExecutorOptions, resolveOptions, type ShellExecutorOptions } from './options.js';
import { buildScript, describeCommand, readStep } from './script.js';
import { validateDeploy } from './validate.js';
import { jobFiles } from './wrapper.js';

interface Outcome {
  status: JobOutcome;
  exitCode: number | null;
  error: string | null;
}

/**
 * Where a job's files live: the clone (or empty working directory) and, beside it (so the
 * commands' `git status` and globs never see them), the script, the wrapper, the output files
 * and the status the wrapper writes (an engine restarted after a crash adopts the job from them).
 */
interface JobPaths {
  jobDir: string;
  workdir: string;
  script: string;
  wrapper: string;
  stepFile: string;
  stdout: string;
  stderr: string;
}

function jobPaths(jobDir: string): JobPaths {
  return {
    ...jobFiles(jobDir),
    workdir: path.join(jobDir, 'checkout'),
    script: path.join(jobDir, 'commands.sh'),
    wrapper: path.join(jobDir, 'run.sh'),
    stepFile: path.join(jobDir, 'step'),
  };
}

/** The hooks of one job: where its directory is, and how its process group is recorded. */
interface JobHooks {
  onJobDir(dir: string): void;
  onStarted(handle: ShellHandle): Promise<void>;
}

function abortedOutcome(signal: AbortSignal): Outcome {
  return { status: outcomeOfAbort(signal), exitCode: null, error: abortMessage(signal) };
}

/** Why `shell` cannot be executed, or null when it can. */
function shellMissing(shell: string): string | null {
  try {
    accessSync(shell, constants.X_OK);
    return null;
  } catch (error) {
    return errorMessage(error);
  }
}

async function runCommands(
  job: Job,
  commands: readonly string[],
  paths: JobPaths,
  signal: AbortSignal,
  options: ResolvedShellExecutorOptions,
  output: OutputSink,
  hooks: JobHooks,
): Promise<Outcome> {
  // The wrapper (sh) starts the shell; a missing one would only show as exit code 127.
  // The job's files are written synchronously, like its directory (createJobDir says why).
  if (options.shell.includes('/')) {
    const missing = shellMissing(options.shell);
    if (missing !== null)
      return { status: 'failed', exitCode: null, error: `Could not start ${options.shell}: ${missing}` };
  }
  writeFileSync(paths.script, buildScript(commands, paths.stepFile), { mode: 0o700 });
  const result = await runJobProcess({
    paths,
    shell: options.shell,
    cwd: paths.workdir,
    env: commandEnvironment(job, paths.workdir),
    signal,
    killGraceMs: options.killGraceMs,
    onOutput: (stream, text) => output.write(stream, text),
    onStarted: ({ pgid, startTime }) =>
      hooks.onStarted({ executor: 'shell', pgid, startTime, dir: paths.jobDir }),
  });
  if (result.aborted) return abortedOutcome(signal);
  if (result.recordError !== undefined)
    return {
      status: 'failed',
      exitCode: null,
      error: `The commands were not started: the job could not be recorded (${result.recordError})`,
    };
  if (result.spawnError)
    return {
      status: 'failed',
      exitCode: null,
      error: `Could not start ${options.shell}: ${result.spawnError}`,
    };
  return describeExit(commands, paths.stepFile, result.exitCode, result.signal);
}

/** The outcome of commands that ended with `exitCode` (or were killed by `signal`). */
async function describeExit(
  commands: readonly string[],
  stepFile: string,
  exitCode: number | null,
  signal: string | null,
): Promise<Outcome> {
  if (exitCode === 0) return { status: 'succeeded', exitCode: 0, error: null };
  const step = await readStep(stepFile);
  const command = step === null ? undefined : commands[step - 1];
  const which =
    command === undefined
      ? 'The commands'
      : `Command ${step} of ${commands.length} (${describeCommand(command)})`;
  const how =
    exitCode === null ? `was killed by ${signal ?? 'a signal'}` : `failed with exit code ${exitCode}`;
  return { status: 'failed', exitCode, error: `${which} ${how}` };
}

async function runJob(
  job: Job,
  signal: AbortSignal,
  options: ResolvedShellExecutorOptions,
  output: OutputSink,
  hooks: JobHooks,
  cache: QaCache | null,
): Promise<Outcome> {
  if (signal.aborted) return abortedOutcome(signal);
  const commands = job.deploy.commands ?? [];
  if (commands.length === 0) {
    return {
      status: 'failed',
      exitCode: null,
      error: 'The deploy block has no commands for the shell executor to run',
    };
  }
  const jobDir = await createJobDir(job.settings.tmpDir, job.projectName);
  hooks.onJobDir(jobDir);
  const paths = jobPaths(jobDir);
  if (job.deploy.qa_repo_url) {
    const clone = await cloneOrCheckout(cache, job.settings.tmpDir, {
      repository: job.repository,
      gitBinary: options.gitBinary,
      url: job.deploy.qa_repo_url,
      branch: job.deploy.qa_repo_branch,
      auth: job.deploy.auth,
      type: job.deploy.repo_type,
      dir: paths.workdir,
      signal,
      killGraceMs: options.killGraceMs,
      output,
    });
    if (!clone.ok)
      return clone.aborted
        ? abortedOutcome(signal)
        : { status: 'failed', exitCode: null, error: clone.error };
  } else {
    mkdirSync(paths.workdir);
  }
  if (signal.aborted) return abortedOutcome(signal);
  return runCommands(job, commands, paths, signal, options, output, hooks);
}

/**
 * After the commands: with `cleanup`, removes the checkout, and the whole job directory unless
 * release() will (`keepForRelease`); without, says where the directory was kept.
 */
async function tidy(
  job: Job,
  jobDir: string,
  keepForRelease: boolean,
  output: OutputSink,
  context: ExecutorContext,
): Promise<void> {
  if (!job.settings.cleanup) {
    output.write('system', `Job directory kept: ${jobDir}\n`);
    return;
  }
  const target = keepForRelease ? jobPaths(jobDir).workdir : jobDir;
  await rm(target, { recursive: true, force: true, maxRetries: 2 }).catch((error: unknown) => {
    context.log.warn({ jobDir, error: errorMessage(error) }, 'could not remove the job directory');
  });
}

function resultOf(outcome: Outcome, startedAt: Date, output: OutputSink): JobResult {
  const finishedAt = new Date();
  return {
    ...outcome,
    startedAt: startedAt.toISOString(),
    finishedAt: finishedAt.toISOString(),
    durationMs: Math.max(0, finishedAt.getTime() - startedAt.getTime()),
    output: output.tail(),
  };
}

function cloneOrCheckout(
  cache: QaCache | null,
  tmpDir: string,
  options: CloneOptions,
): Promise<CloneOutcome> {
  return cache ? cache.checkout({ ...options, tmpDir }) : cloneQaRepository(options);
}

/**
 * The shell executor: checks the QA repository out (shallow, through the QA cache unless
 * `qaCache: false`) into a fresh job directory and runs the deploy's commands there in one
 * bash session, in their own process group.
 */
export function createShellExecutor(options: ShellExecutorOptions = {}): Executor {
  const resolved = resolveOptions(options);
  // Per executor, not per module: its in-memory queue orders this executor's jobs on a mirror.
  const cache = resolved.qaCache
    ? createQaCache({ maxBytes: resolved.cacheMaxBytes, maxEntries: resolved.cacheMaxEntries })
    : null;

  async function execute(job: Job, context: ExecutorContext): Promise<JobResult> {
    const startedAt = new Date();
    const output = createOutputSink(context);
    const bounded = withJobTimeout(context.signal, job.timeoutSeconds);
    let jobDir: string | undefined;
    let recorded = false;
    let outcome: Outcome;
    try {
      outcome = await runJob(
        job,
        bounded.signal,
        resolved,
        output,
        {
          onJobDir(dir) {
            jobDir = dir;
          },
          async onStarted(handle) {
            await context.started?.(handle);
            recorded = context.started !== undefined;
          },
        },
        cache,
      );
    } catch (error) {
      // A result, never a rejection: the runner records it like any other failure.
      outcome = {
        status: 'failed',
        exitCode: null,
        error: `The shell executor failed: ${errorMessage(error)}`,
      };
    } finally {
      bounded.dispose();
    }
    // A recorded job keeps its status and output files until release(): its result must be in
    // the state store before they go, or a crash in between would run the job again.
    if (jobDir !== undefined) await tidy(job, jobDir, recorded, output, context);
    return resultOf(outcome, startedAt, output);
  }

  async function adopt(job: Job, handle: JobHandle, context: ExecutorContext): Promise<JobResult | null> {
    const shell = asShellHandle(handle);
    if (!shell) return null;
    const startedAt = new Date();
    const output = createOutputSink(context);
    const bounded = withJobTimeout(context.signal, job.timeoutSeconds);
    let outcome: Outcome;
    try {
      output.write(
        'system',
        `Adopting process group ${shell.pgid}, started by an earlier sentry-git process (${shell.dir})\n`,
      );
      const adopted = await adoptJob(shell, {
        signal: bounded.signal,
        killGraceMs: resolved.killGraceMs,
        onOutput: (stream, text) => output.write(stream, text),
      });
      if (adopted.kind === 'gone') {
        context.log.warn({ jobDir: shell.dir }, `nothing to adopt: ${adopted.why}`);
        if (job.settings.cleanup) await removeJobDir(shell.dir).catch(() => {});
        return null;
      }
      outcome =
        adopted.kind === 'aborted'
          ? abortedOutcome(bounded.signal)
          : await describeExit(
              job.deploy.commands ?? [],
              jobPaths(shell.dir).stepFile,
              adopted.exitCode,
              null,
            );
    } catch (error) {
      outcome = {
        status: 'failed',
        exitCode: null,
        error: `The shell executor failed to adopt the job: ${errorMessage(error)}`,
      };
    } finally {
      bounded.dispose();
    }
    await tidy(job, shell.dir, true, output, context);
    return resultOf(outcome, startedAt, output);
  }

  async function release(job: Job, handle: JobHandle): Promise<void> {
    const shell = asShellHandle(handle);
    if (shell && job.settings.cleanup) await removeJobDir(shell.dir).catch(() => {});
  }

  return {
    id: 'shell',
    capabilities: { reattach: true },
    validate: validateDeploy,
    execute,
    adopt,
    release,
  };
}
