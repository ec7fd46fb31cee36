//! ironlung-core: the part of ironlung that decides every result.
//!
//! Pure Rust with no JS binding code, so that the napi-rs addon and the wasm-bindgen build
//! cannot drift apart: each binding only converts arguments and maps [`Error`] to a JS error.
//!
//! - [`tokenizer`]: OpenAI BPE encodings (`r50k_base` … `o200k_harmony`), byte-identical to
//!   tiktoken.
//! - [`text`]: BOM-aware lossy decoding, binary detection, and (off wasm) bounded file reads.
//! - [`compress`]: zstd with levels checked and decompressed output capped.

// The note put where text was removed (`{omitted}` becomes the count), spelled once for the
// markers built around it.
macro_rules! omission_note {
    () => {
        "[… {omitted} tokens omitted …]"
    };
}

pub mod compress;
pub mod context;
pub mod error;
mod fingerprint;
pub mod text;
pub mod tokenizer;
mod zstd_reason;

/// Sorts `keys` ascending. Every sort in the crate packs its keys into `u64`s and comes
/// here, so the wasm module carries one sort routine instead of one per element type.
#[inline(never)]
pub(crate) fn sort_u64(keys: &mut [u64]) {
    keys.sort_unstable();
}

/// `(key, index)` of each of `keys`, in ascending key order (equal keys by index), sorted
/// with [`sort_u64`] on the pair packed into one `u64`.
pub(crate) fn order_by_key(keys: impl Iterator<Item = u32>) -> impl Iterator<Item = (u32, usize)> {
    let mut packed: Vec<u64> = keys.enumerate().map(|(i, k)| ((k as u64) << 32) | i as u32 as u64).collect();
    assert!(packed.len() <= u32::MAX as usize, "too many keys");
    sort_u64(&mut packed);
    packed.into_iter().map(|p| ((p >> 32) as u32, p as u32 as usize))
}

pub use error::{Code, Error, OutOfMemory, Result};
