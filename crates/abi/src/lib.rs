//! What both bindings of ironlung-core share: the JS-shaped side of every export.
//!
//! The napi-rs addon (`crates/node`) and the wasm-bindgen build (`wasm/`) export the same
//! functions with the same arguments. Everything they would otherwise each convert alike
//! lives here, once: encodings named by a small id, options passed as JS strings and
//! flags, results flattened into arrays of numbers with JS string offsets, and errors as
//! ironlung's JS messages. A binding function converts its JS values to the Rust types
//! taken here, calls one function, and hands the result or the [`JsError`] back in its
//! own way. So each export is written once here, and a line or two in each binding.

mod dictionary;
mod error;
mod log;
mod offsets;
mod options;
mod stream;
mod utf16;

pub use dictionary::{
    compress_with, compress_with_bytes, decompress_with, decompress_with_bytes, frame_info, prepare_dictionary,
    train_dictionary,
};
pub use error::JsError;
pub use ironlung_core::compress::{Dictionary, Training};
pub use log::{log_header, LogCodec, LogPacker, LogScanner, LogSeek};
pub use offsets::{utf16_offset, Utf16Offsets};
pub use options::{cut, special_set};
pub use stream::{CompressStream, DecompressStream};
pub use utf16::{utf16_to_utf8, utf16_to_utf8_raw, MAX_UTF8_PER_UNIT};

use ironlung_core::error::OutputSize;
use ironlung_core::tokenizer::{self, Encoding, EncodingName};
use ironlung_core::{compress as zstd, context, text};

/// The result of every export.
pub type Result<T> = std::result::Result<T, JsError>;

/// The encoding with index `id` in [`list_encodings`]: the JS side resolves a name once and
/// passes the id on every call.
pub fn encoding(id: u32) -> Result<&'static Encoding> {
    Ok(tokenizer::encoding(encoding_name(id)?)?)
}

fn encoding_name(id: u32) -> Result<EncodingName> {
    let all = EncodingName::ALL;
    all.get(id as usize)
        .copied()
        .ok_or_else(|| JsError::invalid_arg(format!("encoding id {id} is out of range 0..{}", all.len())))
}

/// The id of an encoding: its index in [`EncodingName::ALL`], as in [`list_encodings`].
fn id_of(name: EncodingName) -> u32 {
    name as u32
}

/// The names of every encoding, in id order.
pub fn list_encodings() -> Vec<String> {
    tokenizer::list_encodings().into_iter().map(String::from).collect()
}

/// The id of the encoding `name`.
pub fn encoding_id(name: &str) -> Result<u32> {
    Ok(id_of(EncodingName::parse(name)?))
}

/// The id of the encoding `model` uses.
pub fn encoding_id_for_model(model: &str) -> Result<u32> {
    Ok(id_of(tokenizer::encoding_name_for_model(model)?))
}

/// The name of encoding `id`.
pub fn name_of(id: u32) -> Result<String> {
    Ok(encoding_name(id)?.as_str().to_string())
}

/// The rank table encoding `id` uses (p50k_edit shares p50k_base's, the o200k_* encodings
/// o200k_base's).
pub fn rank_table(id: u32) -> Result<String> {
    Ok(tokenizer::rank_table(encoding_name(id)?).to_string())
}

/// Whether the rank table of encoding `id` is at hand (always, where tables are embedded).
pub fn ranks_available(id: u32) -> Result<bool> {
    Ok(tokenizer::ranks_available(encoding_name(id)?))
}

/// Installs a rank table: a rank file's bytes, or the bare table.
pub fn install_ranks(table: &str, data: Vec<u8>) -> Result<()> {
    Ok(tokenizer::install_ranks(table, data)?)
}

/// The special tokens of encoding `id`, in id order.
pub fn special_tokens(id: u32) -> Result<Vec<String>> {
    Ok(encoding(id)?.special_tokens().to_vec())
}

/// The number of token ids of encoding `id`, specials included.
pub fn n_vocab(id: u32) -> Result<u32> {
    Ok(encoding(id)?.n_vocab())
}

/// `count`: off wasm, a long text is counted on several threads.
pub fn count(id: u32, text: &str) -> Result<u32> {
    let enc = encoding(id)?;
    #[cfg(not(target_family = "wasm"))]
    let n = enc.count_parallel(text);
    #[cfg(target_family = "wasm")]
    let n = enc.count(text);
    Ok(n as u32)
}

/// `countWithin`: the count if it is at most `limit`; -1 if it exceeds; -2 if `text` is an
/// incomplete prefix (`complete` false) whose stable part fits, and the JS side passes a
/// longer one.
pub fn count_within(id: u32, text: &str, limit: f64, complete: bool) -> Result<f64> {
    Ok(match encoding(id)?.count_within(text, limit as usize, complete) {
        tokenizer::Within::Count(n) => n as f64,
        tokenizer::Within::Exceeds => -1.0,
        tokenizer::Within::NeedMore => -2.0,
    })
}

/// The counts of each of `texts`.
pub fn count_batch(id: u32, texts: &[String]) -> Result<Vec<u32>> {
    let enc = encoding(id)?;
    Ok(texts.iter().map(|t| enc.count(t) as u32).collect())
}

/// `encode` with special-token lists; each `*_all` flag stands for `'all'`.
pub fn encode(
    id: u32,
    text: &str,
    allowed_all: bool,
    allowed: Vec<String>,
    disallowed_all: bool,
    disallowed: Vec<String>,
) -> Result<Vec<u32>> {
    let (allowed, disallowed) = (special_set(allowed_all, allowed), special_set(disallowed_all, disallowed));
    encoding(id)?.encode(text, &allowed, &disallowed).map_err(|e| JsError::in_text(e, text))
}

/// `encodeOrdinary`: special-token text is ordinary text.
pub fn encode_ordinary(id: u32, text: &str) -> Result<Vec<u32>> {
    Ok(encoding(id)?.encode_ordinary(text))
}

/// `decode`: invalid UTF-8 across token boundaries becomes U+FFFD.
pub fn decode(id: u32, tokens: &[u32]) -> Result<String> {
    Ok(encoding(id)?.decode(tokens)?)
}

/// `decodeBytes`.
pub fn decode_bytes(id: u32, tokens: &[u32]) -> Result<Vec<u8>> {
    Ok(encoding(id)?.decode_bytes(tokens)?)
}

/// `truncate` from the end, no marker.
pub fn truncate(id: u32, text: &str, max_tokens: u32) -> Result<String> {
    Ok(encoding(id)?.truncate(text, max_tokens as usize).to_string())
}

/// `truncate` with `from` (`'end'`, `'start'` or `'middle'`) and a marker.
pub fn truncate_with(id: u32, text: &str, max_tokens: u32, from: &str, marker: Option<&str>) -> Result<String> {
    Ok(encoding(id)?.truncate_with(text, max_tokens as usize, cut(from)?, marker)?.text)
}

/// `chunk`, as a flat array of (start, end, tokens) triples with offsets in UTF-16 units.
pub fn chunk(id: u32, text: &str, max_tokens: u32, overlap: u32, boundary: &str) -> Result<Vec<u32>> {
    let spans = encoding(id)?
        .chunk(text, max_tokens as usize, overlap as usize, options::boundary(boundary)?)
        .map_err(|e| JsError::in_text(e, text))?;
    // Starts ascend, and so do ends: one walk along the text for each.
    let (mut starts, mut ends) = (Utf16Offsets::new(text), Utf16Offsets::new(text));
    Ok(spans.iter().flat_map(|c| [starts.at(c.start) as u32, ends.at(c.end) as u32, c.tokens as u32]).collect())
}

/// `compress` at a zstd level.
pub fn compress(data: &[u8], level: i32) -> Result<Vec<u8>> {
    Ok(zstd::compress(data, level)?)
}

/// `decompress`, with at most `max_output_bytes` of output.
pub fn decompress(data: &[u8], max_output_bytes: f64) -> Result<Vec<u8>> {
    one_shot(max_output_bytes, |cap| zstd::decompress(data, cap))
}

/// `decompress`'s (or `decompress_with`'s, given the dictionary) output size when every frame
/// declares it (`None` otherwise), after the checks it makes before it allocates: a binding
/// then decodes into memory of its own with [`decompress_into`].
pub fn declared_size(data: &[u8], max_output_bytes: f64, dictionary: Option<&Dictionary>) -> Result<Option<usize>> {
    one_shot(max_output_bytes, |cap| zstd::declared_size(data, cap, dictionary))
}

/// Runs a one-shot decompression with `max_output_bytes` as a usize: where one buffer holds
/// less (wasm32, 4 GiB - 1), a larger cap (`Infinity`, 2^40) is cut to what it holds, and an
/// output past that is reported as such, not as passing a `maxOutputBytes` never given.
pub(crate) fn one_shot<T>(max_output_bytes: f64, f: impl FnOnce(usize) -> ironlung_core::Result<T>) -> Result<T> {
    let cap = max_output_bytes as usize;
    f(cap).map_err(|e| match e {
        ironlung_core::Error::OutputTooLarge { size, known, .. } if (cap as f64) < max_output_bytes => {
            let (size, undeclared) = match known {
                OutputSize::Declared => (format!(" {size} bytes"), ""),
                OutputSize::AtLeast => (format!(" at least {size} bytes"), ""),
                OutputSize::Decoded => (String::new(), "; the data does not declare its size"),
            };
            JsError {
                code: "ERR_OUTPUT_TOO_LARGE",
                message: format!(
                    "decompressed size{size} is more than one buffer holds on wasm32 ({cap} bytes{undeclared}); \
                     decompress it with a ZstdDecompressionStream"
                ),
            }
        }
        e => e.into(),
    })
}

/// `decompress` into `out`, whose length is what [`declared_size`] gave.
pub fn decompress_into(data: &[u8], out: &mut [u8], dictionary: Option<&Dictionary>) -> Result<()> {
    Ok(zstd::decompress_into(data, out, dictionary)?)
}

/// `decodeText`: bytes checked against `max_bytes` and for binary content, then decoded.
pub fn text_from_bytes(bytes: &[u8], max_bytes: f64) -> Result<String> {
    Ok(text::text_from_bytes(bytes, max_bytes as usize)?)
}

/// `isBinary`.
pub fn is_binary(bytes: &[u8]) -> bool {
    text::is_binary(bytes)
}

/// What `readForContext` resolves to, in the order the JS side unpacks it.
pub struct ContextFields {
    pub text: String,
    pub tokens: f64,
    /// 1 if the text was cut, else 0.
    pub truncated: f64,
    pub omitted: f64,
    pub bytes: f64,
}

impl From<context::Context> for ContextFields {
    fn from(c: context::Context) -> Self {
        ContextFields {
            text: c.text,
            tokens: c.tokens as f64,
            truncated: c.truncated as u8 as f64,
            omitted: c.omitted as f64,
            bytes: c.bytes as f64,
        }
    }
}

/// `readForContext`'s token budget: a negative `max_tokens` means none.
fn budget(max_tokens: f64) -> Option<usize> {
    (max_tokens >= 0.0).then_some(max_tokens as usize)
}

/// `readForContext` on the bytes a host read from the file at `path` by the rules of
/// [`read_cap`]. `max_tokens < 0` means no budget.
pub fn file_context(
    path: &str,
    bytes: &[u8],
    max_bytes: f64,
    id: u32,
    max_tokens: f64,
    from: &str,
) -> Result<ContextFields> {
    let (enc, cut) = (encoding(id)?, cut(from)?);
    Ok(context::context_from_bytes(bytes, max_bytes as usize, enc, budget(max_tokens), cut)
        .map_err(|e| e.in_file(path))?
        .into())
}

/// `readTextFile` on the bytes a host read from the file at `path` by the rules of
/// [`read_cap`].
pub fn file_text(path: &str, bytes: &[u8], max_bytes: f64) -> Result<String> {
    Ok(text::text_from_bytes(bytes, max_bytes as usize).map_err(|e| e.in_file(path))?)
}

// A host that reads files itself (the wasm backend, through node:fs) pumps the bytes and
// asks these for every decision, so that it refuses what the native reader refuses.

/// A file type as a host passes it: 0 a regular file, 1 a directory, 2 a FIFO, 3 a character
/// device, 4 a block device, 5 a socket, anything else another kind.
fn file_type(code: u32) -> text::FileType {
    use ironlung_core::error::FileKind::*;
    use text::FileType::*;
    match code {
        0 => File,
        1 => Directory,
        2 => Special(Fifo),
        3 => Special(CharDevice),
        4 => Special(BlockDevice),
        5 => Special(Socket),
        _ => Special(Other),
    }
}

/// Refuses a path with a NUL byte.
pub fn check_path(path: &str) -> Result<()> {
    Ok(text::check_path(path)?)
}

/// The most bytes to read of `path`, which `fstat` says is of type `file_type_code` (0 a
/// regular file, 1 a directory, 2 a FIFO, 3 a character device, 4 a block device, 5 a
/// socket, anything else another kind) and `size` bytes, less one: the host reads at most `cap + 1` bytes.
pub fn read_cap(path: &str, file_type_code: u32, size: f64, max_bytes: f64) -> Result<f64> {
    Ok(text::read_cap(path, file_type(file_type_code), size as u64, max_bytes as usize)? as f64)
}

/// Checks the `len` bytes a read of `path` capped at `cap + 1` returned.
pub fn check_read(path: &str, len: f64, cap: f64) -> Result<()> {
    Ok(text::check_read(path, len as usize, cap as usize)?)
}

/// The error to throw in place of an open of `path` that failed with `code`, where a `stat`
/// says it is of `file_type_code` (negative: the stat failed too); `Ok` to throw the open's
/// own error.
pub fn open_failed(path: &str, code: &str, file_type_code: i32) -> Result<()> {
    let stat = u32::try_from(file_type_code).ok().map(file_type);
    match text::open_failed(path, code, stat) {
        Some(e) => Err(e.into()),
        None => Ok(()),
    }
}

/// `readForContext` on a file. `max_tokens < 0` means no budget.
#[cfg(not(target_family = "wasm"))]
pub fn read_for_context(path: &str, max_bytes: f64, id: u32, max_tokens: f64, from: &str) -> Result<ContextFields> {
    let path = std::path::Path::new(path);
    Ok(context::read_for_context(path, max_bytes as usize, encoding(id)?, budget(max_tokens), cut(from)?)?.into())
}

/// `readTextFile`: at most `max_bytes` of a file, checked and decoded.
#[cfg(not(target_family = "wasm"))]
pub fn read_text_file(path: &str, max_bytes: f64) -> Result<String> {
    let max_bytes = max_bytes as usize;
    let bytes = text::read_file_bounded(std::path::Path::new(path), max_bytes)?;
    Ok(text::text_from_bytes(&bytes, max_bytes).map_err(|e| e.in_file(path))?)
}
