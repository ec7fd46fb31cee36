//! zstd, one-shot and streaming, with dictionaries, and decompressed output always capped.
//!
//! Decompression never trusts its input to be small. The one-shot [`decompress`] reads every
//! frame's declared size and sums them before a byte of output is allocated; the streaming
//! [`Decoder`] checks each frame's header before decoding it, and caps the whole stream's
//! output. Anything that is not a complete sequence of zstd (or skippable) frames is
//! rejected, with the byte offset at fault, rather than decoded as far as it goes.
//!
//! - [`compress`] / [`decompress`], and [`compress_with`] / [`decompress_with`] a
//!   [`Dictionary`];
//! - [`Encoder`] / [`Decoder`]: streams in pieces;
//! - [`train_dictionary`]: a standard zstd dictionary from samples;
//! - [`frame_info`]: what the frames declare, without decoding.
//!
//! ```
//! use ironlung_core::compress::{self, Dictionary, Decoder, Encoder};
//!
//! // Small JSON records shrink far more with a dictionary trained on others like them.
//! let records: Vec<String> =
//!     (0..500).map(|i| format!(r#"{{"tool":"read_file","path":"src/m{}.rs","ok":true}}"#, i % 40)).collect();
//! let dict = Dictionary::new(&compress::train_dictionary(&records, 4096)?, 3)?;
//! let packed = compress::compress_with(records[3].as_bytes(), &dict)?;
//! assert_eq!(compress::decompress_with(&packed, 1 << 20, Some(&dict))?, records[3].as_bytes());
//!
//! // A stream: output comes out in pieces of the caller's size, capped as a whole.
//! let mut enc = Encoder::new(3, true)?;
//! let mut frame = Vec::new();
//! enc.write(b"a long log, written in pieces", &mut frame)?;
//! enc.finish(&mut frame)?;
//! let mut dec = Decoder::new(1 << 20, None)?;
//! let mut piece = [0u8; 8];
//! let (mut input, mut out) = (&frame[..], Vec::new());
//! loop {
//!     let p = dec.decode(input, &mut piece)?;
//!     out.extend_from_slice(&piece[..p.produced]);
//!     input = &input[p.consumed..];
//!     if input.is_empty() && p.produced < piece.len() {
//!         break;
//!     }
//! }
//! dec.finish()?;
//! assert_eq!(out, b"a long log, written in pieces");
//! # Ok::<(), ironlung_core::Error>(())
//! ```

mod compressor;
mod dictionary;
mod frame;
mod oneshot;
mod reason;
mod stream;

pub use compressor::Compressor;
pub use dictionary::{
    train_dictionary, train_dictionary_with, Dictionary, Training, DEFAULT_DICTIONARY_BYTES, MAX_DICTIONARY_BYTES,
    MIN_DICTIONARY_BYTES, MIN_SAMPLES,
};
pub use frame::{frame_info, FrameHeader, FrameInfo};
pub use oneshot::{compress, compress_with, declared_size, decompress, decompress_into, decompress_with};
pub use stream::{Decoder, Encoder, Progress};

use crate::error::{Error, Result};
use zstd::zstd_safe;

/// The compression level used when the caller does not choose one (zstd's own default).
pub const DEFAULT_LEVEL: i32 = 3;

/// The default cap on decompressed output: 256 MiB.
pub const DEFAULT_MAX_OUTPUT_BYTES: usize = 256 * 1024 * 1024;

/// The largest decoding window allowed, as a power of two: 1 GiB on every backend (wasm32
/// cannot hold more, and one limit keeps the backends' results the same).
const WINDOW_LOG_MAX: u32 = 30;

/// The inclusive range of accepted compression levels, `(min, max)`, as reported by the linked
/// zstd (`(-131072, 22)` for zstd 1.5).
pub fn level_range() -> (i32, i32) {
    (zstd_safe::min_c_level(), zstd_safe::max_c_level())
}

/// [`Error::LevelOutOfRange`] unless `level` is within [`level_range`].
pub(crate) fn check_level(level: i32) -> Result<()> {
    let (min, max) = level_range();
    if level < min || level > max {
        return Err(Error::LevelOutOfRange { level, min, max });
    }
    Ok(())
}

/// The decoding window allowed with output capped at `cap`: as large as the cap (a window
/// larger than the whole output is never needed), at least zstd's default limit of 128 MiB,
/// at most [`WINDOW_LOG_MAX`].
fn window_log_for(cap: usize) -> u32 {
    (usize::BITS - cap.saturating_sub(1).leading_zeros()).clamp(27, WINDOW_LOG_MAX)
}

/// A frame asking for a `window` (when its header was read) over `1 << window_log`, the limit
/// that `cap` set.
fn window_error(window: Option<u64>, window_log: u32, cap: usize) -> Error {
    Error::WindowTooLarge {
        window,
        limit: 1 << window_log,
        max_output_bytes: (window_log < WINDOW_LOG_MAX).then_some(cap),
    }
}
