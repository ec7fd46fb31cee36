#!/usr/bin/env bash
# `npm test`: everything, from a fresh clone. Installs what is missing, builds both
# backends, runs the Rust tests, runs the __test__ suite once per backend, then tests the
# packed packages installed into a fresh project under Node, Bun, Deno and Chromium.
set -euo pipefail
cd "$(dirname "$0")/.."
export RUST_BACKTRACE=0

bash scripts/setup.sh test

start=$(date +%s)
bash scripts/build.sh
echo "test: built both backends in $(($(date +%s) - start)) s; wasm $(wc -c < assets/ironlung.wasm) bytes, $(gzip -9c assets/ironlung.wasm | wc -c) gzipped" >&2

echo "test: cargo test (core)" >&2
cargo test --release --quiet -p ironlung-core

for backend in native wasm; do
  echo "test: __test__ suite on the $backend backend" >&2
  IRONLUNG_BACKEND=$backend node --test __test__/*.test.mjs
done

echo "test: packed packages in a fresh consumer project" >&2
bash scripts/test-consumer.sh
