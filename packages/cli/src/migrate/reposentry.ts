import path from 'node:path';
import { DNS_1123_LABEL, LOG_LEVELS, toDns1123Label } from '@sentry-git/core/internal';
import { branchRegexToFullMatch } from './branch-regex.js';
import { createReader, isRecord, type Reader } from './fields.js';
import { keepDollarsLiteral } from './literal-dollars.js';
import { tokenReference, tokenVariable } from './tokens.js';
import type { KeyComment, MigrationResult } from './types.js';

/**
 * RepoSentry → sentry-git. RepoSentry watches GitHub and GitLab repositories and sends every
 * change to one Tekton EventListener as a CloudEvent (binary mode); the output does the same with
 * the tekton executor's eventlistener mode, whose CloudEvents keep RepoSentry's layout.
 */

const TOP_KEYS = ['app', 'polling', 'storage', 'tekton', 'rate_limit', 'security', 'repositories'] as const;
const APP_KEYS = ['name', 'log_level', 'log_format', 'health_check_port', 'data_dir'] as const;
const POLLING_KEYS = ['interval', 'timeout', 'max_workers', 'batch_size'] as const;
const STORAGE_KEYS = ['type', 'sqlite'] as const;
const TEKTON_KEYS = ['event_listener_url', 'timeout'] as const;
const REPOSITORY_KEYS = [
  'name',
  'url',
  'provider',
  'token',
  'branch_regex',
  'enabled',
  'api_base_url',
  'polling_interval',
] as const;

/** Keys with no sentry-git equivalent, and why: the "not carried over" block of the output. */
const DROPPED: Record<string, string> = {
  'app.name':
    'sentry-git has no instance name (the Deployment or the config file name tells instances apart)',
  'app.log_format':
    'the CLI writes JSON log lines when stderr is not a terminal; SENTRY_GIT_LOG_FORMAT=json|pretty forces one',
  'app.data_dir': 'sentry-git keeps all its data in the state file (state.path)',
  'polling.batch_size':
    'sentry-git has no batches: up to global.poll_concurrency repositories are polled at once',
  'tekton.timeout':
    "an EventListener delivery is bounded by the job's timeout (deploy.timeout, default global.timeout) and retried on connection errors, 429 and 5xx (deploy.tekton.max_retries)",
  rate_limit:
    "sentry-git follows each forge's own rate-limit answers (retry-after, x-ratelimit-*) per repository, and polls GitHub with conditional requests that spend no quota",
  'security.allowed_env_vars':
    'any ${VAR} may be used; values of secret-looking variables and of token/password/secret keys are redacted everywhere instead',
  'security.require_https':
    'sentry-git has no such switch (http:// is allowed for loopback and internal hosts): write https:// URLs',
  security: 'sentry-git has no security section (see the two keys above for what it does instead)',
};

const REPO_TYPES: Record<string, string> = { github: 'github', gitlab: 'gitlab' };

interface Context {
  read: Reader;
  comments: KeyComment[];
  warnings: string[];
  dropped: string[];
  note(path: (string | number)[], text: string): void;
}

function dropKey(context: Context, key: string): void {
  context.dropped.push(`${key}: ${DROPPED[key] ?? 'no equivalent'}.`);
}

function convertApp(raw: unknown, config: Record<string, unknown>, context: Context): void {
  const { read, note } = context;
  const app = read.mapping(raw, ['app'], APP_KEYS);
  if (!app) return;
  const level = read.string(app.log_level, ['app', 'log_level']);
  if (level !== undefined) {
    if ((LOG_LEVELS as readonly string[]).includes(level)) {
      (config.global as Record<string, unknown>).log_level = level;
      note(['global', 'log_level'], 'app.log_level');
    } else read.problem(['app', 'log_level'], `must be one of ${LOG_LEVELS.join(', ')} (found "${level}").`);
  }
  const port = read.integer(app.health_check_port, ['app', 'health_check_port'], 0, 65535);
  if (port !== undefined) {
    config.server = { port };
    note(
      ['server'],
      'app.health_check_port → server.port: the same port serves /healthz and /readyz (and /metrics, the status API and webhooks).',
    );
  }
  for (const key of ['name', 'log_format', 'data_dir'] as const) {
    if (app[key] !== undefined) dropKey(context, `app.${key}`);
  }
}

function convertPolling(raw: unknown, config: Record<string, unknown>, context: Context): void {
  const { read, note } = context;
  const polling = read.mapping(raw, ['polling'], POLLING_KEYS);
  if (!polling) return;
  const global = config.global as Record<string, unknown>;
  const interval = read.duration(polling.interval, ['polling', 'interval']);
  if (interval !== undefined) {
    config.polling_interval = interval;
    note(
      ['polling_interval'],
      `polling.interval ${JSON.stringify(polling.interval)} (Go duration) in seconds.`,
    );
  }
  const timeout = read.duration(polling.timeout, ['polling', 'timeout']);
  if (timeout !== undefined) {
    global.poll_timeout = timeout;
    note(
      ['global', 'poll_timeout'],
      `polling.timeout ${JSON.stringify(polling.timeout)}: the time limit of one poll, in seconds.`,
    );
  }
  const workers = read.integer(polling.max_workers, ['polling', 'max_workers'], 1);
  if (workers !== undefined) {
    global.poll_concurrency = workers;
    note(['global', 'poll_concurrency'], 'polling.max_workers: repositories polled at once.');
  }
  if (polling.batch_size !== undefined) dropKey(context, 'polling.batch_size');
}

function convertStorage(raw: unknown, config: Record<string, unknown>, context: Context): void {
  const { read, note } = context;
  const storage = read.mapping(raw, ['storage'], STORAGE_KEYS);
  if (!storage) return;
  const type = read.string(storage.type, ['storage', 'type']);
  if (type !== undefined && type !== 'sqlite') {
    read.problem(
      ['storage', 'type'],
      `"${type}" has no sentry-git state driver. Fix: use sqlite (the default).`,
    );
    return;
  }
  if (storage.sqlite === undefined) return;
  const sqlite = read.mapping(storage.sqlite, ['storage', 'sqlite'], ['path']);
  const file = sqlite ? read.string(sqlite.path, ['storage', 'sqlite', 'path']) : undefined;
  if (file === undefined) return;
  // Same folder, own file: RepoSentry's database has its own tables, and sharing the file with a
  // RepoSentry still running (or rolled back to) would mix the two.
  const folder = path.posix.dirname(file.replaceAll('\\', '/'));
  const own = folder === '.' && !file.startsWith('./') ? 'sentry-git.db' : `${folder}/sentry-git.db`;
  config.state = { driver: 'sqlite', path: own };
  note(
    ['state'],
    `storage.sqlite.path ${JSON.stringify(file)} → a new file in the same folder: sentry-git keeps its own tables and does not import RepoSentry's history (every branch is a first sighting: recorded, not deployed). A relative path now resolves against this file's folder (RepoSentry used its working directory).`,
  );
}

function convertRepository(
  raw: unknown,
  index: number,
  eventListenerUrl: string | undefined,
  context: Context,
): {
  name: string;
  enabled: boolean;
  entry: Record<string, unknown>;
  comments: KeyComment[];
  warnings: string[];
} | null {
  const { read } = context;
  const path = ['repositories', index];
  const repo = read.mapping(raw, path, REPOSITORY_KEYS);
  if (!repo) return null;
  const name = read.string(repo.name, [...path, 'name']);
  const url = read.string(repo.url, [...path, 'url']);
  const provider = read.string(repo.provider, [...path, 'provider']);
  if (repo.name === undefined) read.problem([...path, 'name'], 'is required.');
  if (repo.url === undefined) read.problem([...path, 'url'], 'is required.');
  if (repo.provider === undefined) read.problem([...path, 'provider'], 'is required (github or gitlab).');
  const repoType = provider === undefined ? undefined : REPO_TYPES[provider];
  if (provider !== undefined && repoType === undefined) {
    read.problem([...path, 'provider'], `"${provider}" is not a RepoSentry provider. Fix: github or gitlab.`);
  }
  if (repo.enabled !== undefined && typeof repo.enabled !== 'boolean') {
    read.problem([...path, 'enabled'], `must be true or false (found ${JSON.stringify(repo.enabled)}).`);
  }
  const apiBaseUrl = read.string(repo.api_base_url, [...path, 'api_base_url']);
  const interval = read.duration(repo.polling_interval, [...path, 'polling_interval']);
  const regex = repo.branch_regex === undefined || repo.branch_regex === null ? '' : repo.branch_regex;
  let branch: string | undefined;
  if (typeof regex !== 'string') {
    read.problem([...path, 'branch_regex'], `must be a string (found ${JSON.stringify(regex)}).`);
  } else {
    const converted = branchRegexToFullMatch(regex);
    if (converted.ok) branch = converted.pattern;
    else read.problem([...path, 'branch_regex'], `${JSON.stringify(regex)} ${converted.message}.`);
  }
  // Never echo a token: its problems name the key only.
  let token: string | undefined;
  if (repo.token !== undefined && repo.token !== null && repo.token !== '') {
    if (typeof repo.token === 'string') token = repo.token;
    else read.problem([...path, 'token'], 'must be a string, e.g. "${GITHUB_TOKEN}".');
  }
  if (!name || !url || !repoType || branch === undefined || !eventListenerUrl) return null;

  // Paths relative to the entry: its index in the output is known only once disabled ones are left out.
  const comments: KeyComment[] = [];
  const warnings: string[] = [];
  const note = (keys: (string | number)[], text: string) => comments.push({ path: keys, text });
  const monitor: Record<string, unknown> = { repo_url: url, branches: [branch], repo_type: repoType };
  note(['monitor', 'repo_type'], `provider: ${provider}.`);
  note(
    ['monitor', 'branches'],
    `branch_regex ${JSON.stringify(regex)}: RE2, searched anywhere in the name unless written ^...$. Each entry here must match the whole name, so a leading ^ / trailing $ is dropped and a missing one becomes .*${regex === '' ? ' (no branch_regex: every branch)' : ''}.`,
  );
  if (apiBaseUrl) monitor.api_base_url = apiBaseUrl;
  if (interval !== undefined) {
    monitor.polling_interval = interval;
    note(
      ['monitor', 'polling_interval'],
      `polling_interval ${JSON.stringify(repo.polling_interval)} in seconds.`,
    );
  }
  if (token !== undefined) {
    const reference = tokenReference(token, read.at([...path, 'token']), tokenVariable(name), true);
    monitor.auth = { token: reference.value };
    note(['monitor', 'auth'], reference.comment);
    if (reference.warning) warnings.push(reference.warning);
  }
  const deploy: Record<string, unknown> = {
    executor: 'tekton',
    tekton: { mode: 'eventlistener', event_listener_url: eventListenerUrl, payload: 'cloudevents' },
  };
  note(
    ['deploy'],
    "tekton.event_listener_url: every change is POSTed to the EventListener as a CloudEvent in binary mode, in RepoSentry's layout (ce-type dev.reposentry.repository.branch_*), so its TriggerBindings keep working.",
  );
  if (!DNS_1123_LABEL.test(name)) {
    deploy.project_name = toDns1123Label(name);
    note(
      ['deploy', 'project_name'],
      `"${name}" is not a DNS-1123 label, which sentry-git needs for Kubernetes names.`,
    );
  }
  return { name, enabled: repo.enabled !== false, entry: { name, monitor, deploy }, comments, warnings };
}

function convertRepositories(
  raw: unknown,
  eventListenerUrl: string | undefined,
  config: Record<string, unknown>,
  context: Context,
): void {
  const { read } = context;
  if (raw === undefined || raw === null) {
    read.problem(['repositories'], 'is required: the repositories to watch.');
    return;
  }
  if (!Array.isArray(raw)) {
    read.problem(['repositories'], 'must be a list of repositories.');
    return;
  }
  const entries: Record<string, unknown>[] = [];
  const seen = new Map<string, number>();
  const disabled: string[] = [];
  raw.forEach((item, index) => {
    const result = convertRepository(item, index, eventListenerUrl, context);
    if (!result) return;
    const first = seen.get(result.name);
    if (first !== undefined) {
      read.problem(
        ['repositories', index, 'name'],
        `duplicate name "${result.name}" (also repositories[${first}]).`,
      );
    }
    seen.set(result.name, index);
    if (!result.enabled) {
      disabled.push(`repositories[${index}] "${result.name}"`);
      return;
    }
    for (const comment of result.comments) {
      context.note(['repositories', entries.length, ...comment.path], comment.text);
    }
    context.warnings.push(...result.warnings);
    entries.push(result.entry);
  });
  if (raw.length > 0 && eventListenerUrl === undefined) {
    read.problem(
      ['tekton', 'event_listener_url'],
      'is required: it is where RepoSentry delivered every change. Fix: set it to the EventListener URL.',
    );
  }
  config.repositories = entries;
  if (disabled.length > 0) {
    context.dropped.push(
      `${disabled.join(', ')} (enabled: false): sentry-git has no per-repository switch; an entry that is not listed is not watched. Copy it back from the RepoSentry file to watch it.`,
    );
    context.note(['repositories'], `Left out (enabled: false): ${disabled.join(', ')}.`);
  }
}

export function convertRepoSentry(raw: Record<string, unknown>, file: string): MigrationResult {
  const read = createReader();
  const comments: KeyComment[] = [];
  const context: Context = {
    read,
    comments,
    warnings: [],
    dropped: [],
    note: (path, text) => comments.push({ path, text }),
  };
  const top = read.mapping(raw, [], TOP_KEYS) ?? {};
  // Key order of the output: settings first, then the repositories.
  const config: Record<string, unknown> = { polling_interval: undefined, global: {} };
  if (top.polling !== undefined) convertPolling(top.polling, config, context);
  if (top.app !== undefined) convertApp(top.app, config, context);
  if (top.storage !== undefined) convertStorage(top.storage, config, context);
  let eventListenerUrl: string | undefined;
  if (top.tekton !== undefined) {
    const tekton = read.mapping(top.tekton, ['tekton'], TEKTON_KEYS);
    eventListenerUrl = tekton
      ? read.string(tekton.event_listener_url, ['tekton', 'event_listener_url'])
      : undefined;
    if (tekton?.timeout !== undefined) dropKey(context, 'tekton.timeout');
  }
  if (top.rate_limit !== undefined) dropKey(context, 'rate_limit');
  if (isRecord(top.security)) {
    for (const key of Object.keys(top.security)) {
      if (DROPPED[`security.${key}`]) dropKey(context, `security.${key}`);
      else context.dropped.push(`security.${key}: ${DROPPED.security}.`);
    }
  } else if (top.security !== undefined) dropKey(context, 'security');
  convertRepositories(top.repositories, eventListenerUrl, config, context);

  if (read.issues.length > 0) return { ok: false, issues: read.issues };
  if (config.polling_interval === undefined) delete config.polling_interval;
  if (Object.keys(config.global as object).length === 0) delete config.global;
  const header = [
    `Converted by \`sentry-git migrate\` from the RepoSentry configuration ${file}.`,
    'Each comment says which RepoSentry key a value came from. Check the result with',
    '`sentry-git validate -c <this file>` (with the ${VAR} variables set).',
  ];
  if (context.dropped.length > 0) {
    header.push('', 'Not carried over:');
    for (const line of context.dropped) header.push(`  - ${line}`);
  }
  const literal = keepDollarsLiteral(config);
  if (literal.changed) {
    header.push(
      '',
      'A $ that RepoSentry kept as text is written $$ here: sentry-git also expands $VAR and reads $$ as $.',
    );
  }
  const output = literal.value as Record<string, unknown>;
  return { ok: true, migration: { config: output, header, comments, warnings: context.warnings } };
}
