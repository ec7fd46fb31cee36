//! OpenAI BPE encodings, byte-identical to tiktoken.
//!
//! [`get_encoding`] and [`encoding_for_model`] return a shared `&'static Encoding`; each
//! encoding (its rank table, special tokens and pre-tokenizer) is built on first use and
//! kept for the life of the process.
//!
//! # Panics
//! Counting, encoding and the toolkit merge each pre-token piece in memory that grows with
//! the piece (about 30 bytes per byte). A piece too long for the memory at hand panics with
//! an [`OutOfMemory`](crate::OutOfMemory) payload instead of aborting the process.

mod blocks;
mod bpe;
mod budget;
mod cache;
mod chunk;
mod classes;
mod encoding;
mod models;
#[cfg(not(target_family = "wasm"))]
mod pool;
mod pretokenize;
pub mod rank_file;
mod ranks;
mod registry;
mod special;
mod starts;
#[cfg(test)]
mod testing;
mod truncate;
mod vector;
mod vocab;

pub use budget::{Cut, Truncated, Within, DEFAULT_MIDDLE_MARKER};
pub use chunk::{Boundary, ChunkSpan};
pub use encoding::{Encoding, SpecialSet};
pub use models::KNOWN_FAMILIES;
#[cfg(feature = "embed-ranks")]
pub use ranks::embedded_rank_tables;
pub use ranks::{install_ranks, rank_table, ranks_available, RANK_TABLES};
pub use registry::{encoding, encoding_for_model, encoding_name_for_model, get_encoding, list_encodings, EncodingName};
pub use vocab::Rank;
