//! What a session log's records could take on disk under other framings than one zstd frame
//! per append: the measurement behind "on disk ≤ 1/5 of the JSONL" in bench/log-notes.md.
//!
//! Reads the first N lines of the log bench's events (bench/.corpus/agent-events.jsonl, made by
//! `node bench/agentdata.mjs --log-events`) and prints, against their JSONL size:
//! - each record its own frame at level 3 with a 64 KiB dictionary trained on the first MiB,
//!   as the log stores them, with its 84 bytes of framing per append;
//! - one zstd stream per segment of S raw bytes, flushed after every record (so each append
//!   is decodable once written), at several levels, with and without long-distance matching
//!   over a 16 MiB window, with two framings per record: a guessed compact one of 24 bytes
//!   (seq, length, CRC), and today's 84-byte frame header and trailer.
//!
//!     cargo run --release -p ironlung-core --example log-ratio -- bench/.corpus/agent-events.jsonl 100000
use std::io::Write;
use std::time::Instant;

fn main() {
    let a: Vec<String> = std::env::args().collect();
    let (file, n) = match a.as_slice() {
        [_, file, n] => (file, n.parse::<usize>().expect("N, a count of lines")),
        _ => panic!("usage: log-ratio EVENTS.jsonl N"),
    };
    let text = std::fs::read_to_string(file).expect("the events file");
    let lines: Vec<&[u8]> = text.lines().take(n).map(str::as_bytes).collect();
    let jsonl: usize = lines.iter().map(|l| l.len() + 1).sum();
    println!("{} records, {jsonl} bytes of JSONL", lines.len());

    let mut samples = Vec::new();
    let mut taken = 0;
    for l in &lines {
        if taken >= 1 << 20 {
            break;
        }
        samples.push(l.to_vec());
        taken += l.len();
    }
    let dict = zstd::dict::from_samples(&samples, 64 << 10).expect("a dictionary");
    let mut c = zstd::bulk::Compressor::with_dictionary(3, &dict).expect("a compressor");
    let t = Instant::now();
    let payload: usize = lines.iter().map(|l| c.compress(l).expect("compressed").len()).sum();
    report("a frame per record, L3, 64 KiB dictionary, 84 B each", jsonl, payload + 84 * lines.len(), t, lines.len());

    for segment in [4usize << 20, 16 << 20, 64 << 20] {
        for level in [3, 7, 9, 12] {
            for ldm in [false, true] {
                let t = Instant::now();
                let mut stored = 0;
                let mut i = 0;
                while i < lines.len() {
                    let mut enc = zstd::stream::Encoder::new(Vec::new(), level).expect("an encoder");
                    enc.include_checksum(false).expect("no checksum");
                    if ldm {
                        enc.long_distance_matching(true).expect("ldm");
                        enc.window_log(24).expect("a 16 MiB window");
                    }
                    let mut raw = 0;
                    while i < lines.len() && raw < segment {
                        enc.write_all(lines[i]).expect("written");
                        enc.flush().expect("flushed");
                        raw += lines[i].len();
                        i += 1;
                    }
                    stored += enc.finish().expect("finished").len();
                }
                let what = format!("segments of {} MiB, L{level}{}", segment >> 20, if ldm { ", LDM" } else { "" });
                report(&format!("{what}, 24 B each"), jsonl, stored + 24 * lines.len(), t, lines.len());
                report(&format!("{what}, 84 B each"), jsonl, stored + 84 * lines.len(), t, lines.len());
            }
        }
    }
}

fn report(what: &str, jsonl: usize, stored: usize, t: Instant, records: usize) {
    let us = t.elapsed().as_secs_f64() * 1e6 / records as f64;
    println!("{what:<56} 1/{:.2}  {us:6.1} µs a record", jsonl as f64 / stored as f64);
}
