//! Worst-case growth: time for n = 1e5 and 1e6 of one letter, and of text without spaces.
use std::time::Instant;
fn main() {
    let enc = ironlung_core::tokenizer::get_encoding("cl100k_base").unwrap();
    enc.count("warm");
    for (label, unit) in [("a", "a"), ("nows", "Thequickbrownfoxjumpsoverthelazydog,andthen1234runs!")] {
        let mut times = Vec::new();
        for n in [100_000usize, 1_000_000] {
            let text: String = unit.repeat(n / unit.len() + 1)[..n].to_string();
            let t = Instant::now();
            std::hint::black_box(enc.count(&text));
            times.push(t.elapsed().as_secs_f64() * 1e3);
        }
        println!("{label}: 1e5 {:.1} ms, 1e6 {:.1} ms, growth {:.1}x", times[0], times[1], times[1] / times[0]);
    }
}
