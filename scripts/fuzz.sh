#!/usr/bin/env bash
# Runs each cargo-fuzz target of fuzz/ for a given time, under AddressSanitizer.
#
#   npm run fuzz -- [SECONDS] [TARGET...]      (default: 60 seconds each, every target)
#
# Each target starts from its seed corpus (fuzz/corpus/TARGET, in git) and grows a working
# corpus under target/fuzz-corpus/ (not in git). A crash is copied to
# fuzz/regressions/TARGET/, which `npm test` replays on every run (fuzz/tests/replay.rs), and
# the script fails naming it. The summary line per target gives its execs and time.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh fuzz
seconds=${1:-60}
shift || true
targets=("$@")
[ ${#targets[@]} -gt 0 ] || mapfile -t targets < <(sed -n 's/^name = "\(.*\)"$/\1/p' fuzz/Cargo.toml | grep -v '^ironlung-fuzz$')
cargo_fuzz=$(pwd)/.cache/cargo-fuzz/bin/cargo-fuzz
failed=()
for t in "${targets[@]}"; do
  work=target/fuzz-corpus/$t
  mkdir -p "$work" "fuzz/artifacts/$t"
  cp -n fuzz/corpus/"$t"/* "$work"/ 2>/dev/null || true
  echo "fuzz: $t for $seconds s" >&2
  log=target/fuzz-corpus/$t.log
  if (cd fuzz && rustup run nightly "$cargo_fuzz" run --features libfuzzer --release "$t" "../$work" -- \
    -max_total_time="$seconds" -rss_limit_mb=3072 -timeout=20 -print_final_stats=1) >"$log" 2>&1; then
    status=ok
  else
    status=FAILED
    failed+=("$t")
    mkdir -p "fuzz/regressions/$t"
    for a in fuzz/artifacts/"$t"/*; do [ -f "$a" ] && cp "$a" "fuzz/regressions/$t/" && echo "fuzz: $t: kept $a in fuzz/regressions/$t/" >&2; done
  fi
  runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
  took=$(sed -n 's/^Done \([0-9]*\) runs in \([0-9]*\) second.*/\2/p' "$log" | tail -1)
  # A run stopped by a failure prints no "Done" line: its time is not the time asked for.
  if [ -n "$took" ]; then took="in $took s"; elif [ "$status" = ok ]; then took="in $seconds s"; else took="before it stopped"; fi
  echo "fuzz: $t: $status, ${runs:-?} execs $took, corpus $(ls "$work" | wc -l) inputs (log: $log)" >&2
done
[ ${#failed[@]} -eq 0 ] || { echo "fuzz: failing targets: ${failed[*]}" >&2; exit 1; }
