//! `utf16_to_utf8` against `encoding_rs::mem::convert_utf16_to_utf8`, as the native addon
//! calls it: short strings into a stack buffer (`text_arg.rs`'s inline path), long ones into
//! a reused `Vec` (its pooled path).
//!
//! Instructions, for cachegrind: `utf16 cg IMPL SHAPE FILE ROUNDS` runs one workload ROUNDS
//! times with one converter. Run it with 1 and 6 rounds and subtract, to leave out the setup
//! and the first round (which allocates):
//!
//!     cargo build --release -p ironlung-abi --example utf16
//!     for r in 1 6; do valgrind --tool=cachegrind --cache-sim=no --branch-sim=yes \
//!       --cachegrind-out-file=cg.$r target/release/examples/utf16 cg ours short FILE $r; done
//!
//! `short`: FILE cut into pieces of at most 100 bytes on character boundaries, as the bench's
//! per-call measurement cuts its corpus, the first 10,000 pieces, each converted once a
//! round; `long`: all of FILE, once a round. (Divide the difference by 50,000 or 5.)
//!
//! FILE: the bench's corpora (`bench/.corpus/*.txt`, from `node bench/corpus.mjs`), or any
//! UTF-8 text.
//!
//! Wall clock: `utf16 time FILE...` runs every converter on every file, alternating, and
//! prints the median ns per short piece and MB/s (UTF-8 bytes out) on the whole file.
//!
//! The converters: `ours` is `utf16_to_utf8_raw` / `utf16_to_utf8`. `ers` is what a
//! replacement by encoding_rs would run: it takes `&mut [u8]`, so the stack buffer's
//! `3 * len` bytes are zeroed first, and the pooled `Vec` is resized (zeroed) to `3 * len`.
//! `ers-noinit` converts into a buffer zeroed once, outside the measurement: encoding_rs's
//! conversion alone, which no caller gets for free.

// The core's examples cut the corpus this way too: the same pieces.
#[path = "../../core/examples/common/mod.rs"]
mod common;
use common::chunks;

use ironlung_abi::{utf16_to_utf8, utf16_to_utf8_raw, MAX_UTF8_PER_UNIT};
use std::hint::black_box;
use std::mem::MaybeUninit;
use std::time::Instant;

/// `text_arg.rs`'s stack buffer: strings up to 256 units.
const INLINE: usize = 256;
const IMPLS: [&str; 3] = ["ours", "ers", "ers-noinit"];

fn units(s: &str) -> Vec<u16> {
    s.encode_utf16().collect()
}

#[inline(never)]
fn short_ours(src: &[u16]) -> usize {
    let mut bytes = [MaybeUninit::<u8>::uninit(); INLINE * MAX_UTF8_PER_UNIT];
    // SAFETY: `src` has at most INLINE units, and `bytes` room for MAX_UTF8_PER_UNIT per unit.
    let len = unsafe { utf16_to_utf8_raw(src, bytes.as_mut_ptr().cast()) };
    // SAFETY: the first `len` bytes were written.
    black_box(unsafe { std::slice::from_raw_parts(bytes.as_ptr().cast::<u8>(), len) }).len()
}

#[inline(never)]
fn short_ers(src: &[u16]) -> usize {
    let mut bytes = [MaybeUninit::<u8>::uninit(); INLINE * MAX_UTF8_PER_UNIT];
    let n = src.len() * MAX_UTF8_PER_UNIT;
    assert!(n <= bytes.len());
    // SAFETY: `n` bytes are in `bytes`; once zeroed they are initialised `u8`s.
    let dst = unsafe {
        std::ptr::write_bytes(bytes.as_mut_ptr(), 0, n);
        std::slice::from_raw_parts_mut(bytes.as_mut_ptr().cast::<u8>(), n)
    };
    let len = encoding_rs::mem::convert_utf16_to_utf8(src, dst);
    black_box(&dst[..len]).len()
}

#[inline(never)]
fn short_ers_noinit(src: &[u16], dst: &mut [u8; INLINE * MAX_UTF8_PER_UNIT]) -> usize {
    let len = encoding_rs::mem::convert_utf16_to_utf8(src, &mut dst[..src.len() * MAX_UTF8_PER_UNIT]);
    black_box(&dst[..len]).len()
}

/// Converts `src` as the named converter does; the pooled buffer `buf` is cleared first, as
/// `pooled_utf8` clears it.
#[inline(never)]
fn long(imp: &str, src: &[u16], buf: &mut Vec<u8>) -> usize {
    match imp {
        "ours" => {
            buf.clear();
            utf16_to_utf8(src, buf);
            black_box(&buf[..]).len()
        }
        "ers" => {
            buf.clear();
            buf.resize(src.len() * MAX_UTF8_PER_UNIT, 0);
            let len = encoding_rs::mem::convert_utf16_to_utf8(src, buf);
            buf.truncate(len);
            black_box(&buf[..]).len()
        }
        "ers-noinit" => {
            // `buf` keeps its full, initialised length between calls.
            if buf.len() < src.len() * MAX_UTF8_PER_UNIT {
                buf.resize(src.len() * MAX_UTF8_PER_UNIT, 0);
            }
            let len = encoding_rs::mem::convert_utf16_to_utf8(src, buf);
            black_box(&buf[..len]).len()
        }
        _ => panic!("unknown converter {imp}"),
    }
}

/// Runs the short workload once over `pieces`; returns the bytes written (a checksum).
fn short_round(imp: &str, pieces: &[Vec<u16>], scratch: &mut [u8; INLINE * MAX_UTF8_PER_UNIT]) -> usize {
    match imp {
        "ours" => pieces.iter().map(|p| short_ours(p)).sum(),
        "ers" => pieces.iter().map(|p| short_ers(p)).sum(),
        "ers-noinit" => pieces.iter().map(|p| short_ers_noinit(p, scratch)).sum(),
        _ => panic!("unknown converter {imp}"),
    }
}

fn short_pieces(text: &str) -> Vec<Vec<u16>> {
    chunks(text, 100).into_iter().take(10_000).map(units).collect()
}

fn cg(imp: &str, shape: &str, path: &str, rounds: usize) {
    let text = std::fs::read_to_string(path).unwrap();
    let mut scratch = [0u8; INLINE * MAX_UTF8_PER_UNIT];
    let mut total = 0;
    match shape {
        "short" => {
            let pieces = short_pieces(&text);
            assert_eq!(pieces.len(), 10_000, "{path} is too short");
            for _ in 0..rounds {
                total += short_round(imp, &pieces, &mut scratch);
            }
        }
        "long" => {
            let src = units(&text);
            let mut buf = Vec::new();
            for _ in 0..rounds {
                total += long(imp, &src, &mut buf);
            }
        }
        _ => panic!("SHAPE is short or long"),
    }
    println!("{total}");
}

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(|a, b| a.partial_cmp(b).unwrap());
    v[v.len() / 2]
}

fn time(paths: &[String]) {
    const ROUNDS: usize = 21;
    println!(
        "{:<14} {:<11} {:>9} {:>8} {:>9} {:>8}",
        "file", "converter", "ns/piece", "vs ours", "MB/s long", "vs ours"
    );
    for path in paths {
        let text = std::fs::read_to_string(path).unwrap();
        let pieces = short_pieces(&text);
        let src = units(&text);
        let name = std::path::Path::new(path).file_stem().unwrap().to_string_lossy().into_owned();
        let mut scratch = [0u8; INLINE * MAX_UTF8_PER_UNIT];
        let mut bufs: Vec<Vec<u8>> = IMPLS.iter().map(|_| Vec::new()).collect();
        let (mut short_ns, mut long_mbs) = (vec![vec![]; IMPLS.len()], vec![vec![]; IMPLS.len()]);
        for _ in 0..ROUNDS {
            // Alternate the converters within each round, so drift in the machine's speed
            // lands on all of them alike.
            for (k, imp) in IMPLS.iter().enumerate() {
                let t = Instant::now();
                for _ in 0..5 {
                    black_box(short_round(imp, &pieces, &mut scratch));
                }
                short_ns[k].push(t.elapsed().as_nanos() as f64 / (5 * pieces.len()) as f64);
                let t = Instant::now();
                let n = long(imp, &src, &mut bufs[k]);
                long_mbs[k].push(n as f64 / t.elapsed().as_secs_f64() / 1e6);
            }
        }
        let s: Vec<f64> = short_ns.into_iter().map(median).collect();
        let l: Vec<f64> = long_mbs.into_iter().map(median).collect();
        for (k, imp) in IMPLS.iter().enumerate() {
            println!("{name:<14} {imp:<11} {:>9.1} {:>8.2} {:>9.0} {:>8.2}", s[k], s[k] / s[0], l[k], l[k] / l[0]);
        }
    }
}

fn main() {
    let a: Vec<String> = std::env::args().skip(1).collect();
    match a.first().map(String::as_str) {
        Some("cg") if a.len() == 5 => cg(&a[1], &a[2], &a[3], a[4].parse().unwrap()),
        Some("time") if a.len() > 1 => time(&a[1..]),
        _ => panic!("usage: utf16 cg IMPL SHAPE FILE ROUNDS | utf16 time FILE..."),
    }
}
