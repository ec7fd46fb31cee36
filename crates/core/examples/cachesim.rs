//! The bench's per-call workload, deterministic, for cachegrind: instructions, branch
//! mispredictions and cache misses per call, which the shared machine's timing noise
//! (often +-20% between runs) cannot resolve for a change of a few percent.
//!
//! Warms up with 20 passes over 500 chunks of `FILE.warm.txt`; with MEASURE = 1 it then
//! counts 5 rounds of 2000 distinct chunks of at most 100 bytes of FILE, and with EVICT = 1
//! it sweeps 8 MiB before each round, as V8's `gc()` before each of the bench's rounds
//! does. Run it with MEASURE = 0 and 1 and subtract, to leave the warm-up out:
//!
//!     cargo build --release -p ironlung-core --example cachesim
//!     for m in 0 1; do valgrind --tool=cachegrind --cache-sim=yes --branch-sim=yes \
//!       --cachegrind-out-file=cg.$m target/release/examples/cachesim FILE cl100k_base $m 1; done
//!     cg_diff cg.0 cg.1 > cg.diff && cg_annotate cg.diff    # totals / 10000 = per call
//!
//! (The 8 MiB sweep adds 8 MiB / 64 B per round of its own misses to the totals.)
mod common;
use common::chunks;

fn main() {
    let a: Vec<String> = std::env::args().collect();
    assert_eq!(a.len(), 5, "usage: cachesim FILE ENCODING MEASURE EVICT");
    let (path, enc, measure, evict) = (&a[1], &a[2], a[3] == "1", a[4] == "1");
    let text = std::fs::read_to_string(path).unwrap();
    let warm = std::fs::read_to_string(path.replace(".txt", ".warm.txt")).unwrap();
    let all = chunks(&text, 100);
    let warm: Vec<&str> = chunks(&warm, 100).into_iter().take(500).collect();
    let enc = ironlung_core::tokenizer::get_encoding(enc).unwrap();
    let mut n = 0;
    for _ in 0..20 {
        warm.iter().for_each(|c| n += enc.count(c));
    }
    let mut sweep = vec![1u8; 8 << 20];
    if measure {
        for round in all.chunks(2000).take(5) {
            if evict {
                for i in (0..sweep.len()).step_by(64) {
                    sweep[i] = sweep[i].wrapping_add(1);
                }
            }
            n += round.iter().map(|c| enc.count(std::hint::black_box(c))).sum::<usize>();
        }
    }
    println!("{n} {}", sweep[64]);
}
