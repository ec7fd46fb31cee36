//! The bench's throughput measurement on the core alone, for profiling with `perf record`
//! and for A/B runs: per encoding and per iteration, a fresh thread (so a fresh per-thread
//! memo, as in a fresh process) warms up on `FILE.warm.txt` when it exists, then counts the
//! five parts of FILE once each. Prints the median MB/s over the iterations.
//!
//!     cargo run --release -p ironlung-core --example profile -- FILE [ITERATIONS] [ENCODING]
use std::time::Instant;

fn parts(text: &str, n: usize) -> Vec<&str> {
    let mut cuts: Vec<usize> = (0..=n).map(|i| text.len() * i / n).collect();
    for c in &mut cuts {
        while !text.is_char_boundary(*c) {
            *c += 1;
        }
    }
    cuts.windows(2).map(|w| &text[w[0]..w[1]]).collect()
}

fn main() {
    let mut args = std::env::args().skip(1);
    let path = args.next().expect("usage: profile FILE [ITERATIONS] [ENCODING]");
    let iterations: usize = args.next().map_or(5, |s| s.parse().unwrap());
    let only = args.next();
    let text = std::fs::read_to_string(&path).unwrap();
    let warm = std::fs::read_to_string(path.replace(".txt", ".warm.txt")).unwrap_or_default();
    for name in ["cl100k_base", "o200k_base"] {
        if only.as_deref().is_some_and(|o| o != name) {
            continue;
        }
        let enc = ironlung_core::tokenizer::get_encoding(name).unwrap();
        let mut rates: Vec<f64> = (0..iterations)
            .map(|_| {
                std::thread::scope(|s| {
                    s.spawn(|| {
                        enc.count(&warm);
                        if std::env::var("REPEAT").is_ok() {
                            for part in parts(&text, 5) {
                                enc.count(part);
                            }
                        }
                        let mut secs = 0.0;
                        for part in parts(&text, 5) {
                            let t = Instant::now();
                            std::hint::black_box(enc.count(std::hint::black_box(part)));
                            secs += t.elapsed().as_secs_f64();
                        }
                        text.len() as f64 / 1e6 / secs
                    })
                    .join()
                    .unwrap()
                })
            })
            .collect();
        rates.sort_by(f64::total_cmp);
        println!(
            "{name}: {:.0} MB/s (median of {iterations}; min {:.0}, max {:.0})",
            rates[iterations / 2],
            rates[0],
            rates[iterations - 1]
        );
    }
}
