#!/usr/bin/env bash
# Everything a fresh clone needs: pnpm, dependencies (better-sqlite3 builds from source against
# the local Node headers when no prebuilt binary fits), the built packages, and `sentry-git` on
# PATH (scripts/link-cli.sh: a link in npm's global bin folder, as `npm i -g` would make).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
bash scripts/ensure-pnpm.sh
if [ -z "${npm_config_nodedir:-}" ] && [ -f /usr/include/node/node_version.h ]; then
  export npm_config_nodedir=/usr
fi
pnpm install --frozen-lockfile >&2
pnpm build >&2
# Linking again is harmless (CI runs this too); a link that cannot be made does not fail the set-up.
if ! bash scripts/link-cli.sh; then
  echo "setup: sentry-git is not on PATH (see above); run it as \`node $root/packages/cli/bin/run.js\`." >&2
fi
