#!/usr/bin/env bash
# The tests start throw-away PostgreSQL clusters of their own (packages/test-utils/src/postgres.ts:
# initdb in a temp folder, a unix socket, stopped at the end) from Debian's postgresql package.
# Installs the package when no server is there; creates and starts no cluster.
set -euo pipefail
if [ -n "${SENTRY_GIT_PG_BIN:-}" ] && [ -x "$SENTRY_GIT_PG_BIN/initdb" ]; then exit 0; fi
if compgen -G '/usr/lib/postgresql/*/bin/initdb' >/dev/null; then exit 0; fi
if [ "$(id -u)" -ne 0 ]; then
  echo "ensure-postgres: PostgreSQL is not installed and this is not root, so the tests that need it will fail." >&2
  echo "  Install Debian's package (sudo apt-get install postgresql), or set SENTRY_GIT_PG_BIN to a folder with initdb, pg_ctl and psql." >&2
  exit 0
fi
# The package would create a cluster of its own and start it on port 5432: the tests need none.
mkdir -p /etc/postgresql-common/createcluster.d
echo 'create_main_cluster = false' > /etc/postgresql-common/createcluster.d/sentry-git-tests.conf
export DEBIAN_FRONTEND=noninteractive
install() { apt-get install -y -q --no-install-recommends postgresql >&2; }
# Stale or missing package lists: read them once, then try again.
install || { apt-get update -q >&2 && install; }
