/**
 * The catalogue of every error code sentry-git raises on purpose (semantic-release style): what
 * it means, whether trying again can help, the HTTP status the server answers with when it reaches
 * a request, and a default fix. `docs/reference/errors.md` is generated from it (`pnpm schema`),
 * and a test fails when the page and the catalogue differ.
 */

/**
 * Whether trying again can help:
 * - `transient`: the same call may succeed later (network, 5xx, a timeout, a busy lock);
 * - `after-reset`: it will succeed, but not before a known time (a rate limit's reset);
 * - `permanent`: it fails the same way until someone changes something (config, token, input).
 */
export type ErrorClass = 'transient' | 'permanent' | 'after-reset';

/** What the catalogue knows about one code. */
export interface ErrorCodeInfo {
  class: ErrorClass;
  /**
   * The HTTP status the server answers with when the error reaches a request. 500 means "not
   * the client's doing": the server logs it and answers `INTERNAL_ERROR` without details.
   */
  status: number;
  /** Which part raises it, for the reference page. */
  area: ErrorArea;
  /** One line: what happened. */
  summary: string;
  /** What to do about it, when it is the same every time (the error's own `fix` says more). */
  fix?: string;
}

export type ErrorArea =
  | 'config'
  | 'engine'
  | 'state'
  | 'plugins'
  | 'providers'
  | 'git'
  | 'notifications'
  | 'shell'
  | 'tekton'
  | 'kubernetes'
  | 'server'
  | 'cli';

const TRANSIENT = 'transient';
const PERMANENT = 'permanent';

/** The built-in codes. Add a code here (and run `pnpm schema`) before raising it. */
export const ERROR_CATALOGUE = {
  // config
  CONFIG_INVALID: {
    class: PERMANENT,
    status: 500,
    area: 'config',
    summary: 'The configuration file does not validate; every problem is listed with its key path.',
    fix: 'Correct the keys listed; `sentry-git validate` checks a file without starting anything.',
  },
  CONFIG_NOT_FOUND: {
    class: PERMANENT,
    status: 500,
    area: 'config',
    summary: 'No configuration file at the given path (or in the places searched).',
    fix: 'Create sentry.yaml, pass -c FILE, or set SENTRY_CONFIG_PATH.',
  },
  CONFIG_UNREADABLE: {
    class: PERMANENT,
    status: 500,
    area: 'config',
    summary: 'The configuration file exists but cannot be read or parsed (permissions, YAML/JSON syntax).',
  },
  CONFIG_DOTENV_INVALID: {
    class: PERMANENT,
    status: 500,
    area: 'config',
    summary: 'The .env file next to the configuration cannot be parsed.',
  },
  UNKNOWN_REPOSITORY: {
    class: PERMANENT,
    status: 400,
    area: 'engine',
    summary: 'A trigger or query named a repository the configuration does not have.',
    fix: 'Use a repository name from the configuration (`sentry-git status` lists them).',
  },
  UNKNOWN_GROUP: {
    class: PERMANENT,
    status: 400,
    area: 'engine',
    summary: 'A trigger or query named a group the configuration does not have.',
  },
  ACTOR_REQUIRED: {
    class: PERMANENT,
    status: 400,
    area: 'engine',
    summary: 'An action (cancel, re-run, deploy, pause, resume) did not say who asked for it (`by`).',
    fix: "Pass `by`: the name recorded with the action (an API token's name, `user@host`).",
  },
  REPOSITORY_NOT_FOUND: {
    class: PERMANENT,
    status: 404,
    area: 'engine',
    summary: 'A deploy, pause or resume named a repository the configuration does not have.',
    fix: 'Use a repository name from the configuration (`sentry-git status` lists them).',
  },
  GROUP_NOT_FOUND: {
    class: PERMANENT,
    status: 404,
    area: 'engine',
    summary: 'A pause or resume named a group the configuration does not have.',
    fix: 'Use a group name from the configuration (`groups:`).',
  },
  BRANCH_NOT_WATCHED: {
    class: PERMANENT,
    status: 400,
    area: 'engine',
    summary: "A deploy named a branch the repository's `monitor.branches` patterns do not match.",
    fix: 'Deploy a branch the repository watches, or add it to `monitor.branches`.',
  },
  SHA_INVALID: {
    class: PERMANENT,
    status: 400,
    area: 'engine',
    summary: 'A deploy named a commit that is not a full SHA (40 or 64 hexadecimal digits).',
    fix: 'Give the full SHA (`git rev-parse <commit>` prints it), not a short one or a branch name.',
  },
  BRANCH_HAS_NO_HEAD: {
    class: PERMANENT,
    status: 404,
    area: 'engine',
    summary: 'A deploy without a SHA named a branch that has no head: it does not exist on the remote.',
    fix: 'Push the branch first, or name the commit to deploy.',
  },
  RUN_NOT_FINISHED: {
    class: TRANSIENT,
    status: 409,
    area: 'engine',
    summary: 'A re-run named a run that is still queued or running.',
    fix: 'Wait for the run to finish (or cancel it), then re-run it.',
  },
  JOB_NOT_FOUND: {
    class: PERMANENT,
    status: 404,
    area: 'engine',
    summary: 'The run has no job with that id.',
    fix: 'Use a job id from the run (`sentry-git runs --json` lists them).',
  },
  PAUSE_TARGET_IN_GROUP: {
    class: PERMANENT,
    status: 400,
    area: 'engine',
    summary:
      'A pause or resume named a repository of a group: a group deploys as one unit, so it pauses as one.',
    fix: 'Pause or resume the group instead (`--group <name>`, `{ group }`).',
  },
  ENGINE_STOPPED: {
    class: TRANSIENT,
    status: 503,
    area: 'engine',
    summary: 'The engine is stopping or stopped and takes no more work.',
  },
  ENGINE_LOCKED: {
    class: TRANSIENT,
    status: 500,
    area: 'engine',
    summary: 'Another sentry-git process holds the engine lock of this state store.',
    fix: 'Stop the other process, or give this one its own state store.',
  },
  POLL_TIMEOUT: {
    class: TRANSIENT,
    status: 504,
    area: 'engine',
    summary: 'Polling a repository took longer than global.poll_timeout.',
  },
  POLL_FAILED: {
    class: TRANSIENT,
    status: 502,
    area: 'engine',
    summary: 'Polling a repository failed for a reason the provider did not name.',
  },
  OUTPUT_EXISTS: {
    class: PERMANENT,
    status: 500,
    area: 'cli',
    summary: 'A command would overwrite a file that already exists.',
    fix: 'Choose another path or pass --force.',
  },
  OUTPUT_UNWRITABLE: {
    class: PERMANENT,
    status: 500,
    area: 'cli',
    summary: 'A command cannot write its output file.',
  },
  INPUT_UNREADABLE: {
    class: PERMANENT,
    status: 500,
    area: 'cli',
    summary:
      'A command cannot read its input (a missing file, a folder, or a terminal where data must be piped in).',
  },
  TRIGGER_FORWARD_FAILED: {
    class: TRANSIENT,
    status: 502,
    area: 'cli',
    summary:
      'A command (`trigger`, `cancel`, `rerun`, `deploy`, `pause`, `resume`, `logs`, `plan`) could not reach the running server it needs.',
  },
  // state
  STATE_NOT_FOUND: {
    class: PERMANENT,
    status: 404,
    area: 'state',
    summary: 'No run (or job) with that id in the state store.',
  },
  SINCE_INVALID: {
    class: PERMANENT,
    status: 400,
    area: 'state',
    summary:
      'A run filter\'s "since" (`runs --since`, `?since=`, `RunFilter.since`) is neither a duration nor an ISO 8601 date or time with a zone.',
    fix: 'Give a duration back from now (90s, 30m, 2h, 7d, 1w), a date (2026-11-22) or a time with its zone (2026-11-22T20:00:00Z).',
  },
  STATE_INVALID_RUN: {
    class: PERMANENT,
    status: 500,
    area: 'state',
    summary: 'A state change the run does not allow (e.g. finishing a run twice).',
  },
  CLAIM_LOST: {
    class: PERMANENT,
    status: 500,
    area: 'state',
    summary:
      "A replica's claim on a group's run lapsed and another replica took the run over: what the first one would record is refused.",
    fix: 'Nothing to do: the replica that took over finishes the run. If it happens often, a replica is paused or cut off from PostgreSQL longer than state.lease; raise state.lease or find the pause.',
  },
  STATE_CLOSED: {
    class: PERMANENT,
    status: 500,
    area: 'state',
    summary: 'The state store was used after it was closed.',
  },
  STATE_OPTION_MISSING: {
    class: PERMANENT,
    status: 500,
    area: 'state',
    summary: 'A state store option it needs is not set.',
  },
  STATE_OPTION_INVALID: {
    class: PERMANENT,
    status: 500,
    area: 'state',
    summary: 'A state store option has a value the store cannot use.',
  },
  STATE_OPEN_FAILED: {
    class: PERMANENT,
    status: 500,
    area: 'state',
    summary: 'The state database cannot be opened (path, permissions, a corrupt file).',
  },
  STATE_SCHEMA_TOO_NEW: {
    class: PERMANENT,
    status: 500,
    area: 'state',
    summary: 'The state database was written by a newer sentry-git.',
    fix: 'Upgrade sentry-git, or point it at another database.',
  },
  STATE_WRITE_FAILED: {
    class: TRANSIENT,
    status: 503,
    area: 'state',
    summary:
      'The state store could not record a change (disk full, read-only file): /readyz answers not ready until a write succeeds.',
    fix: 'Free disk space or make the database writable; the next successful write makes the server ready again.',
  },
  STATE_NOT_EMPTY: {
    class: PERMANENT,
    status: 500,
    area: 'state',
    summary:
      '`sentry-git state import` (importState) was given a store that already holds state; nothing was imported.',
    fix: 'Import into an empty store, or pass --replace to delete its state and import in one transaction.',
  },
  STATE_EXPORT_INVALID: {
    class: PERMANENT,
    status: 500,
    area: 'state',
    summary:
      'The input of `sentry-git state import` is not a complete state export: the line, key, value and what was expected are named; nothing was imported.',
    fix: 'Import the file as `sentry-git state export` wrote it, or export the state again.',
  },
  STATE_EXPORT_TOO_NEW: {
    class: PERMANENT,
    status: 500,
    area: 'state',
    summary: 'The state export was written in a newer format version than this sentry-git reads.',
    fix: 'Import it with a sentry-git at least as new as the one that exported it.',
  },
  STATE_TRANSFER_UNSUPPORTED: {
    class: PERMANENT,
    status: 500,
    area: 'state',
    summary:
      'The state store cannot be exported or imported into: a plugin store without exportState/importState, or the memory store, which keeps nothing between commands.',
    fix: 'Use a durable store that has them (sqlite, postgres), or ask the plugin author for exportState/importState.',
  },
  // plugins
  PLUGIN_MISSING: {
    class: PERMANENT,
    status: 500,
    area: 'plugins',
    summary: 'The configuration names a provider, executor or state store no installed plugin provides.',
    fix: 'Install the package (e.g. `npm install @sentry-git/provider-gitlab`) or correct the name.',
  },
  PLUGIN_LOAD_FAILED: {
    class: PERMANENT,
    status: 500,
    area: 'plugins',
    summary: 'A plugin module cannot be imported.',
  },
  PLUGIN_SETUP_FAILED: {
    class: PERMANENT,
    status: 500,
    area: 'plugins',
    summary: "A plugin's setup() threw.",
  },
  PLUGIN_CONFLICT: {
    class: PERMANENT,
    status: 500,
    area: 'plugins',
    summary: 'Two plugins register the same name.',
  },
  UNKNOWN_PROVIDER: {
    class: PERMANENT,
    status: 404,
    area: 'server',
    summary: 'A webhook was sent to /webhooks/:provider for a provider that is not installed.',
  },
  // providers
  PROVIDER_AUTH_FAILED: {
    class: PERMANENT,
    status: 502,
    area: 'providers',
    summary: 'The forge refused the credentials (HTTP 401) or the access (HTTP 403 that is no rate limit).',
    fix: "Check monitor.auth.token and the token's scopes.",
  },
  PROVIDER_NOT_FOUND: {
    class: PERMANENT,
    status: 502,
    area: 'providers',
    summary:
      'The forge found no such repository, branch or commit (HTTP 404; also a private one the token cannot see).',
    fix: 'Check monitor.repo_url, monitor.api_base_url and that the token can read the repository.',
  },
  PROVIDER_UNREACHABLE: {
    class: TRANSIENT,
    status: 502,
    area: 'providers',
    summary: "The forge's API did not answer, or answered 5xx, after the provider's retries.",
    fix: 'Check the network and the server; monitor.fallback_to_git: true keeps polling with git ls-remote meanwhile.',
  },
  RATE_LIMITED: {
    class: 'after-reset',
    status: 503,
    area: 'providers',
    summary:
      'The forge said "no more requests until" a reset time (403/429 with nothing left, or Retry-After).',
    fix: 'Wait for the reset, poll less often (polling_interval), or use a token with a higher limit.',
  },
  PROVIDER_BAD_RESPONSE: {
    class: PERMANENT,
    status: 502,
    area: 'providers',
    summary:
      'The forge answered something the provider cannot use (not JSON, missing fields, an unexpected status).',
    fix: 'Check that monitor.api_base_url points at the API root, not at a web page or proxy.',
  },
  PROVIDER_REQUEST_REJECTED: {
    class: PERMANENT,
    status: 502,
    area: 'providers',
    summary: 'The forge rejected a request as invalid (HTTP 4xx other than 401/403/404/429).',
  },
  PROVIDER_OPTIONS_INVALID: {
    class: PERMANENT,
    status: 500,
    area: 'providers',
    summary: "A provider's options (monitor.*) do not validate.",
  },
  PROVIDER_BAD_URL: {
    class: PERMANENT,
    status: 500,
    area: 'providers',
    summary: 'monitor.repo_url cannot be used by this provider.',
  },
  PROVIDER_INVALID_URL: {
    class: PERMANENT,
    status: 500,
    area: 'providers',
    summary: 'monitor.repo_url or monitor.api_base_url is not a URL this provider understands.',
  },
  PROVIDER_INVALID_STATUS: {
    class: PERMANENT,
    status: 500,
    area: 'providers',
    summary: 'A commit status to report has a value the forge does not accept.',
  },
  CHANGED_FILES_INCOMPLETE: {
    class: PERMANENT,
    status: 502,
    area: 'providers',
    summary: 'The forge listed only part of the files a change touched (a compare too large to list).',
  },
  // git
  GIT_NOT_FOUND: {
    class: PERMANENT,
    status: 500,
    area: 'git',
    summary: 'The git binary is not on PATH.',
    fix: 'Install git (2.30 or later) or put it on PATH.',
  },
  GIT_FAILED: {
    class: PERMANENT,
    status: 502,
    area: 'git',
    summary: 'A git command failed; its stderr is in the message.',
  },
  GIT_AUTH_FAILED: {
    class: PERMANENT,
    status: 502,
    area: 'git',
    summary: 'git could not authenticate to the remote.',
    fix: 'Check monitor.auth (token or SSH key) and that it can read the repository.',
  },
  GIT_TIMEOUT: {
    class: TRANSIENT,
    status: 504,
    area: 'git',
    summary: 'A git command took longer than its timeout.',
  },
  GIT_ABORTED: {
    class: PERMANENT,
    status: 500,
    area: 'git',
    summary: 'A git command was stopped because the work it served was cancelled.',
  },
  // notifications
  NOTIFICATION_URL_INVALID: {
    class: PERMANENT,
    status: 500,
    area: 'notifications',
    summary: 'A notification URL is not an absolute http(s) URL.',
  },
  NOTIFICATION_REJECTED: {
    class: PERMANENT,
    status: 502,
    area: 'notifications',
    summary: 'The receiver answered a non-2xx status (429 and 5xx are retried first).',
  },
  NOTIFICATION_UNREACHABLE: {
    class: TRANSIENT,
    status: 502,
    area: 'notifications',
    summary: 'The receiver could not be reached (connection refused, DNS, TLS).',
  },
  NOTIFICATION_TIMEOUT: {
    class: TRANSIENT,
    status: 504,
    area: 'notifications',
    summary: 'The receiver did not answer within notifications.timeout.',
  },
  NOTIFICATION_ABANDONED: {
    class: PERMANENT,
    status: 500,
    area: 'notifications',
    summary: 'A delivery was given up because sentry-git was shutting down.',
  },
  // tekton and kubernetes
  TEKTON_EXECUTOR_OPTIONS_INVALID: {
    class: PERMANENT,
    status: 500,
    area: 'tekton',
    summary: "The tekton executor's options do not validate.",
  },
  TEKTON_DIR_MISSING: {
    class: PERMANENT,
    status: 500,
    area: 'tekton',
    summary: 'The .tekton directory the job needs is not in the QA checkout.',
  },
  TEKTON_TEMPLATE_MISSING: {
    class: PERMANENT,
    status: 500,
    area: 'tekton',
    summary: 'The PipelineRun template the job names does not exist.',
  },
  TEKTON_TEMPLATE_INVALID: {
    class: PERMANENT,
    status: 500,
    area: 'tekton',
    summary: 'A PipelineRun template is not valid YAML or not a PipelineRun.',
  },
  TEKTON_MANIFEST_INVALID: {
    class: PERMANENT,
    status: 500,
    area: 'tekton',
    summary: 'A manifest to apply is not a valid Kubernetes object.',
  },
  TEKTON_UNKNOWN_VARIABLE: {
    class: PERMANENT,
    status: 500,
    area: 'tekton',
    summary: 'A template uses a variable sentry-git does not provide.',
  },
  TEKTON_UNKNOWN_KIND: {
    class: PERMANENT,
    status: 500,
    area: 'tekton',
    summary: 'A manifest has a kind the executor does not apply.',
  },
  TEKTON_PATH_OUTSIDE_CHECKOUT: {
    class: PERMANENT,
    status: 500,
    area: 'tekton',
    summary: 'A configured path points outside the QA checkout.',
  },
  TEKTON_QA_REPO_MISSING: {
    class: PERMANENT,
    status: 500,
    area: 'tekton',
    summary: 'The job needs a QA repository and none is configured.',
  },
  TEKTON_QA_CLONE_FAILED: {
    class: TRANSIENT,
    status: 502,
    area: 'tekton',
    summary: 'The QA repository could not be cloned.',
  },
  TEKTON_PIPELINERUN_DELETED: {
    class: PERMANENT,
    status: 500,
    area: 'tekton',
    summary: 'The PipelineRun was deleted before it finished.',
  },
  TEKTON_EVENT_LISTENER_URL_MISSING: {
    class: PERMANENT,
    status: 500,
    area: 'tekton',
    summary: 'Event mode needs an EventListener URL and none is configured.',
  },
  TEKTON_EVENT_NOT_PROCESSED: {
    class: PERMANENT,
    status: 502,
    area: 'tekton',
    summary: 'The EventListener accepted the event but created no PipelineRun.',
  },
  EVENTLISTENER_OPTIONS_INVALID: {
    class: PERMANENT,
    status: 500,
    area: 'tekton',
    summary: 'The EventListener options do not validate.',
  },
  EVENTLISTENER_URL_INVALID: {
    class: PERMANENT,
    status: 500,
    area: 'tekton',
    summary: 'The EventListener URL is not an absolute http(s) URL.',
  },
  EVENTLISTENER_UNREACHABLE: {
    class: TRANSIENT,
    status: 502,
    area: 'tekton',
    summary: 'The EventListener could not be reached, or answered 429/5xx, after the retries.',
  },
  EVENTLISTENER_REJECTED: {
    class: PERMANENT,
    status: 502,
    area: 'tekton',
    summary: 'The EventListener refused the event (a 4xx other than 408/429).',
  },
  EVENTLISTENER_PAYLOAD_UNKNOWN: {
    class: PERMANENT,
    status: 500,
    area: 'tekton',
    summary: 'The event payload format is not one sentry-git can send.',
  },
  KUBE_CONFIG_INVALID: {
    class: PERMANENT,
    status: 500,
    area: 'kubernetes',
    summary: 'The kubeconfig (or in-cluster config) cannot be loaded.',
  },
  KUBE_UNREACHABLE: {
    class: TRANSIENT,
    status: 502,
    area: 'kubernetes',
    summary: 'The Kubernetes API server did not answer, or answered 429/5xx, after the retries.',
  },
  KUBE_UNAUTHORIZED: {
    class: PERMANENT,
    status: 502,
    area: 'kubernetes',
    summary: 'The Kubernetes API refused the credentials (HTTP 401).',
  },
  KUBE_FORBIDDEN: {
    class: PERMANENT,
    status: 502,
    area: 'kubernetes',
    summary: 'The service account may not do this (HTTP 403): RBAC.',
  },
  KUBE_NOT_FOUND: {
    class: PERMANENT,
    status: 502,
    area: 'kubernetes',
    summary: 'The Kubernetes object or its kind does not exist (HTTP 404; Tekton not installed?).',
  },
  KUBE_CONFLICT: {
    class: PERMANENT,
    status: 502,
    area: 'kubernetes',
    summary: 'The object already exists or changed meanwhile (HTTP 409).',
  },
  KUBE_INVALID: {
    class: PERMANENT,
    status: 502,
    area: 'kubernetes',
    summary: 'The Kubernetes API refused the object as invalid (HTTP 422).',
  },
  KUBE_UNSUPPORTED: {
    class: PERMANENT,
    status: 502,
    area: 'kubernetes',
    summary: 'The cluster does not support what the executor needs.',
  },
  KUBE_ERROR: {
    class: PERMANENT,
    status: 502,
    area: 'kubernetes',
    summary: 'Any other Kubernetes API failure; its Status message is in the error.',
  },
  // server (answers to HTTP requests)
  SERVER_OPTIONS_INVALID: {
    class: PERMANENT,
    status: 500,
    area: 'server',
    summary: 'The server section of the configuration does not validate.',
  },
  SERVER_LISTEN_FAILED: {
    class: PERMANENT,
    status: 500,
    area: 'server',
    summary: 'The server cannot listen on the configured address (port in use, no permission).',
  },
  SERVER_CLOSING: {
    class: TRANSIENT,
    status: 503,
    area: 'server',
    summary: 'The server is shutting down and takes no new requests.',
  },
  BAD_REQUEST: { class: PERMANENT, status: 400, area: 'server', summary: 'The request is malformed.' },
  INVALID_JSON: {
    class: PERMANENT,
    status: 400,
    area: 'server',
    summary: 'The request body is not valid JSON.',
  },
  INVALID_CONTENT_LENGTH: {
    class: PERMANENT,
    status: 400,
    area: 'server',
    summary: 'The Content-Length header does not match the body.',
  },
  INVALID_QUERY: {
    class: PERMANENT,
    status: 400,
    area: 'server',
    summary: 'A query parameter of an /api/v1 route is unknown, or has a value it does not accept.',
  },
  INVALID_REQUEST: {
    class: PERMANENT,
    status: 400,
    area: 'server',
    summary:
      'The body of an /api/v1 action (trigger, cancel, deploy, pause, ...) does not have the fields it needs.',
  },
  UNSUPPORTED_MEDIA_TYPE: {
    class: PERMANENT,
    status: 415,
    area: 'server',
    summary: 'The request body is not application/json.',
  },
  BODY_TOO_LARGE: {
    class: PERMANENT,
    status: 413,
    area: 'server',
    summary: 'The request body is larger than server.body_limit.',
  },
  UNAUTHORIZED: {
    class: PERMANENT,
    status: 401,
    area: 'server',
    summary: 'The request has no bearer token, or not one of the configured API tokens.',
    fix: 'Send a configured token (server.token, server.read_token or server.tokens) as "Authorization: Bearer <token>".',
  },
  FORBIDDEN: {
    class: PERMANENT,
    status: 403,
    area: 'server',
    summary: 'A read-only token asked for an action (trigger, cancel, rerun, deploy, pause, resume).',
    fix: 'Use an admin token: server.token, SENTRY_GIT_API_TOKEN, or a server.tokens entry with role admin.',
  },
  ACTIONS_DISABLED: {
    class: PERMANENT,
    status: 403,
    area: 'server',
    summary:
      'Actions over HTTP (trigger, cancel, rerun, deploy, pause, resume) are off: no API token is configured.',
    fix: 'Set server.token (or SENTRY_GIT_API_TOKEN) and send it as "Authorization: Bearer <token>".',
  },
  RUN_NOT_FOUND: { class: PERMANENT, status: 404, area: 'server', summary: 'No run with that id.' },
  RUN_FINISHED: {
    class: PERMANENT,
    status: 409,
    area: 'server',
    summary: 'A cancel asked for a run that had already finished: nothing changed.',
  },
  NOT_FOUND: { class: PERMANENT, status: 404, area: 'server', summary: 'No such endpoint.' },
  INTERNAL_ERROR: {
    class: PERMANENT,
    status: 500,
    area: 'server',
    summary: 'The server failed to answer; the log has the error.',
  },
  WEBHOOK_SIGNATURE_INVALID: {
    class: PERMANENT,
    status: 401,
    area: 'server',
    summary: 'A webhook delivery is not signed with the configured secret.',
  },
  WEBHOOK_SECRET_MISSING: {
    class: PERMANENT,
    status: 401,
    area: 'server',
    summary: 'A webhook arrived for a repository that has no webhook secret configured.',
  },
  WEBHOOK_INVALID: {
    class: PERMANENT,
    status: 400,
    area: 'server',
    summary: 'A webhook delivery has no usable event (headers or body).',
  },
  WEBHOOKS_UNSUPPORTED: {
    class: PERMANENT,
    status: 404,
    area: 'server',
    summary: 'The provider named in the URL does not receive webhooks.',
  },
} as const satisfies Record<string, ErrorCodeInfo>;

type BuiltinCodes = { readonly [Code in keyof typeof ERROR_CATALOGUE]: ErrorCodeInfo };

/**
 * Every error code, as a type. Plugins add theirs by declaration merging, after which
 * `new SentryError('ACME_QUOTA', …)` compiles:
 *
 * ```ts
 * declare module '@sentry-git/core' {
 *   interface SentryErrorCodes {
 *     ACME_QUOTA: ErrorCodeInfo;
 *   }
 * }
 * ```
 */
export interface SentryErrorCodes extends BuiltinCodes {}

/** A code `SentryError` accepts: a misspelt one does not compile. */
export type SentryErrorCode = keyof SentryErrorCodes & string;

/** What a code not in the built-in catalogue (a plugin's) is taken to be. */
const UNCATALOGUED: ErrorCodeInfo = {
  class: PERMANENT,
  status: 500,
  area: 'plugins',
  summary: 'A code a plugin added.',
};

/** The catalogue entry for `code`; a plugin's own code counts as permanent, answered 500. */
export function errorCodeInfo(code: string): ErrorCodeInfo {
  return Object.hasOwn(ERROR_CATALOGUE, code)
    ? ERROR_CATALOGUE[code as keyof typeof ERROR_CATALOGUE]
    : UNCATALOGUED;
}
