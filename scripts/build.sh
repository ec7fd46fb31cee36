#!/usr/bin/env bash
# Builds ironlung: the native addon, the wasm build and the generated JS entry files.
#
#   scripts/build.sh [native] [wasm] [js]    (no argument: all three)
#
# Outputs (all git-ignored): npm/<triple>/ironlung.<triple>.node; assets/ironlung.wasm,
# assets/ironlung-web.wasm and assets/<table>.wasm (rank data); js/gen/ (the wasm glue, and
# the ES module entries' named exports); js/node.bundle.cjs; index.d.mts and index.d.cts.
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
  # Three modules. The whole one, for runtimes with a file system. For browsers and edge
  # runtimes, which cannot run the session log, two parts that each download only when used:
  # the tokenizer and text (the web module), and zstd. The whole module's glue drives the web
  # module too (the glue calls wasm exports by name; the check below holds the web module's
  # exports and imports to a subset of the whole one's); the zstd module has its own glue, as
  # it runs in an instance of its own beside the web module's.
  wasm_one "" ironlung
  wasm_one "--no-default-features --features tokens" ironlung-web
  wasm_one "--no-default-features --features zstd-api" ironlung-zstd
  node scripts/wasm-web-check.mjs assets/ironlung.wasm assets/ironlung-web.wasm assets/ironlung-zstd.wasm
  # The wasm build leaves the rank tables out; each ships as its own file, a code-less wasm
  # module that edge bundlers carry (crates/core/src/tokenizer/rank_file.rs), and loads when
  # its encoding is first used.
  cargo run --release --quiet -p ironlung-core --example export-ranks -- assets
  node scripts/glue.mjs target/wasm-build/bindgen-ironlung/ironlung_wasm.js js/gen/wasm
  node scripts/glue.mjs target/wasm-build/bindgen-ironlung-zstd/ironlung_wasm.js js/gen/zstd
}

# Builds the wasm crate with cargo flags $1 (empty for none) into assets/$2.wasm, leaving
# wasm-bindgen's output in target/wasm-build/bindgen-$2.
wasm_one() {
  local out=target/wasm-build/wasm32-unknown-unknown/release/ironlung_wasm.wasm
  # zstd's C at -Os, with zstd's forced inlining back and wasm's 128-bit vectors (which the
  # Rust side uses already). zstd-sys's "thin" feature (wasm/Cargo.toml) hands cc -Oz and
  # -DZSTD_NO_INLINE whatever the profile says (a zstd-sys opt-level in the profile reaches
  # only its Rust part); cc puts CFLAGS_<target> last, so these win. The inlining is what
  # makes the decoder's loops as fast as @bokuweb/zstd-wasm's (bench/history.md has every
  # variant measured, sizes and speeds).
  # shellcheck disable=SC2086
  CFLAGS_wasm32_unknown_unknown="-Os -UZSTD_NO_INLINE -msimd128" \
    wasm_cargo build --release --quiet --target-dir target/wasm-build -p ironlung-wasm $1
  # zstd-sys's libc shim is exported for no caller; unexported, the part zstd never calls
  # (qsort) is dropped by wasm-bindgen: 5 KB less to download (see the script).
  mkdir -p target/wasm-build/unexported
  node scripts/wasm-unexport.mjs "$out" target/wasm-build/unexported/ironlung_wasm.wasm rust_zstd_wasm_shim_
  # Driven by the "web" glue (ES module), which Node's require entry loads too.
  # No name or producers sections: 9 KB less to download (panic messages keep their text).
  rm -rf "target/wasm-build/bindgen-$2"
  wasm-bindgen --target web --remove-name-section --remove-producers-section --out-dir "target/wasm-build/bindgen-$2" \
    target/wasm-build/unexported/ironlung_wasm.wasm
  cp "target/wasm-build/bindgen-$2/ironlung_wasm_bg.wasm" "assets/$2.wasm"
}

build_js() {
  node scripts/gen-exports.mjs
  # One declaration source; ESM and CommonJS entries each get their own copy, so that
  # TypeScript reads each entry's module kind right.
  cp index.d.ts index.d.mts
  cp index.d.ts index.d.cts
}

# js/node.cjs and every module it requires, in one CommonJS file, js/node.bundle.cjs: what
# the package's CommonJS entry is, and what its Node ES module entry, Deno's native path and
# the CLI load. A process that requires it starts without Node's ES module loader, which
# require() of the .mjs sources brings up. It takes the wasm glue (js/gen/wasm.mjs, from the
# wasm build) and esbuild, a dev dependency that `npm start` does not install: a checkout
# built for the CLI alone runs the sources (bin/ironlung.cjs).
bundle_node() {
  [ -f js/gen/wasm.mjs ] && [ -x node_modules/.bin/esbuild ] || return 0
  node_modules/.bin/esbuild js/node.cjs --bundle --platform=node --format=cjs --target=node20 \
    --outfile=js/node.bundle.cjs --log-level=warning
}

for p in "${parts[@]}"; do
  case "$p" in
    js) build_js ;;
    native) build_js && build_native ;;
    wasm) build_wasm ;;
    *) say "unknown part $p (expected native, wasm or js)"; exit 2 ;;
  esac
done
# Once, after the parts: from the sources and glue as they now are.
bundle_node
