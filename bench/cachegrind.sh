#!/usr/bin/env bash
# Instructions (and mispredicted branches, D1/LL misses) per 100-byte `count`, under
# cachegrind, for every corpus and the two current encodings: the per-call figure that the
# shared machine's timing noise cannot resolve, and that does not move between runs.
#
#   bash bench/cachegrind.sh [CACHESIM_BINARY]
#
# Without an argument it builds crates/core/examples/cachesim.rs. Give a binary built from
# another commit to compare the two in one sitting. Each figure is MEASURE 1 minus
# MEASURE 0 (the warm-up left out), over 10,000 calls, EVICT 0.
set -euo pipefail
cd "$(dirname "$0")/.."
command -v valgrind >/dev/null || { echo "cachegrind.sh: valgrind is missing (apt-get install valgrind)" >&2; exit 1; }
bin=${1:-}
if [ -z "$bin" ]; then
  cargo build --release --quiet -p ironlung-core --example cachesim
  bin=target/release/examples/cachesim
fi
node bench/corpus.mjs >/dev/null
corpus=${IRONLUNG_CORPUS_DIR:-bench/.corpus}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
# events: Ir (instructions), Bcm + Bim (mispredicted branches), D1mr + D1mw, DLmr + DLmw.
total() { # total CG_OUT: the summary line's events, named
  awk '/^events:/ { for (i = 2; i <= NF; i++) name[i - 1] = $i }
       /^summary:/ { for (i = 2; i <= NF; i++) v[name[i - 1]] = $i }
       END { printf "%d %d %d %d\n", v["Ir"], v["Bcm"] + v["Bim"], v["D1mr"] + v["D1mw"], v["DLmr"] + v["DLmw"] }' "$1"
}
printf '%-13s %-12s %10s %10s %8s %8s\n' corpus encoding 'Ir/call' 'mispred' 'D1miss' 'LLmiss'
for c in english code multilingual; do
  for e in cl100k_base o200k_base; do
    for m in 0 1; do
      valgrind --tool=cachegrind --cache-sim=yes --branch-sim=yes --cachegrind-out-file="$tmp/cg.$m" \
        "$bin" "$corpus/$c.txt" "$e" "$m" 0 >/dev/null 2>&1
    done
    read -r i0 b0 d0 l0 < <(total "$tmp/cg.0")
    read -r i1 b1 d1 l1 < <(total "$tmp/cg.1")
    awk -v c="$c" -v e="$e" -v i=$((i1 - i0)) -v b=$((b1 - b0)) -v d=$((d1 - d0)) -v l=$((l1 - l0)) \
      'BEGIN { printf "%-13s %-12s %10.1f %10.2f %8.2f %8.3f\n", c, e, i / 1e4, b / 1e4, d / 1e4, l / 1e4 }'
  done
done
