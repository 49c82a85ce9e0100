export type { ErrorBody } from './http-error.js';
export { HttpError } from './http-error.js';
export { createMetrics, type SentryMetrics } from './metrics.js';
export { READ_TOKEN_ENV, type ServerOptions, TOKEN_ENV } from './options.js';
export { pollIntervalSeconds, pollStaleness, STALE_INTERVALS } from './readiness.js';
export { repoUrlKey } from './repo-url.js';
export { createServer, type ListenOptions, type SentryServer } from './server.js';
export type { Actor, Role, TokenEntry } from './tokens.js';
