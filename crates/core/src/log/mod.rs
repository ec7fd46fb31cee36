//! The session log's format: an append-only file of checksummed, compressed frames.
//!
//! A log file is a 64-byte [`FileHeader`] and then frames, each a header, a payload and a
//! trailer ([`layout`]). A frame holds a batch of records (all of them survive a crash or
//! none do), a checkpoint, or the zstd dictionary the frames after it are compressed with.
//! Every frame header carries the log's running totals, so that the last frame alone tells
//! an opening writer where the log ends, and the trailer lets it find that frame from the
//! end of the file without reading the rest.
//!
//! This module owns the bytes and the recovery rules, not the I/O: [`Writer`] makes frames,
//! [`Reader`] checks and decodes them, and [`scan`] finds them in whatever window of the
//! file the caller read. Each binding does the reading and writing with what its host has
//! (the native addon with [`file::LogFile`], the wasm build through JS); the ordering of
//! writes, syncs and locks lives in the one JS layer above both.

pub mod codec;
#[cfg(not(target_family = "wasm"))]
pub mod file;
pub mod layout;
pub mod pack;
pub mod payload;
pub mod scan;
pub mod seek;

pub use codec::{Reader, Tail, Writer};
pub use layout::{FileHeader, FrameHeader, FrameKind};
pub use pack::{Packer, PACK_BYTES};
pub use payload::{Checkpoint, RecordKind, RecordRef};

#[cfg(test)]
mod tests;
