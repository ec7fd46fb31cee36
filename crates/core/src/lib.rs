#![deny(missing_docs)]
//! ironlung-core: exact OpenAI token counts, safe text reading and bounded zstd, in plain
//! Rust.
//!
//! This crate decides every result of ironlung; the napi-rs addon and the wasm-bindgen build
//! only translate (through `ironlung-abi`), so they cannot drift apart. It is a Rust library
//! in its own right, with typed options and structured errors:
//!
//! - [`tokenizer`]: OpenAI BPE encodings (`r50k_base` … `o200k_harmony`), byte-identical to
//!   tiktoken, with counting within a limit, truncation to a budget and chunking.
//! - [`text`]: BOM-aware lossy decoding, binary detection, and (off wasm) bounded file reads.
//! - [`context`]: a file or buffer made ready for a prompt in one step.
//! - [`compress`]: zstd with levels checked and decompressed output capped.
//! - [`log`]: the session log's format: checksummed, compressed frames and their recovery.
//! - [`error`]: one [`Error`] enum, each variant naming the value and the limit at fault.
//!
//! ```
//! use ironlung_core::tokenizer::{self, Cut, SpecialSet};
//! use ironlung_core::{compress, Error};
//!
//! let enc = tokenizer::get_encoding("o200k_base")?;
//! let tokens = enc.encode("hello world", &SpecialSet::none(), &SpecialSet::All)?;
//! assert_eq!(enc.decode(&tokens)?, "hello world");
//! assert_eq!(enc.count("hello world"), tokens.len());
//!
//! // Keep the tail of a long log within 20 tokens, saying what was cut.
//! let log = "line of output\n".repeat(100);
//! let cut = enc.truncate_with(&log, 20, Cut::Start, Some("[{omitted} tokens cut]\n"))?;
//! assert!(cut.truncated && cut.tokens <= 20 && cut.text.starts_with('['));
//!
//! // Errors are data: the limit and the size are fields, not text to parse.
//! let packed = compress::compress(log.as_bytes(), 3)?;
//! match compress::decompress(&packed, 100) {
//!     Err(Error::OutputTooLarge { size, max_output_bytes, .. }) => {
//!         assert_eq!((size, max_output_bytes), (log.len() as u64, 100));
//!     }
//!     other => panic!("expected OutputTooLarge, got {other:?}"),
//! }
//! # Ok::<(), Error>(())
//! ```

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
pub mod log;
pub mod text;
pub mod tokenizer;

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

pub use error::{Code, Error, OutOfMemory, Result, WindowNeed};
