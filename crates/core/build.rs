//! Derives ironlung's compact rank tables from tiktoken-rs at build time.
//!
//! tiktoken-rs ships the rank files as base64 text and parses them at run time. ironlung
//! stores each vocabulary by its BPE structure instead: every token longer than one byte is
//! the concatenation of two tokens of lower rank, so a table holds, for each rank, that
//! pair of ranks. Written as byte planes (all low bytes, then middle, then high), this
//! gzips to a fifth less than the token bytes themselves (0.34 MB for cl100k_base), which is
//! what a browser downloads. Format (all little-endian):
//!
//! ```text
//! "ILR2"  u32 n  u32[256] rank of each single byte
//! then for the m = n - 256 other ranks, in rank order: 3 planes of the left rank's bytes,
//! then 3 planes of the right rank's bytes; 0xFFFFFF in both marks a rank with no token.
//! ```
//!
//! Deriving it here, rather than committing it, keeps the data tied to the tiktoken-rs
//! version in Cargo.lock.

use std::{collections::HashMap, env, fmt::Write as _, fs, path::PathBuf};

fn table(bpe: &tiktoken_rs::CoreBPE, n: u32) -> Vec<u8> {
    let specials: Vec<&str> = bpe.special_tokens().into_iter().collect();
    let mut tokens: Vec<Option<Vec<u8>>> = Vec::with_capacity(n as usize);
    for rank in 0..n {
        tokens.push(match bpe.decode_bytes(&[rank]) {
            Ok(b) if !specials.iter().any(|s| s.as_bytes() == b.as_slice()) => {
                assert!(!b.is_empty() && b.len() <= 255, "token {rank} has length {}", b.len());
                Some(b)
            }
            _ => None,
        });
    }
    let index: HashMap<&[u8], u32> =
        tokens.iter().enumerate().filter_map(|(r, t)| Some((t.as_deref()?, r as u32))).collect();
    let mut singles = [u32::MAX; 256];
    let mut pairs = Vec::new();
    for (r, t) in tokens.iter().enumerate() {
        match t {
            Some(t) if t.len() == 1 => singles[t[0] as usize] = r as u32,
            None => pairs.push((0xFF_FFFF, 0xFF_FFFF)),
            Some(t) => {
                // The split whose parts were both made earliest: BPE's last merge.
                let (a, b) = (1..t.len())
                    .filter_map(|k| {
                        let a = *index.get(&t[..k])?;
                        let b = *index.get(&t[k..])?;
                        (a < r as u32 && b < r as u32).then_some((a, b))
                    })
                    .min_by_key(|&(a, b)| a.max(b))
                    .unwrap_or_else(|| panic!("token {r} is not a merge of two earlier tokens"));
                pairs.push((a, b));
            }
        }
    }
    assert!(singles.iter().all(|&r| r != u32::MAX), "every byte is a token");
    assert_eq!(pairs.len(), n as usize - 256);
    let mut out = Vec::with_capacity(8 + 1024 + 6 * pairs.len());
    out.extend_from_slice(b"ILR2");
    out.extend_from_slice(&n.to_le_bytes());
    for r in singles {
        out.extend_from_slice(&r.to_le_bytes());
    }
    for side in 0..2 {
        for shift in [0, 8, 16] {
            out.extend(pairs.iter().map(|p| ((if side == 0 { p.0 } else { p.1 }) >> shift) as u8));
        }
    }
    out
}

/// The code-point ranges of a regex class, from regex-syntax: the same Unicode tables that
/// tiktoken's regexes (fancy-regex, built on regex) use, so the hand-written pre-tokenizer
/// classifies every character exactly as they do.
fn ranges(class: &str) -> Vec<(u32, u32)> {
    use regex_syntax::hir::{Class, HirKind};
    let hir = regex_syntax::Parser::new().parse(class).unwrap();
    match hir.kind() {
        HirKind::Class(Class::Unicode(c)) => c.ranges().iter().map(|r| (r.start() as u32, r.end() as u32)).collect(),
        other => panic!("{class} parsed to {other:?}"),
    }
}

/// Writes `char_classes.rs`: a class bit set for every code point, as a two-level table for
/// the BMP and a sorted range list above it. Bits: 1 = \p{L}, 2 = \p{N}, 4 = \s,
/// 8 = [\p{Lu}\p{Lt}\p{Lm}\p{Lo}\p{M}], 16 = [\p{Ll}\p{Lm}\p{Lo}\p{M}], and for ASCII only
/// 32 = the one-character prefix a word may take, `[^\r\n\p{L}\p{N}]`, less the apostrophe
/// (which may start a contraction instead): one test for the pre-tokenizer's commonest case.
fn char_classes() -> String {
    let classes = [
        (1u8, r"\p{L}"),
        (2, r"\p{N}"),
        (4, r"\s"),
        (8, r"[\p{Lu}\p{Lt}\p{Lm}\p{Lo}\p{M}]"),
        (16, r"[\p{Ll}\p{Lm}\p{Lo}\p{M}]"),
    ];
    let mut bits = vec![0u8; 0x11_0000];
    for (bit, class) in classes {
        for (a, b) in ranges(class) {
            for c in a..=b {
                bits[c as usize] |= bit;
            }
        }
    }
    for (c, b) in bits.iter_mut().enumerate().take(0x80) {
        if *b & 3 == 0 && !matches!(c as u8, b'\r' | b'\n' | b'\'') {
            *b |= 32;
        }
    }
    let mut out = String::new();
    // BMP: 256 blocks of 256, identical blocks shared.
    let mut blocks: Vec<&[u8]> = Vec::new();
    let mut index = Vec::new();
    for chunk in bits[..0x10000].chunks(256) {
        let i = blocks.iter().position(|b| *b == chunk).unwrap_or_else(|| {
            blocks.push(chunk);
            blocks.len() - 1
        });
        index.push(i as u8);
    }
    assert!(blocks.len() <= 256);
    writeln!(out, "pub static ASCII: [u8; 128] = {:?};", &bits[..128]).unwrap();
    writeln!(out, "pub static BMP_INDEX: [u8; 256] = {index:?};").unwrap();
    writeln!(out, "pub static BMP_BLOCKS: [[u8; 256]; {}] = [", blocks.len()).unwrap();
    for b in &blocks {
        writeln!(out, "    {b:?},").unwrap();
    }
    writeln!(out, "];").unwrap();
    // Astral planes: maximal runs of equal non-zero bits, as (first, last, bits).
    let mut runs = Vec::new();
    let mut c = 0x10000;
    while c < 0x11_0000 {
        let v = bits[c];
        let start = c;
        while c < 0x11_0000 && bits[c] == v {
            c += 1;
        }
        if v != 0 {
            runs.push((start as u32, (c - 1) as u32, v));
        }
    }
    writeln!(out, "pub static ASTRAL: [(u32, u32, u8); {}] = {runs:?};", runs.len()).unwrap();
    out
}

#[path = "src/fingerprint.rs"]
mod fingerprint;
use fingerprint::fnv1a;

fn main() {
    println!("cargo:rerun-if-changed=build.rs");
    println!("cargo:rerun-if-changed=src/fingerprint.rs");
    let out = PathBuf::from(env::var_os("OUT_DIR").unwrap());
    let vocabularies: [(&str, tiktoken_rs::CoreBPE, u32); 4] = [
        ("r50k_base", tiktoken_rs::r50k_base().unwrap(), 50256),
        ("p50k_base", tiktoken_rs::p50k_base().unwrap(), 50281),
        ("cl100k_base", tiktoken_rs::cl100k_base().unwrap(), 100256),
        ("o200k_base", tiktoken_rs::o200k_base().unwrap(), 199998),
    ];
    fs::write(out.join("char_classes.rs"), char_classes()).unwrap();
    // Fingerprints of the tables, so tables handed over at run time can be checked.
    let mut hashes = Vec::new();
    let mut lengths = Vec::new();
    for (name, bpe, n) in vocabularies {
        let t = table(&bpe, n);
        hashes.push(format!("{:#018x}", fnv1a(&t)));
        lengths.push(t.len().to_string());
        fs::write(out.join(format!("{name}.ranks")), t).unwrap();
    }
    fs::write(
        out.join("rank_hashes.rs"),
        format!(
            "pub const HASHES: [u64; 4] = [{}];\npub const LENGTHS: [usize; 4] = [{}];\n",
            hashes.join(", "),
            lengths.join(", ")
        ),
    )
    .unwrap();
}
