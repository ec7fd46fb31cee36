use std::time::Instant;
fn main() {
    let path = std::env::args().nth(1).unwrap();
    let text = std::fs::read_to_string(path).unwrap();
    for name in ["cl100k_base", "o200k_base"] {
        let enc = ironlung_core::tokenizer::get_encoding(name).unwrap();
        enc.count("warm");
        let t = Instant::now();
        let mut n = 0;
        for _ in 0..5 { n = enc.count(&text); }
        let dt = t.elapsed().as_secs_f64() / 5.0;
        println!("{name}: {n} tokens, {:.1} MB/s", text.len() as f64 / 1e6 / dt);
    }
}
