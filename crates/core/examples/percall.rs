//! Per-call cost of `count` on distinct ~100-byte strings, in the core alone.
use std::time::Instant;
fn main() {
    let path = std::env::args().nth(1).expect("usage: percall FILE");
    let text = std::fs::read_to_string(path).unwrap();
    let mut chunks = Vec::new();
    let mut at = 0;
    while at + 100 < text.len() && chunks.len() < 20000 {
        let mut e = at + 100;
        while !text.is_char_boundary(e) {
            e -= 1;
        }
        chunks.push(&text[at..e]);
        at = e;
    }
    for name in ["cl100k_base", "o200k_base"] {
        let enc = ironlung_core::tokenizer::get_encoding(name).unwrap();
        for c in &chunks[..2000] {
            enc.count(c);
        }
        let t = Instant::now();
        let mut s = 0;
        for c in &chunks[2000..] {
            s += enc.count(c);
        }
        println!("{name}: {:.0} ns per call ({s})", t.elapsed().as_nanos() as f64 / (chunks.len() - 2000) as f64);
    }
}
