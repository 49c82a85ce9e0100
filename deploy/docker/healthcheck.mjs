// The image's HEALTHCHECK: exit 0 when sentry-git's /healthz answers 2xx, else 1. Liveness only:
// /healthz never touches a forge or the state store, so a slow forge does not mark the container
// unhealthy. SENTRY_GIT_HEALTHCHECK_URL changes the address (e.g. for `watch --port 9000`).
const url = process.env.SENTRY_GIT_HEALTHCHECK_URL || 'http://127.0.0.1:8080/healthz';

try {
  // Shorter than the HEALTHCHECK --timeout, so a hung server is reported rather than killed.
  const response = await fetch(url, { signal: AbortSignal.timeout(4000) });
  if (!response.ok) console.error(`${url} answered ${response.status}`);
  // exit() rather than exitCode: a kept-alive connection must not hold the check open.
  process.exit(response.ok ? 0 : 1);
} catch (error) {
  console.error(`${url}: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
}
