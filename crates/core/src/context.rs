//! Text for a prompt in one step: bounded bytes, binary check, decoding, counting and
//! truncation to a token budget with a marker.

use crate::error::Result;
use crate::text;
use crate::tokenizer::{Cut, Encoding, DEFAULT_MIDDLE_MARKER};

/// The marker put where text was cut off the end or the start: the omission note of
/// [`Encoding::truncate_with`]'s middle cut, on a line of its own.
pub const END_MARKER: &str = concat!("\n", omission_note!());

/// A text ready for a prompt.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Context {
    /// The text, cut to the budget if there was one, with the marker where it was cut.
    pub text: String,
    /// Tokens of `text` as returned, marker included.
    pub tokens: usize,
    /// Whether anything was cut.
    pub truncated: bool,
    /// Tokens the removed text counts on its own.
    pub omitted: usize,
    /// Bytes of input.
    pub bytes: usize,
    /// The encoding counted with.
    pub encoding: &'static str,
}

/// Decodes `bytes` (subject to `max_bytes` and the binary check), counts it with `enc`, and
/// cuts it to `max_tokens` at the end, the start or in the middle.
pub fn context_from_bytes(
    bytes: &[u8],
    max_bytes: usize,
    enc: &Encoding,
    max_tokens: Option<usize>,
    cut: Cut,
) -> Result<Context> {
    let decoded = text::text_from_bytes(bytes, max_bytes)?;
    let (text, tokens, truncated, omitted) = match max_tokens {
        None => {
            let n = enc.count(&decoded);
            (decoded, n, false, 0)
        }
        Some(max) => {
            // A budget under the marker's own tokens cuts without one: `truncated` still says
            // so, where an error would refuse even a file that fits.
            let note = if cut == Cut::Middle { DEFAULT_MIDDLE_MARKER } else { END_MARKER };
            let marker = if enc.count(note) > max { Some("") } else { (cut != Cut::Middle).then_some(END_MARKER) };
            let t = enc.truncate_with(&decoded, max, cut, marker)?;
            (t.text, t.tokens, t.truncated, t.omitted)
        }
    };
    Ok(Context { text, tokens, truncated, omitted, bytes: bytes.len(), encoding: enc.name() })
}

/// [`context_from_bytes`] on a file read with [`text::read_file_bounded`].
#[cfg(not(target_family = "wasm"))]
pub fn read_for_context(
    path: &std::path::Path,
    max_bytes: usize,
    enc: &Encoding,
    max_tokens: Option<usize>,
    cut: Cut,
) -> Result<Context> {
    let bytes = text::read_file_bounded(path, max_bytes)?;
    context_from_bytes(&bytes, max_bytes, enc, max_tokens, cut).map_err(|e| e.in_file(&path.display().to_string()))
}
