#!/usr/bin/env bash
# `npm test`: everything, from a fresh clone. Installs what is missing, builds both
# backends, checks the Rust style, lints and docs, type-checks the JavaScript (tsc over the
# JSDoc types of js/ and bin/), runs the Rust tests, runs the __test__ suite
# once per backend, tests the packed packages installed into a fresh project under Node,
# Bun, Deno, Chromium and Firefox, then the integration matrix (bundlers, frameworks, edge runtimes,
# TypeScript) against the same tarballs. Each stage prints its time.
set -euo pipefail
cd "$(dirname "$0")/.."
export RUST_BACKTRACE=0
t0=$SECONDS
stage() { echo "test: $* (at $((SECONDS - t0)) s)" >&2; }

bash scripts/setup.sh test

stage "building both backends"
start=$SECONDS
bash scripts/build.sh
echo "test: built both backends in $((SECONDS - start)) s; wasm $(wc -c < assets/ironlung.wasm) bytes, $(gzip -9c assets/ironlung.wasm | wc -c) gzipped; for browsers and edge, the web module $(wc -c < assets/ironlung-web.wasm), $(gzip -9c assets/ironlung-web.wasm | wc -c) gzipped, and zstd's $(wc -c < assets/ironlung-zstd.wasm), $(gzip -9c assets/ironlung-zstd.wasm | wc -c) gzipped" >&2

stage "cargo fmt --check, cargo clippy"
cargo fmt --all --check
cargo fmt --check --manifest-path fuzz/Cargo.toml
cargo clippy --quiet --all-targets -- -D warnings
cargo clippy --quiet --all-targets --manifest-path fuzz/Cargo.toml --target-dir target/fuzz-replay -- -D warnings

stage "tsc: the JSDoc types of js/, bin/ and assets/urls.mjs (tsconfig.json)"
# After the build: the check reads its outputs (js/gen/, index.d.mts and index.d.cts).
node_modules/.bin/tsc -p tsconfig.json

stage "cargo doc (core, abi): every public item documented, every link resolved"
RUSTDOCFLAGS="-D warnings" cargo doc --quiet --no-deps -p ironlung-core -p ironlung-abi

stage "cargo test (core, abi)"
cargo test --release --quiet -p ironlung-core -p ironlung-abi

stage "fuzz corpora and regressions replayed (fuzz/, stable Rust)"
cargo test --release --quiet --manifest-path fuzz/Cargo.toml --target-dir target/fuzz-replay

for backend in native wasm; do
  stage "__test__ suite on the $backend backend"
  IRONLUNG_BACKEND=$backend node --test __test__/*.test.mjs
done

stage "packed packages in a fresh consumer project"
mapfile -t tarballs < <(node scripts/pack.mjs)
IRONLUNG_TARBALLS=$(printf '%s\n' "${tarballs[@]}")
export IRONLUNG_TARBALLS
bash scripts/test-consumer.sh

stage "integration matrix (test/integrations)"
node --test --test-concurrency=1 test/integrations/*.test.mjs
stage "done"
