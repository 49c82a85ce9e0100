import { z } from 'zod';
import type { ConfigIssue } from '../errors.js';
import { boundedSeconds } from './duration.js';
import { LOG_LEVELS, toDns1123Label } from './schema.js';
import { READABLE_PARSE, readableIssues } from './zod-issues.js';

/**
 * The simplified Sentry's format: one watched repository (`target_repo`) and one QA repository
 * (`qa_repo`) whose `.tekton` folder is applied to a cluster. It loads unchanged and becomes one
 * repository deployed by the Tekton executor's `apply` mode.
 */

const REPO_TYPES = ['github', 'gitlab', 'gitea', 'git'] as const;

const numberLike = z.union([
  z.number(),
  z
    .string()
    .regex(/^\d+(\.\d+)?$/, { message: 'must be a number' })
    .transform(Number),
]);

export const simpleSentrySchema = z.strictObject({
  target_repo: z.strictObject({
    url: z.string().min(1),
    branches: z.union([z.string().min(1), z.array(z.string().min(1)).min(1)]),
    type: z.enum(REPO_TYPES).default('git'),
  }),
  qa_repo: z.strictObject({
    url: z.string().min(1),
    branch: z.string().min(1).optional(),
    type: z.enum(REPO_TYPES).default('git'),
  }),
  auth: z
    .strictObject({
      github_token: z.string().optional(),
      gitlab_token: z.string().optional(),
      gitea_token: z.string().optional(),
    })
    .default({}),
  polling_interval: numberLike.pipe(boundedSeconds(z.number().positive())).default(300),
  tekton_dir: z.string().min(1).default('.tekton'),
  kubectl_context: z.string().min(1).optional(),
  namespace: z.string().min(1).optional(),
  log_level: z.enum(LOG_LEVELS).default('info'),
  max_retries: numberLike.pipe(z.number().int().min(0)).default(3),
  timeout: numberLike.pipe(boundedSeconds(z.number().positive())).default(300),
});

export type SimpleSentryConfig = z.output<typeof simpleSentrySchema>;

/** One line of "this key of your file became that key": what `validate` prints. */
export interface MappingNote {
  from: string;
  to: string;
}

export interface ConfigSource {
  /** `sentry-git` for the native format (the original Sentry's Scheme C is a subset of it). */
  format: 'sentry-git' | 'sentry-simple';
  /** For a translated format: where each of its keys went. */
  mapping: MappingNote[];
}

/** The simplified format is recognised by `target_repo`, which no native config has. */
export function isSimpleSentryConfig(raw: unknown): raw is Record<string, unknown> {
  return raw !== null && typeof raw === 'object' && !Array.isArray(raw) && 'target_repo' in raw;
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** The last path segment of a repository URL, without `.git`: `.../example/repo-a.git` → `repo-a`. */
function repositoryName(url: string): string {
  const trimmed = url.replace(/\/+$/, '').replace(/\.git$/, '');
  const last = trimmed.split(/[/:]/).pop() ?? '';
  return last || 'target';
}

function tokenFor(type: string, auth: SimpleSentryConfig['auth']): { key: string; token: string } | null {
  const key = `${type}_token` as keyof SimpleSentryConfig['auth'];
  const token = auth[key];
  return token ? { key: `auth.${key}`, token } : null;
}

/**
 * Translates a simplified Sentry config (already `${VAR}`-expanded) into the native shape, or
 * returns its problems with the simplified format's own key paths.
 */
export function translateSimpleSentry(
  raw: unknown,
):
  | { ok: true; config: Record<string, unknown>; source: ConfigSource }
  | { ok: false; issues: ConfigIssue[] } {
  const parsed = simpleSentrySchema.safeParse(raw, READABLE_PARSE);
  if (!parsed.success) {
    return {
      ok: false,
      issues: readableIssues(parsed.error, raw, {
        schema: simpleSentrySchema,
        docs: { page: 'configuration', section: () => "The simplified Sentry's format" },
        unknownKeyNote:
          'The file is read as a simplified Sentry configuration (it has target_repo); `sentry-git migrate` converts it to the sentry-git format, which has more keys.',
      }),
    };
  }
  const simple = parsed.data;
  const name = repositoryName(simple.target_repo.url);
  const branches = (
    Array.isArray(simple.target_repo.branches)
      ? simple.target_repo.branches
      : simple.target_repo.branches.split(',')
  )
    .map((branch) => branch.trim())
    .filter((branch) => branch !== '');
  if (branches.length === 0) {
    return {
      ok: false,
      issues: [
        {
          path: 'target_repo.branches',
          message: 'names no branch. Fix: list branch names separated by commas, e.g. "main,develop".',
        },
      ],
    };
  }
  const mapping: MappingNote[] = [];
  const note = (from: string, to: string) => mapping.push({ from, to });

  const monitorToken = tokenFor(simple.target_repo.type, simple.auth);
  const qaToken = tokenFor(simple.qa_repo.type, simple.auth);
  const at = 'repositories[0]';
  note('target_repo.url', `${at}.monitor.repo_url (repository "${name}")`);
  note(
    'target_repo.branches',
    `${at}.monitor.branches: ${branches.map((b) => JSON.stringify(escapeRegExp(b))).join(', ')} (each name matched literally)`,
  );
  note('target_repo.type', `${at}.monitor.repo_type: ${simple.target_repo.type}`);
  if (monitorToken) note(monitorToken.key, `${at}.monitor.auth.token`);
  note('qa_repo.url', `${at}.deploy.qa_repo_url`);
  if (simple.qa_repo.branch) note('qa_repo.branch', `${at}.deploy.qa_repo_branch`);
  note('qa_repo.type', `${at}.deploy.repo_type: ${simple.qa_repo.type}`);
  if (qaToken) note(qaToken.key, `${at}.deploy.auth.token`);
  note('(the whole file)', `${at}.deploy.executor: tekton, deploy.tekton.mode: apply`);
  note('tekton_dir', `${at}.deploy.tekton.tekton_dir: ${simple.tekton_dir}`);
  if (simple.kubectl_context) note('kubectl_context', `${at}.deploy.tekton.context (kubeconfig context)`);
  if (simple.namespace) note('namespace', `${at}.deploy.tekton.namespace: ${simple.namespace}`);
  note(
    'max_retries',
    `${at}.deploy.tekton.max_retries: ${simple.max_retries} (retries of a Kubernetes call that failed with a connection error, 429 or 5xx; a failed deploy is recorded, not re-run)`,
  );
  note('timeout', `${at}.deploy.timeout and global.timeout: ${simple.timeout} s`);
  note('polling_interval', `polling_interval: ${simple.polling_interval} s`);
  note('log_level', `global.log_level: ${simple.log_level}`);

  const tekton: Record<string, unknown> = {
    mode: 'apply',
    tekton_dir: simple.tekton_dir,
    max_retries: simple.max_retries,
  };
  if (simple.kubectl_context) tekton.context = simple.kubectl_context;
  if (simple.namespace) tekton.namespace = simple.namespace;
  const deploy: Record<string, unknown> = {
    executor: 'tekton',
    qa_repo_url: simple.qa_repo.url,
    repo_type: simple.qa_repo.type,
    project_name: toDns1123Label(name),
    timeout: simple.timeout,
    tekton,
  };
  if (simple.qa_repo.branch) deploy.qa_repo_branch = simple.qa_repo.branch;
  if (qaToken) deploy.auth = { token: qaToken.token };
  const monitor: Record<string, unknown> = {
    repo_url: simple.target_repo.url,
    branches: branches.map(escapeRegExp),
    repo_type: simple.target_repo.type,
  };
  if (monitorToken) monitor.auth = { token: monitorToken.token };

  return {
    ok: true,
    config: {
      polling_interval: simple.polling_interval,
      repositories: [{ name, monitor, deploy }],
      global: { log_level: simple.log_level, timeout: simple.timeout },
    },
    source: { format: 'sentry-simple', mapping },
  };
}
