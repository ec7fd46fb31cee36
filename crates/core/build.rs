//! Derives ironlung's compact rank tables from tiktoken-rs at build time.
//!
//! tiktoken-rs ships the rank files as base64 text and parses them at run time; ironlung
//! instead embeds one binary table per vocabulary: `u32` LE token count `n`, then `n` byte
//! lengths (`u8`, 0 marks a rank that is not an ordinary token), then the token bytes
//! concatenated in rank order. Deriving it here, rather than committing it, keeps the data
//! tied to the tiktoken-rs version in Cargo.lock.

use std::{env, fs, path::PathBuf};

fn table(bpe: &tiktoken_rs::CoreBPE, n: u32) -> Vec<u8> {
    let specials: Vec<&str> = bpe.special_tokens().into_iter().collect();
    let mut lens = Vec::with_capacity(n as usize);
    let mut bytes = Vec::new();
    for rank in 0..n {
        match bpe.decode_bytes(&[rank]) {
            Ok(b) if !specials.iter().any(|s| s.as_bytes() == b.as_slice()) => {
                assert!(!b.is_empty() && b.len() <= 255, "token {rank} has length {}", b.len());
                lens.push(b.len() as u8);
                bytes.extend_from_slice(&b);
            }
            _ => lens.push(0),
        }
    }
    let mut out = Vec::with_capacity(4 + lens.len() + bytes.len());
    out.extend_from_slice(&n.to_le_bytes());
    out.extend_from_slice(&lens);
    out.extend_from_slice(&bytes);
    out
}

fn main() {
    println!("cargo:rerun-if-changed=build.rs");
    let out = PathBuf::from(env::var_os("OUT_DIR").unwrap());
    let vocabularies: [(&str, tiktoken_rs::CoreBPE, u32); 4] = [
        ("r50k_base", tiktoken_rs::r50k_base().unwrap(), 50256),
        ("p50k_base", tiktoken_rs::p50k_base().unwrap(), 50281),
        ("cl100k_base", tiktoken_rs::cl100k_base().unwrap(), 100256),
        ("o200k_base", tiktoken_rs::o200k_base().unwrap(), 199998),
    ];
    for (name, bpe, n) in vocabularies {
        fs::write(out.join(format!("{name}.ranks")), table(&bpe, n)).unwrap();
    }
}
