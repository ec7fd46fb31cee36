#!/usr/bin/env bash
# Builds ironlung: the native addon, the wasm build and the generated JS entry files.
#
#   scripts/build.sh [native] [wasm] [js]    (no argument: all three)
#
# Outputs (all git-ignored): npm/<triple>/ironlung.<triple>.node, wasm/pkg-node/ (CommonJS
# glue for Node), wasm/pkg-web/ (ES module glue for browsers, Deno and edge runtimes) and
# js/gen/ (CommonJS copies of the ES modules in js/).
set -euo pipefail
cd "$(dirname "$0")/.."
parts=("$@")
[ ${#parts[@]} -gt 0 ] || parts=(native wasm js)
say() { echo "build: $*" >&2; }

build_native() {
  local triple
  triple=$(node -e "process.stdout.write(require('./js/loader.cjs').platformTriple())" 2>/dev/null || echo linux-x64-gnu)
  CARGO_PROFILE_RELEASE_STRIP=symbols cargo build --release --quiet -p ironlung-node
  local lib=target/release/libironlung_node.so
  [ -f "$lib" ] || lib=target/release/libironlung_node.dylib
  mkdir -p "npm/$triple"
  cp "$lib" "npm/$triple/ironlung.$triple.node"
}

build_wasm() {
  # shellcheck source=wasm-env.sh
  source scripts/wasm-env.sh
  local out=target/wasm-build/wasm32-unknown-unknown/release/ironlung_wasm.wasm
  wasm_cargo build --release --quiet --target-dir target/wasm-build -p ironlung-wasm \
    --config 'profile.release.package.zstd-sys.opt-level="z"'
  # The wasm build leaves the rank tables out; each ships as its own file and loads when
  # its encoding is first used.
  cargo run --release --quiet -p ironlung-core --example export-ranks -- wasm/ranks
  rm -rf wasm/pkg-node wasm/pkg-web
  # zstd-sys's libc shim is exported for no caller; unexported, the part zstd never calls
  # (qsort) is dropped by wasm-bindgen: 5 KB less to download (see the script).
  mkdir -p target/wasm-build/unexported
  node scripts/wasm-unexport.mjs "$out" target/wasm-build/unexported/ironlung_wasm.wasm rust_zstd_wasm_shim_
  out=target/wasm-build/unexported/ironlung_wasm.wasm
  # No name or producers sections: 9 KB less to download (panic messages keep their text).
  wasm-bindgen --target nodejs --remove-name-section --remove-producers-section --out-dir wasm/pkg-node "$out"
  # The trap handler (js/wasmtrap.mjs) needs the raw exports, which the CommonJS glue keeps
  # private; the web glue returns them from initSync.
  echo 'exports.__wasm = wasm;' >> wasm/pkg-node/ironlung_wasm.js
  wasm-bindgen --target web --remove-name-section --remove-producers-section --out-dir wasm/pkg-web "$out"
}

for p in "${parts[@]}"; do
  case "$p" in
    js) node scripts/gen-cjs.mjs ;;
    native) node scripts/gen-cjs.mjs && build_native ;;
    wasm) build_wasm ;;
    *) say "unknown part $p (expected native, wasm or js)"; exit 2 ;;
  esac
done
