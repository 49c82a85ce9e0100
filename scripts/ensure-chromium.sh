#!/usr/bin/env bash
# The web console's tests (packages/console/test) drive Debian's chromium with playwright-core
# (which downloads no browser of its own). Installs the package when no chromium is there.
# SENTRY_GIT_CHROMIUM names another Chromium or Chrome binary.
set -euo pipefail
if [ -n "${SENTRY_GIT_CHROMIUM:-}" ] && [ -x "$SENTRY_GIT_CHROMIUM" ]; then exit 0; fi
if command -v chromium >/dev/null 2>&1; then exit 0; fi
if [ "$(id -u)" -ne 0 ]; then
  echo "ensure-chromium: Chromium is not installed and this is not root, so the console's browser tests will fail." >&2
  echo "  Install Debian's package (sudo apt-get install chromium), or set SENTRY_GIT_CHROMIUM to a Chromium or Chrome binary." >&2
  exit 0
fi
export DEBIAN_FRONTEND=noninteractive
# A font too: a fresh system has none, and the screenshots would show boxes.
install() { apt-get install -y -q --no-install-recommends chromium fonts-dejavu-core >&2; }
# Stale or missing package lists: read them once, then try again.
install || { apt-get update -q >&2 && install; }
