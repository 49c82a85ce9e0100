#!/usr/bin/env bash
# The one test command (README, .ci/run): set up, lint, typecheck, build the API docs, run every test.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
bash scripts/setup.sh
# PostgreSQL for the tests that start a throw-away cluster (installed when missing, as root).
bash scripts/ensure-postgres.sh
# Chromium for the web console's browser tests (Debian's package; playwright-core drives it).
bash scripts/ensure-chromium.sh
pnpm lint
pnpm typecheck
# The API reference builds (typedoc treats every warning, e.g. a broken {@link}, as an error).
pnpm run docs
report="$(mktemp -d)/vitest.json"
status=0
pnpm exec vitest run --reporter=default --reporter=json --outputFile.json="$report" || status=$?
# A plain closing line any CI reads: "N passed, N failed, N skipped".
node -e '
  const r = require(process.argv[1]);
  const skipped = r.numPendingTests + r.numTodoTests;
  console.log(`${r.numPassedTests} passed, ${r.numFailedTests} failed, ${skipped} skipped`);
  if (r.numTotalTests === 0) { console.error("no test ran"); process.exit(1); }
' "$report"
exit "$status"
