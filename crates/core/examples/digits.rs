//! `count` on long runs of digits, which `\p{N}{1,3}` cuts into thousands of pieces in one
//! run: times `'123456789'.repeat(k)` and `'1'.repeat(9k)` for each k, per encoding. Linear
//! work shows as time growing with k, not k squared.
//!
//!     cargo run --release -p ironlung-core --example digits -- [ENCODING [K...]]
use std::time::Instant;

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let names: Vec<&str> = match args.first() {
        Some(n) => vec![n.as_str()],
        None => vec!["cl100k_base", "o200k_base", "r50k_base"],
    };
    let ks: Vec<usize> = if args.len() > 1 {
        args[1..].iter().map(|k| k.parse().expect("K is a number")).collect()
    } else {
        vec![10_000, 40_000, 160_000]
    };
    for name in names {
        let enc = ironlung_core::tokenizer::get_encoding(name).unwrap();
        enc.count("warm 123");
        for unit in ["123456789", "111111111"] {
            for &k in &ks {
                let text = unit.repeat(k);
                let t = Instant::now();
                let n = enc.count(std::hint::black_box(&text));
                let ms = t.elapsed().as_secs_f64() * 1e3;
                println!("{name} {unit:?} x {k} ({} KB): {n} tokens, {ms:.2} ms", text.len() / 1000);
            }
        }
    }
}
