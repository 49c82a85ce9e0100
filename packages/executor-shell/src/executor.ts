import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import {
  abortMessage,
  type Executor,
  type ExecutorContext,
  errorMessage,
  type Job,
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
  runInProcessGroup,
  withJobTimeout,
} from '@sentry-git/executor-kit';
import { createQaCache, type QaCache } from './cache/qa-cache.js';
import { commandEnvironment } from './environment.js';
import { type ResolvedShellExecutorOptions, resolveOptions, type ShellExecutorOptions } from './options.js';
import { buildScript, describeCommand, readStep } from './script.js';
import { validateDeploy } from './validate.js';

interface Outcome {
  status: JobOutcome;
  exitCode: number | null;
  error: string | null;
}

/** Where a job's files live: the clone (or empty working directory) and the script beside it. */
interface JobPaths {
  workdir: string;
  script: string;
  stepFile: string;
}

function jobPaths(jobDir: string): JobPaths {
  return {
    workdir: path.join(jobDir, 'checkout'),
    // Outside the checkout, so the commands' `git status` and globs never see them.
    script: path.join(jobDir, 'commands.sh'),
    stepFile: path.join(jobDir, 'step'),
  };
}

function abortedOutcome(signal: AbortSignal): Outcome {
  return { status: outcomeOfAbort(signal), exitCode: null, error: abortMessage(signal) };
}

async function runCommands(
  job: Job,
  commands: readonly string[],
  paths: JobPaths,
  signal: AbortSignal,
  options: ResolvedShellExecutorOptions,
  output: OutputSink,
): Promise<Outcome> {
  await writeFile(paths.script, buildScript(commands, paths.stepFile), { mode: 0o700 });
  const result = await runInProcessGroup(options.shell, ['--noprofile', '--norc', paths.script], {
    cwd: paths.workdir,
    env: commandEnvironment(job, paths.workdir),
    signal,
    killGraceMs: options.killGraceMs,
    onOutput: (stream, text) => output.write(stream, text),
  });
  if (result.aborted) return abortedOutcome(signal);
  if (result.spawnError)
    return {
      status: 'failed',
      exitCode: null,
      error: `Could not start ${options.shell}: ${result.spawnError}`,
    };
  if (result.exitCode === 0) return { status: 'succeeded', exitCode: 0, error: null };
  const step = await readStep(paths.stepFile);
  const command = step === null ? undefined : commands[step - 1];
  const which =
    command === undefined
      ? 'The commands'
      : `Command ${step} of ${commands.length} (${describeCommand(command)})`;
  const how =
    result.exitCode === null
      ? `was killed by ${result.signal ?? 'a signal'}`
      : `failed with exit code ${result.exitCode}`;
  return { status: 'failed', exitCode: result.exitCode, error: `${which} ${how}` };
}

async function runJob(
  job: Job,
  signal: AbortSignal,
  options: ResolvedShellExecutorOptions,
  output: OutputSink,
  onJobDir: (dir: string) => void,
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
  onJobDir(jobDir);
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
    await mkdir(paths.workdir);
  }
  if (signal.aborted) return abortedOutcome(signal);
  return runCommands(job, commands, paths, signal, options, output);
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
    let outcome: Outcome;
    try {
      outcome = await runJob(
        job,
        bounded.signal,
        resolved,
        output,
        (dir) => {
          jobDir = dir;
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
    if (jobDir !== undefined) {
      if (job.settings.cleanup) {
        await removeJobDir(jobDir).catch((error: unknown) => {
          context.log.warn({ jobDir, error: errorMessage(error) }, 'could not remove the job directory');
        });
      } else {
        output.write('system', `Job directory kept: ${jobDir}\n`);
      }
    }
    const finishedAt = new Date();
    return {
      ...outcome,
      startedAt: startedAt.toISOString(),
      finishedAt: finishedAt.toISOString(),
      durationMs: Math.max(0, finishedAt.getTime() - startedAt.getTime()),
      output: output.tail(),
    };
  }

  return {
    id: 'shell',
    capabilities: { reattach: false },
    validate: validateDeploy,
    execute,
  };
}
