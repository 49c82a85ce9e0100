import type { DeployConfig } from '../config/schema.js';
import type { Job } from '../types.js';

/** A complete job for executor tests; override any field. */
export function makeJob(
  overrides: Partial<Omit<Job, 'deploy' | 'settings'>> & {
    deploy?: Partial<DeployConfig>;
    settings?: Partial<Job['settings']>;
  } = {},
): Job {
  const { deploy, settings, ...rest } = overrides;
  return {
    id: 'job-1',
    runId: 'run-1',
    repository: 'demo',
    group: null,
    branch: 'main',
    sha: 'a'.repeat(40),
    previousSha: 'b'.repeat(40),
    trigger: 'manual',
    repoUrl: 'https://git.example.invalid/demo.git',
    repoType: 'git',
    projectName: 'demo',
    timeoutSeconds: 300,
    ...rest,
    deploy: { executor: 'shell', commands: ['true'], ...deploy },
    settings: { tmpDir: '/tmp/sentry-git-tests', cleanup: true, ...settings },
  };
}
