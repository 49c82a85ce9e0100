#!/usr/bin/env bash
# Everything a fresh clone needs: pnpm, dependencies (better-sqlite3 builds from source against
# the local Node headers when no prebuilt binary fits), and the built packages.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
bash scripts/ensure-pnpm.sh
if [ -z "${npm_config_nodedir:-}" ] && [ -f /usr/include/node/node_version.h ]; then
  export npm_config_nodedir=/usr
fi
pnpm install --frozen-lockfile >&2
pnpm build >&2
