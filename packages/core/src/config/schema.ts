import os from 'node:os';
import path from 'node:path';
import { z } from 'zod';
import { docsHint } from '../docs.js';
import { booleanLike } from './boolean-like.js';
import { boundedSeconds, secondsJsonBounds } from './duration.js';
import { tektonDeploySchema } from './tekton-schema.js';

/**
 * The configuration schema. Keys are the original Sentry's (snake_case) so its YAML loads
 * unchanged; additions are documented in docs/configuration.md. Durations are in seconds.
 */

const DNS_1123_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;

export const LOG_LEVELS = ['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent'] as const;

/**
 * Numbers and booleans may arrive as strings when they come from `${VAR}` expansion
 * (`polling_interval: ${INTERVAL}`), so those fields also accept their string spelling.
 */
function numberLike<T extends z.ZodNumber>(inner: T) {
  return z
    .union([
      z.number(),
      z
        .string()
        .regex(/^-?\d+(\.\d+)?$/, { message: 'must be a number' })
        .transform(Number),
    ])
    .pipe(inner);
}

/** A duration key: seconds, more than 0 (or at least 0), at most `MAX_DURATION_SECONDS`. */
const seconds = (description: string, options: { zero?: boolean } = {}) =>
  numberLike(boundedSeconds(options.zero ? z.number().min(0) : z.number().positive())).meta({
    description: `${description} (seconds)`,
    ...secondsJsonBounds(options),
  });

export const authSchema = z
  .strictObject({
    username: z
      .string()
      .optional()
      .describe(
        'User name sent with the token (defaults by repo_type: github x-access-token, gitlab oauth2, others git).',
      ),
    token: z
      .string()
      .optional()
      .describe(
        'Access token or password. Never logged, never passed in process arguments, never written to a clone.',
      ),
  })
  .describe('Credentials for HTTPS Git access.');

export const monitorSchema = z
  .strictObject({
    repo_url: z
      .string()
      .min(1, { abort: true })
      .regex(/\S/, { message: 'must not be blank. Fix: write the URL or path of the repository.' })
      .describe(
        'The watched repository: https://, ssh://, git://, scp-like user@host:path, file:// or a local path.',
      ),
    branches: z
      .array(z.string().min(1))
      .min(1)
      .describe(
        'Branches to watch; each entry is an RE2 regular expression that must match the whole branch name.',
      ),
    repo_type: z
      .string()
      .default('git')
      .describe('Which provider polls it: github | gitlab | gitea | git | a plugin provider id.'),
    auth: authSchema.optional(),
    polling_interval: seconds(
      'Poll this repository at its own interval instead of the global one',
    ).optional(),
    max_polling_interval: seconds(
      'Longest interval adaptive polling stretches this repository to while it is idle; default global.max_polling_interval',
    ).optional(),
    api_base_url: z
      .string()
      .url({ message: 'must be a URL, e.g. "https://git.example.com/api/v4"' })
      .optional()
      .describe(
        "The forge's API root. Default: api.github.com for github.com, else https://HOST/api/v3 (GitHub Enterprise), /api/v4 (GitLab), /api/v1 (Gitea, Forgejo). http:// is allowed (loopback, internal hosts).",
      ),
    report_status: booleanLike()
      .default(false)
      .describe('Report each deploy on the commit: pending when it starts, success or failure when it ends.'),
    paths: z
      .array(z.string().min(1))
      .optional()
      .describe(
        'Deploy only when a file matching one of these globs changed since the last deployed commit.',
      ),
    ignore_paths: z
      .array(z.string().min(1))
      .optional()
      .describe('Do not deploy when every changed file matches one of these globs.'),
    skip_markers: z
      .array(z.string().min(1))
      .default(['[skip deploy]', '[deploy skip]'])
      .describe('A push whose newest commit message contains one of these deploys nothing.'),
    webhook_secret: z
      .string()
      .optional()
      .describe(
        "Secret of this repository's push webhook (GitHub/Gitea HMAC key, GitLab token); default: server.webhook_secret. Never logged.",
      ),
    fallback_to_git: booleanLike()
      .default(false)
      .describe(
        "When the forge's API cannot be reached, list branches with git ls-remote (with the same token) instead.",
      ),
  })
  .describe('What to watch.');

export const deploySchema = z
  .strictObject({
    executor: z
      .string()
      .default('shell')
      .describe('Which executor deploys: shell | tekton | a plugin executor id.'),
    qa_repo_url: z
      .string()
      .min(1)
      .optional()
      .describe(
        'Repository cloned (shallow) before the commands run; omitted = an empty temporary directory.',
      ),
    qa_repo_branch: z
      .string()
      .min(1)
      .optional()
      .describe("Branch of the QA repository to clone; omitted = the remote's default branch."),
    repo_type: z
      .string()
      .optional()
      .describe(
        'Host type of the QA repository (github | gitlab | gitea | git); picks the default auth user name.',
      ),
    auth: authSchema.optional(),
    project_name: z
      .string()
      .min(1, {
        error:
          'must not be empty (the original Sentry refuses an empty project_name too). Fix: write a DNS-1123 label such as "rag-service", or remove the key to use the repository name.',
        abort: true,
      })
      .regex(DNS_1123_LABEL, {
        error: (issue) =>
          `must be a DNS-1123 label: lowercase letters, digits and "-", starting and ending with a letter or digit, at most 63 characters. Fix: write "${toDns1123Label(String(issue.input))}".`,
      })
      .max(63, {
        error: (issue) =>
          `must be at most 63 characters (a DNS-1123 label). Fix: shorten it, e.g. "${toDns1123Label(String(issue.input))}".`,
      })
      .optional()
      .describe(
        'Kubernetes-friendly project name (DNS-1123 label); exported as SENTRY_PROJECT. Defaults to the repository name when that is a valid label.',
      ),
    commands: z
      .array(
        z
          .string()
          .min(1, { message: 'must not be an empty string. Fix: write the command, or remove the entry.' }),
      )
      .optional()
      .describe(
        'Shell commands run in order in one bash session (errexit) at the clone root. Not ${VAR}-expanded: the shell expands $VAR at run time.',
      ),
    env: z
      .record(z.string(), z.string())
      .optional()
      .describe('Extra environment variables for the commands.'),
    timeout: seconds('Job timeout; defaults to global.timeout').optional(),
    tekton: tektonDeploySchema.optional(),
  })
  .describe('How to deploy.');

export const repositorySchema = z.strictObject({
  name: z
    .string()
    .min(1, { abort: true })
    .regex(/\S/, { message: 'must not be blank. Fix: write a name, e.g. "app".' })
    .describe('Unique name of the repository entry.'),
  group: z.string().min(1).optional().describe('Group it deploys with; no group = it deploys on its own.'),
  monitor: monitorSchema,
  deploy: deploySchema,
  webhook_url: z
    .union([
      z.literal(''),
      z.string().url({ message: 'must be a URL (e.g. "https://hooks.example.com/deploys") or "" for none' }),
    ])
    .optional()
    .describe(
      "The original Sentry's reserved key: when set (non-empty), a JSON summary of each finished run of this repository is POSTed there.",
    ),
});

export const groupSchema = z.strictObject({
  execution_strategy: z
    .string()
    .default('parallel')
    .describe('parallel | sequential | a plugin strategy id.'),
  max_parallel: numberLike(z.number().int().min(1))
    .default(5)
    .describe('Most members deploying at once (parallel).'),
  continue_on_error: booleanLike()
    .default(false)
    .describe('Sequential: go on after a failed member instead of skipping the rest.'),
  global_timeout: seconds('Time limit of the whole group run').optional(),
});

export const globalSchema = z
  .strictObject({
    tmp_dir: z
      .string()
      .min(1)
      .optional()
      .describe(
        "Where QA repositories are cloned for each job; default: the system's temp folder + /sentry-git.",
      ),
    cleanup: booleanLike().default(true).describe('Remove the job directory when the job ends.'),
    log_level: z
      .enum(LOG_LEVELS)
      .default('info')
      .describe("Level of the CLI's log (`--log-level` overrides it); the library does not read it."),
    timeout: seconds('Default job timeout').default(300),
    shutdown_grace: seconds('On SIGINT/SIGTERM, how long running jobs may finish before they are cancelled', {
      zero: true,
    }).default(30),
    deploy_on_first_sight: booleanLike()
      .default(false)
      .describe(
        'Deploy the heads found at the first poll of a repository instead of recording them as a baseline.',
      ),
    poll_timeout: seconds('Time limit of one provider call').default(30),
    poll_concurrency: numberLike(z.number().int().min(1)).default(8).describe('Repositories polled at once.'),
    max_polling_interval: seconds(
      'Longest interval adaptive polling stretches an idle repository to (each poll that finds nothing multiplies its interval by 1.5); default polling_interval = adaptive polling off',
    ).optional(),
    quota_reserve: numberLike(z.number().min(0).max(0.9))
      .default(0.1)
      .describe(
        'Fraction of each API quota window (per token and forge) that polling leaves unspent: when polls would spend more before the reset, the intervals of the repositories sharing that quota are stretched.',
      ),
    jitter: numberLike(z.number().min(0).max(0.5))
      .default(0.1)
      .describe('Random spread of each poll time, as a fraction of the interval.'),
    recover: z
      .enum(['requeue', 'fail'])
      .default('requeue')
      .describe('What happens to runs a crash left queued or running.'),
  })
  .describe('Global settings.');

export const stateSchema = z
  .strictObject({
    driver: z.string().default('sqlite').describe('sqlite | memory | a plugin state store id.'),
    path: z
      .string()
      .optional()
      .describe('SQLite file; default .sentry-git/state.db next to the config file.'),
    url: z
      .string()
      .optional()
      .describe(
        'PostgreSQL connection URL (driver postgres), e.g. ${DATABASE_URL}; its password is redacted.',
      ),
    lease: numberLike(z.number().int().min(3).max(3600))
      .default(15)
      .describe(
        'Seconds (3 to 3600) a replica keeps its poll leases and run claims without renewing them, on a store several replicas share (driver postgres); renewed every third of it. A replica that dies is taken over after this long.',
      ),
  })
  .describe('Where heads and run history are kept.');

/** Names a request is known by without a named token: `token`, `read_token`, or none at all. */
export const RESERVED_TOKEN_NAMES = ['admin', 'read', 'anonymous'] as const;

export const apiTokenSchema = z
  .strictObject({
    name: z
      .string()
      .regex(/^[A-Za-z0-9][A-Za-z0-9._@-]{0,63}$/, {
        message:
          'must be 1 to 64 letters, digits, ".", "_", "@" or "-", starting with a letter or digit (it is recorded as who acted), e.g. "ci-bot"',
      })
      .refine((name) => !(RESERVED_TOKEN_NAMES as readonly string[]).includes(name), {
        message:
          'is reserved: "admin" and "read" name server.token and server.read_token, "anonymous" a request without a token. Fix: choose another name, e.g. "ops-admin"',
      })
      .describe('Who the token is: recorded with every action taken with it (`requestedBy`, `by`).'),
    token: z
      .string()
      .min(16, {
        message: 'is shorter than 16 characters. Fix: use a long random value, e.g. `openssl rand -hex 32`',
      })
      .describe('The bearer token itself (secret: redacted everywhere), e.g. "${CI_BOT_TOKEN}".'),
    role: z
      .enum(['admin', 'read'], { message: 'must be "admin" (read and act) or "read" (read only)' })
      .describe('admin: every read and action; read: the API reads, the event stream and /metrics.'),
  })
  .describe('A named API token.');

export const serverSchema = z
  .strictObject({
    port: numberLike(z.number().int().min(0).max(65535))
      .optional()
      .describe(
        'Serve the HTTP API, probes, metrics and webhooks on this port (0 = any free port); unset = no server unless `watch --port`.',
      ),
    host: z.string().min(1).default('0.0.0.0').describe('Address the server binds to.'),
    token: z
      .string()
      .optional()
      .describe(
        'Admin bearer token (its actions are recorded as by "admin"): every API read and action, /metrics and the event stream take it; default: $SENTRY_GIT_API_TOKEN. Without any admin token, actions over HTTP (trigger, cancel, rerun, deploy, pause, resume) are refused.',
      ),
    read_token: z
      .string()
      .optional()
      .describe(
        'Read-only bearer token (recorded as "read"): the API reads, the event stream and /metrics, never an action; default: $SENTRY_GIT_READ_TOKEN.',
      ),
    tokens: z
      .array(apiTokenSchema)
      .default([])
      .describe(
        'Named bearer tokens, each admin or read: the name is recorded as who asked for an action. With any token configured, every /api/v1 route and /metrics need one.',
      ),
    webhook_secret: z
      .string()
      .optional()
      .describe('Secret of push webhooks for repositories without their own monitor.webhook_secret.'),
    body_limit: numberLike(z.number().int().positive())
      .default(1024 * 1024)
      .describe('Largest request body accepted, in bytes (413 above).'),
  })
  .describe('The HTTP server (sentry-git watch).');

export const notificationsSchema = z
  .strictObject({
    urls: z
      .array(z.string().url({ message: 'must be a URL, e.g. "https://hooks.example.com/deploys"' }))
      .default([])
      .describe("Receivers of every finished run's JSON summary (besides each repository's webhook_url)."),
    secret: z
      .string()
      .optional()
      .describe('Signs each summary: X-Sentry-Signature-256: sha256=<hex HMAC-SHA256 of the body>.'),
    timeout: seconds('Time limit of one delivery attempt').default(10),
    max_retries: numberLike(z.number().int().min(0))
      .default(3)
      .describe('Retries of a delivery that failed (connection error, 429, 5xx), with backoff.'),
  })
  .describe('Run summaries POSTed to webhooks.');

/** The original Sentry refuses a configuration without repositories, and so does sentry-git. */
const NOTHING_TO_WATCH = `nothing to watch. Fix: add at least one repository, e.g. repositories: [{ name: app, monitor: { repo_url: ./app.git, branches: [main] }, deploy: { commands: ["./deploy.sh"] } }] (${docsHint('configuration', 'repositories')}).`;

export const pluginSpecSchema = z.union([
  z.string().min(1),
  z.tuple([z.string().min(1), z.record(z.string(), z.unknown())]),
]);

export const configSchema = z.strictObject({
  polling_interval: seconds('How often each repository is polled').default(60),
  groups: z
    .record(z.string(), groupSchema)
    .default({})
    .describe(
      'Named groups of repositories that deploy together; a repository joins one with `group: <name>`.',
    ),
  repositories: z
    .array(repositorySchema, {
      error: (issue) => (issue.input === undefined ? `missing: ${NOTHING_TO_WATCH}` : undefined),
    })
    .min(1, { error: `empty: ${NOTHING_TO_WATCH}` })
    .describe('The watched repositories (at least one).'),
  global: globalSchema.default(() => globalSchema.parse({})),
  state: stateSchema.default(() => stateSchema.parse({})),
  server: serverSchema.default(() => serverSchema.parse({})),
  notifications: notificationsSchema.default(() => notificationsSchema.parse({})),
  plugins: z
    .array(pluginSpecSchema)
    .default([])
    .describe('Plugins by package name or path relative to the config file, optionally [name, options].'),
});

/** A configuration as written (defaults optional): what `defineConfig()` types. */
export type SentryConfigInput = z.input<typeof configSchema>;
/** A configuration after validation, defaults applied. */
export type SentryConfig = z.output<typeof configSchema>;
export type RepositoryConfig = SentryConfig['repositories'][number];
export type MonitorConfig = RepositoryConfig['monitor'];
export type DeployConfig = RepositoryConfig['deploy'];
export type AuthConfig = z.output<typeof authSchema>;
export type GroupConfig = z.output<typeof groupSchema>;
export type GlobalConfig = SentryConfig['global'];
export type PluginSpec = z.output<typeof pluginSpecSchema>;
export type ServerConfig = z.output<typeof serverSchema>;
export type ApiTokenConfig = z.output<typeof apiTokenSchema>;
export type NotificationsConfig = z.output<typeof notificationsSchema>;

export { DNS_1123_LABEL };

/** A DNS-1123 label made from any name (`Rag_Service` → `rag-service`); `app` when nothing is left. */
export function toDns1123Label(name: string): string {
  const label = name
    .toLowerCase()
    .replace(/[^a-z0-9-]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 63)
    .replace(/-+$/, '');
  return DNS_1123_LABEL.test(label) ? label : 'app';
}

/** `global.tmp_dir` when the config does not set it. */
export function defaultTmpDir(): string {
  return path.join(os.tmpdir(), 'sentry-git');
}
