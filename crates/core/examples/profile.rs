//! Counts each third of a file once per encoding (fresh text, as the bench does) and prints
//! MB/s; for profiling the core alone with `perf record`.
use std::time::Instant;
fn main() {
    let path = std::env::args().nth(1).expect("usage: profile FILE");
    let text = std::fs::read_to_string(path).unwrap();
    let mut cuts = [0, text.len() / 3, 2 * text.len() / 3, text.len()];
    for c in &mut cuts[1..3] {
        while !text.is_char_boundary(*c) {
            *c += 1;
        }
    }
    for name in ["cl100k_base", "o200k_base"] {
        let enc = ironlung_core::tokenizer::get_encoding(name).unwrap();
        enc.count("warm");
        let mut best = 0f64;
        for w in cuts.windows(2) {
            let part = &text[w[0]..w[1]];
            let t = Instant::now();
            std::hint::black_box(enc.count(part));
            best = best.max(part.len() as f64 / 1e6 / t.elapsed().as_secs_f64());
        }
        println!("{name}: {best:.0} MB/s");
    }
}
