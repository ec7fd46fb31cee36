//! Worst-case growth from n = 1e5 to 1e6: one letter, text without spaces, and truncating
//! one letter, or words, from the start.
//!
//!     cargo run --release -p ironlung-core --example growth          # times each case
//!     valgrind --tool=cachegrind target/release/examples/growth CASE N   # one call
//!
//! With a case and a size it makes one call and no other work but set-up, for instruction
//! counts (subtract the run of case `none`).
use ironlung_core::tokenizer::{get_encoding, Cut, Encoding};
use std::time::Instant;

const CASES: [&str; 4] = ["count-a", "count-nows", "truncate-start-a", "truncate-start-words"];

fn input(case: &str, n: usize) -> String {
    let unit = match case {
        "count-nows" => "Thequickbrownfoxjumpsoverthelazydog,andthen1234runs!",
        "truncate-start-words" => "lorem ipsum dolor sit amet, ",
        _ => "a",
    };
    unit.repeat(n / unit.len() + 1)[..n].to_string()
}

fn call(enc: &Encoding, case: &str, text: &str) -> usize {
    match case {
        "none" => 0,
        "truncate-start-a" | "truncate-start-words" => {
            enc.truncate_with(text, enc.count(text) * 9 / 10, Cut::Start, None).unwrap().tokens
        }
        _ => enc.count(text),
    }
}

fn main() {
    let enc = get_encoding("cl100k_base").unwrap();
    let args: Vec<String> = std::env::args().skip(1).collect();
    if let [case, n] = &args[..] {
        let text = input(case, n.parse().expect("N is a number"));
        println!("{}", call(enc, case, &text));
        return;
    }
    enc.count("warm");
    for case in CASES {
        let mut times = Vec::new();
        for n in [100_000usize, 1_000_000] {
            let text = input(case, n);
            let t = Instant::now();
            std::hint::black_box(call(enc, case, &text));
            times.push(t.elapsed().as_secs_f64() * 1e3);
        }
        println!("{case}: 1e5 {:.1} ms, 1e6 {:.1} ms, growth {:.1}x", times[0], times[1], times[1] / times[0]);
    }
}
