// Building blocks for executors, shared by the shell and Tekton executors and open to
// third-party executor authors: check the QA repository out with credentials kept out of
// arguments and output, give each job its own directory, collect its output (and the tail a
// result keeps), bound it by job.timeoutSeconds, and run a command in a process group that is
// killed as a whole. Imports nothing heavy at load time (execa is imported on first use).
export { type CloneOptions, type CloneOutcome, cloneQaRepository, toCloneUrl } from './clone.js';
export { type GitRunOptions, type GitRunResult, gitFailure, runGitStep } from './git-run.js';
export { createJobDir, removeJobDir } from './job-dir.js';
export { withJobTimeout } from './job-signal.js';
export { createOutputSink, type OutputSink, type OutputStream } from './output.js';
export {
  type ProcessGroupOptions,
  type ProcessGroupResult,
  runInProcessGroup,
} from './process-group.js';
export { type QaRepositoryRef, qaFailureHint } from './qa-failure.js';
