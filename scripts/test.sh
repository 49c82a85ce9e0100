#!/usr/bin/env bash
# The one test command (README, .ci/run): set up, lint, typecheck, run every test.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
bash scripts/setup.sh
pnpm lint
pnpm typecheck
pnpm exec vitest run
