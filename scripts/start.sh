#!/usr/bin/env bash
# `npm start -- ARGS`: sets up and builds only what the CLI needs, then runs it. On a platform
# with a native build that is the native addon; the wasm toolchain and build join only when
# IRONLUNG_BACKEND=wasm asks for that backend. Test-only tools are never installed here.
set -euo pipefail
repo="$(cd "$(dirname "$0")/.." && pwd)"
cd "$repo"
bash scripts/setup.sh cli
if [ "${IRONLUNG_BACKEND:-}" = wasm ]; then
  bash scripts/build.sh js wasm >&2
else
  bash scripts/build.sh native >&2
fi
# npm runs scripts in the package root; the CLI's relative paths are the caller's.
cd "${INIT_CWD:-$repo}"
exec node "$repo/bin/ironlung.cjs" "$@"
