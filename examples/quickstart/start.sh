#!/usr/bin/env bash
# One command from a fresh clone: set up (pnpm, dependencies, build) and run the demo.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
bash "$here/../../scripts/setup.sh"
exec node "$here/demo.mjs"
