//! The bench's per-call measurement on the core alone: `count` on distinct chunks of at most
//! 100 bytes (cut on character boundaries), after warming up on 500 chunks of
//! `FILE.warm.txt` for 300 ms; 5 rounds of 2000 chunks from the start of FILE, each chunk
//! counted once; prints the median ns per call. Comparing it with the bench's native
//! figure shows what the Node boundary costs.
//!
//! With REPS, the whole measurement is repeated on fresh threads (fresh memos, so the text
//! is new to each) and the median of the REPS medians printed: steadier for A/B runs.
//!
//!     cargo run --release -p ironlung-core --example percall -- FILE [REPS]
use std::time::{Duration, Instant};

mod common;
use common::chunks;

fn main() {
    let path = std::env::args().nth(1).expect("usage: percall FILE [REPS]");
    let reps: usize = std::env::args().nth(2).map_or(1, |r| r.parse().expect("REPS is a number"));
    let text = std::fs::read_to_string(&path).unwrap();
    let warm = std::fs::read_to_string(path.replace(".txt", ".warm.txt")).unwrap_or_default();
    let all = chunks(&text, 100);
    let warm: Vec<&str> = chunks(&warm, 100).into_iter().take(500).collect();
    for name in ["cl100k_base", "o200k_base"] {
        let enc = ironlung_core::tokenizer::get_encoding(name).unwrap();
        let mut medians: Vec<f64> = (0..reps).map(|_| one_run(enc, &warm, &all)).collect();
        medians.sort_by(f64::total_cmp);
        let median = medians[reps / 2];
        let reps = if reps > 1 { format!(", median of {reps} repetitions") } else { String::new() };
        println!("{name}: {median:.0} ns per call (median of 5 rounds of 2000 distinct chunks{reps})");
    }
}

/// One measurement on a fresh thread: a fresh per-thread memo, as in a fresh process.
fn one_run(enc: &ironlung_core::tokenizer::Encoding, warm: &[&str], all: &[&str]) -> f64 {
    std::thread::scope(|s| {
        s.spawn(|| {
            let t = Instant::now();
            while t.elapsed() < Duration::from_millis(300) {
                warm.iter().for_each(|c| {
                    enc.count(c);
                });
            }
            let mut ns: Vec<f64> = all
                .chunks(2000)
                .take(5)
                .map(|round| {
                    let t = Instant::now();
                    let n: usize = round.iter().map(|c| enc.count(std::hint::black_box(c))).sum();
                    std::hint::black_box(n);
                    t.elapsed().as_nanos() as f64 / round.len() as f64
                })
                .collect();
            ns.sort_by(f64::total_cmp);
            ns[ns.len() / 2]
        })
        .join()
        .unwrap()
    })
}
