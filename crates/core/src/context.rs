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
pub fn read_for_context(path: &std::path::Path, max_bytes: usize, enc: &Encoding, max_tokens: Option<usize>, cut: Cut) -> Result<Context> {
    let bytes = text::read_file_bounded(path, max_bytes)?;
    context_from_bytes(&bytes, max_bytes, &format!("'{}'", path.display()), enc, max_tokens, cut)
}

/// UTF-16 offsets (what JS string indices count) of the given byte offsets into `text`,
/// each of which must be a character boundary.
///
/// Texts and offset lists are those of JS strings, so each fits in 32 bits.
pub fn utf16_offsets(text: &str, byte_offsets: &[usize]) -> Vec<usize> {
    assert!(text.len() <= u32::MAX as usize && byte_offsets.len() <= u32::MAX as usize, "text too long");
    // (offset, index) packed in one u64 and sorted: `crate::sort_u64` is the one sort the
    // wasm module carries.
    let mut order: Vec<u64> = byte_offsets.iter().enumerate().map(|(i, &b)| ((b as u64) << 32) | i as u64).collect();
    crate::sort_u64(&mut order);
    let mut out = vec![0; byte_offsets.len()];
    let (mut byte, mut unit) = (0usize, 0usize);
    let mut chars = text.chars();
    for key in order {
        let (target, i) = ((key >> 32) as usize, key as u32 as usize);
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
