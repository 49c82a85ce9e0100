import { defaultTmpDir, type SentryConfig } from '../config/schema.js';
import type { Job, JobRecord, RunRecord } from '../types.js';

/** Builds the job an executor receives from a stored job and the current configuration. */
export function buildJob(config: SentryConfig, run: RunRecord, record: JobRecord): Job | null {
  const repository = config.repositories.find((repo) => repo.name === record.repository);
  if (!repository) return null;
  return {
    id: record.id,
    runId: run.id,
    repository: repository.name,
    group: repository.group ?? null,
    branch: record.branch,
    sha: record.sha,
    previousSha: record.previousSha,
    trigger: run.trigger,
    repoUrl: repository.monitor.repo_url,
    repoType: repository.monitor.repo_type,
    projectName: repository.deploy.project_name ?? repository.name,
    deploy: repository.deploy,
    timeoutSeconds: repository.deploy.timeout ?? config.global.timeout,
    settings: { tmpDir: config.global.tmp_dir ?? defaultTmpDir(), cleanup: config.global.cleanup },
  };
}
