//! Splitting a text into chunks that each fit a token budget.

use super::truncate::truncate_prefix;
use super::Encoding;
use crate::error::{Error, Result};

/// Where a chunk may end.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Boundary {
    /// Anywhere on a character boundary.
    Token,
    /// After a line break (`\n`, so `\r\n` stays whole).
    Line,
    /// After a blank line.
    Paragraph,
}

/// One chunk: byte offsets into the text and its own token count.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ChunkSpan {
    /// Byte offset of the chunk's first byte.
    pub start: usize,
    /// Byte offset just past its last byte.
    pub end: usize,
    /// The tokens the chunk counts on its own.
    pub tokens: usize,
}

impl Encoding {
    /// Chunks of `text` of at most `max_tokens` tokens each, counted on their own. Each
    /// chunk after the first starts so that it repeats about `overlap` tokens of the one
    /// before (never more). With `overlap == 0` the chunks tile the text exactly.
    pub fn chunk(&self, text: &str, max_tokens: usize, overlap: usize, boundary: Boundary) -> Result<Vec<ChunkSpan>> {
        // A chunk of max_tokens tokens covers at most this many bytes, so each chunk is cut
        // from a window of the rest, not the whole rest: one long piece (a run of letters
        // with no space) would otherwise be tokenized again, whole, for every chunk.
        let window = max_tokens.saturating_mul(self.vocab.longest()).saturating_add(4);
        self.chunk_in_windows(text, max_tokens, overlap, boundary, window)
    }

    fn chunk_in_windows(
        &self,
        text: &str,
        max_tokens: usize,
        overlap: usize,
        boundary: Boundary,
        window: usize,
    ) -> Result<Vec<ChunkSpan>> {
        if max_tokens == 0 {
            return Err(Error::ZeroMaxTokens);
        }
        if overlap >= max_tokens {
            return Err(Error::OverlapTooLarge { overlap, max_tokens });
        }
        let mut out = Vec::new();
        let mut start = 0;
        while start < text.len() {
            let rest = &text[start..text.floor_char_boundary(start.saturating_add(window))];
            let fit = start + truncate_prefix(self, rest, max_tokens).len();
            let end = if fit == text.len() { fit } else { self.snap(text, start, fit, boundary, max_tokens) };
            if end == start {
                let character = text[start..].chars().next().unwrap_or_default();
                let tokens = self.count(&text[start..start + character.len_utf8()]);
                return Err(Error::CharTooLarge { character, offset: start, tokens, max_tokens });
            }
            out.push(ChunkSpan { start, end, tokens: self.count(&text[start..end]) });
            if end == text.len() {
                break;
            }
            start = if overlap == 0 { end } else { self.overlap_start(text, start, end, overlap, boundary) };
        }
        Ok(out)
    }

    /// The best end in `(start, fit]` for `boundary`, falling back to finer boundaries.
    fn snap(&self, text: &str, start: usize, fit: usize, boundary: Boundary, max: usize) -> usize {
        let fits = |e: usize| self.count(&text[start..e]) <= max;
        if boundary == Boundary::Paragraph {
            let mut ends = paragraph_ends(&text[start..fit]);
            while let Some(e) = ends.pop() {
                if fits(start + e) {
                    return start + e;
                }
            }
        }
        if boundary != Boundary::Token {
            let mut ends = line_ends(&text[start..fit]);
            while let Some(e) = ends.pop() {
                if fits(start + e) {
                    return start + e;
                }
            }
        }
        fit
    }

    /// Where the chunk after `[start, end)` begins: about `overlap` tokens before `end`, on a
    /// boundary when one lies in that stretch, and always after `start`.
    fn overlap_start(&self, text: &str, start: usize, end: usize, overlap: usize, boundary: Boundary) -> usize {
        let tail = self.truncate_suffix(&text[start..end], overlap);
        let mut s = end - tail.len();
        if boundary != Boundary::Token {
            let ends = if boundary == Boundary::Paragraph { paragraph_ends(tail) } else { line_ends(tail) };
            if let Some(&first) = ends.first() {
                if s + first < end {
                    s += first;
                }
            }
        }
        if s <= start {
            s = start + text[start..].chars().next().map_or(1, char::len_utf8);
        }
        s
    }
}

/// Offsets just after each `\n`.
fn line_ends(text: &str) -> Vec<usize> {
    memchr::memchr_iter(b'\n', text.as_bytes()).map(|i| i + 1).collect()
}

/// Offsets just after each blank line (a line holding only whitespace).
fn paragraph_ends(text: &str) -> Vec<usize> {
    let b = text.as_bytes();
    let nl = line_ends(text);
    let mut out = Vec::new();
    let mut prev = None;
    for e in nl {
        if let Some(p) = prev {
            if b[p..e - 1].iter().all(|c| matches!(c, b' ' | b'\t' | b'\r')) {
                out.push(e);
            }
        }
        prev = Some(e);
    }
    out
}

#[cfg(all(test, feature = "embed-ranks"))]
mod tests {
    use super::*;
    use crate::tokenizer::{encoding, testing::random_texts, EncodingName};

    const ATOMS: &[&str] =
        &["a", "aaaaaaaa", "Hello", " world", " ", "\n", "\n\n", "123", "é", "中文", "😀", ".", "  \n"];

    /// Linear: ten times the text, about ten times the bytes merged (0.1 re-tokenized the
    /// whole rest of a long piece for every chunk: a hundred times).
    #[test]
    fn a_long_piece_chunks_in_linear_work() {
        let enc = encoding(EncodingName::Cl100kBase).unwrap();
        for (overlap, boundary) in [(0, Boundary::Token), (20, Boundary::Line)] {
            let work = |n: usize| {
                let text = "a".repeat(n);
                crate::tokenizer::bpe::work::of(|| {
                    enc.chunk(&text, 100, overlap, boundary).unwrap();
                })
            };
            let (small, large) = (work(20_000), work(200_000));
            assert!(
                large <= 15 * small,
                "overlap {overlap}, {boundary:?}: bytes merged {small} for 2e4, {large} for 2e5"
            );
        }
    }

    /// Cutting each chunk from a window of the rest gives the chunks cutting from the whole
    /// rest gives, for every boundary and overlap.
    #[test]
    fn windows_change_no_chunk() {
        let enc = encoding(EncodingName::Cl100kBase).unwrap();
        let mut texts = random_texts(ATOMS, 0xc4c4, 200, 80, None);
        texts.push("a".repeat(5000));
        texts.push(format!("{}\n\n{}", "b".repeat(3000), "word ".repeat(400)));
        for text in &texts {
            for (max, overlap) in [(1, 0), (3, 1), (8, 0), (16, 5), (64, 10)] {
                for boundary in [Boundary::Token, Boundary::Line, Boundary::Paragraph] {
                    let whole = enc.chunk_in_windows(text, max, overlap, boundary, usize::MAX);
                    assert_eq!(enc.chunk(text, max, overlap, boundary), whole, "{text:?} {max} {overlap} {boundary:?}");
                }
            }
        }
    }
}
