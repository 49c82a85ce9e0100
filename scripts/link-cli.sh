#!/usr/bin/env bash
# Puts this checkout's built CLI on PATH as `sentry-git`, the way `npm i -g` / `npm link` would:
# a symlink to packages/cli/bin/run.js in npm's global bin folder ($(npm prefix -g)/bin).
# (`npm link` itself cannot install a pnpm workspace package: it rejects `workspace:` versions.)
# Node follows the symlink to its real path, so the CLI resolves its dependencies from this
# checkout's node_modules.
#
#   bash scripts/link-cli.sh [BIN_DIR]
#
# BIN_DIR defaults to npm's global bin folder; when that is not writable, ~/.local/bin, and the
# script prints the line to add to your shell profile when that folder is not on PATH.
# Running it again is harmless: an existing link is replaced (the last checkout linked wins, as
# with `npm link`); a file that is not a symlink is never overwritten.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
target="$root/packages/cli/bin/run.js"
name=sentry-git

if [ ! -f "$root/packages/cli/dist/index.js" ]; then
  echo "link-cli: the CLI is not built ($root/packages/cli/dist is missing); run \`bash scripts/setup.sh\`." >&2
  exit 1
fi

usable() { [ -d "$1" ] && [ -w "$1" ]; }

if [ $# -gt 0 ]; then
  bin_dir="$1"
  mkdir -p "$bin_dir"
else
  global_bin=""
  if prefix="$(npm prefix -g 2>/dev/null)" && [ -n "$prefix" ]; then
    global_bin="$prefix/bin"
    # npm creates its bin folder on the first global install; do the same when the prefix is ours.
    if [ ! -e "$global_bin" ] && [ -d "$prefix" ] && [ -w "$prefix" ]; then mkdir -p "$global_bin" 2>/dev/null || true; fi
  fi
  if [ -n "$global_bin" ] && usable "$global_bin"; then
    bin_dir="$global_bin"
  else
    bin_dir="$HOME/.local/bin"
    echo "link-cli: npm's global bin folder (${global_bin:-unknown: npm prefix -g failed}) is not writable; using $bin_dir." >&2
    mkdir -p "$bin_dir"
  fi
fi
bin_dir="$(cd "$bin_dir" && pwd)"
link="$bin_dir/$name"

if [ -e "$link" ] && [ ! -L "$link" ]; then
  echo "link-cli: $link exists and is not a symlink (another installation?); left unchanged." >&2
  echo "link-cli: remove it and run \`bash $root/scripts/link-cli.sh\` again, or run \`node $target\`." >&2
  exit 1
fi
previous=""
if [ -L "$link" ]; then previous="$(readlink "$link")"; fi
chmod +x "$target"
ln -sfn "$target" "$link"
if [ -n "$previous" ] && [ "$previous" != "$target" ]; then
  echo "sentry-git linked: $link -> $target (replaces the link to $previous)" >&2
else
  echo "sentry-git linked: $link -> $target" >&2
fi

# Which `sentry-git` a new shell finds: this link, another one earlier on PATH, or none.
found="$(command -v "$name" 2>/dev/null || true)"
case ":$PATH:" in
  *":$bin_dir:"*)
    if [ -n "$found" ] && [ "$found" != "$link" ]; then
      echo "link-cli: note: $found comes first on PATH and shadows this link." >&2
    fi
    ;;
  *)
    echo "link-cli: $bin_dir is not on PATH. Add this line to ~/.bashrc (or ~/.profile, ~/.zshrc) and open a new shell:" >&2
    echo "  export PATH=\"$bin_dir:\$PATH\"" >&2
    ;;
esac
