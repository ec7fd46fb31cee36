//! Text for a prompt in one step: bounded bytes, binary check, decoding, counting and
//! truncation to a token budget with a marker.

use crate::error::Result;
use crate::text;
use crate::tokenizer::{ChunkSpan, Cut, Encoding};

/// The marker put where text was cut off the end.
pub const END_MARKER: &str = "\n[… {omitted} tokens omitted …]";

/// A text ready for a prompt.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Context {
    pub text: String,
    /// Tokens of `text` as returned, marker included.
    pub tokens: usize,
    pub truncated: bool,
    /// Tokens the removed text counts on its own.
    pub omitted: usize,
    /// Bytes of input.
    pub bytes: usize,
    pub encoding: &'static str,
}

/// Decodes `bytes` (subject to `max_bytes` and the binary check; `what` names the source in
/// errors), counts it with `enc`, and cuts it to `max_tokens` at the end or in the middle.
pub fn context_from_bytes(
    bytes: &[u8],
    max_bytes: usize,
    what: &str,
    enc: &Encoding,
    max_tokens: Option<usize>,
    cut: Cut,
) -> Result<Context> {
    let decoded = text::text_from_bytes(bytes, max_bytes, what)?;
    let (text, tokens, truncated, omitted) = match max_tokens {
        None => {
            let n = enc.count(&decoded);
            (decoded, n, false, 0)
        }
        Some(max) => {
            let marker = if cut == Cut::Middle { None } else { Some(END_MARKER) };
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
    context_from_bytes(&bytes, max_bytes, &format!("'{}'", path.display()), enc, max_tokens, cut)
}

/// UTF-16 offsets (what JS string indices count) of the given byte offsets into `text`,
/// each of which must be a character boundary.
///
/// Texts and offset lists are those of JS strings, so each fits in 32 bits.
pub fn utf16_offsets(text: &str, byte_offsets: &[usize]) -> Vec<usize> {
    assert!(text.len() <= u32::MAX as usize, "text too long");
    let mut out = vec![0; byte_offsets.len()];
    let (mut byte, mut unit) = (0usize, 0usize);
    let mut chars = text.chars();
    for (target, i) in crate::order_by_key(byte_offsets.iter().map(|&b| b as u32)) {
        let target = target as usize;
        while byte < target {
            let Some(c) = chars.next() else { break };
            byte += c.len_utf8();
            unit += c.len_utf16();
        }
        out[i] = unit;
    }
    out
}

/// Chunks as the flat array both bindings hand to JS: a (start, end, tokens) triple per
/// chunk, with offsets in UTF-16 units.
pub fn chunk_triples(text: &str, spans: &[ChunkSpan]) -> Vec<u32> {
    let offsets: Vec<usize> = spans.iter().flat_map(|c| [c.start, c.end]).collect();
    let units = utf16_offsets(text, &offsets);
    spans.iter().zip(units.chunks(2)).flat_map(|(c, u)| [u[0] as u32, u[1] as u32, c.tokens as u32]).collect()
}
