#!/usr/bin/env bash
# Deno and Bun for the portable legs, from their npm packages (the binaries ship inside the
# registry packages), cached in ~/.cache/kubefluent/runtimes so CI and later runs reuse them.
# Prints the bin folder.
set -euo pipefail
prefix="${XDG_CACHE_HOME:-$HOME/.cache}/kubefluent/runtimes"
bin="$prefix/node_modules/.bin"
if ! "$bin/deno" --version >/dev/null 2>&1 || ! "$bin/bun" --version >/dev/null 2>&1; then
  mkdir -p "$prefix"
  [ -f "$prefix/package.json" ] || echo '{"private":true}' > "$prefix/package.json"
  npm install --no-audit --no-fund --prefix "$prefix" deno@2 bun@1 >&2
fi
echo "$bin"
