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

impl Boundary {
    pub fn parse(s: &str) -> Result<Boundary> {
        match s {
            "token" => Ok(Boundary::Token),
            "line" => Ok(Boundary::Line),
            "paragraph" => Ok(Boundary::Paragraph),
            _ => Err(Error::invalid_arg(format!("boundary must be 'token', 'line' or 'paragraph', got {s:?}"))),
        }
    }
}

/// One chunk: byte offsets into the text and its own token count.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ChunkSpan {
    pub start: usize,
    pub end: usize,
    pub tokens: usize,
}

impl Encoding {
    /// Chunks of `text` of at most `max_tokens` tokens each, counted on their own. Each
    /// chunk after the first starts so that it repeats about `overlap` tokens of the one
    /// before (never more). With `overlap == 0` the chunks tile the text exactly.
    pub fn chunk(&self, text: &str, max_tokens: usize, overlap: usize, boundary: Boundary) -> Result<Vec<ChunkSpan>> {
        if max_tokens == 0 {
            return Err(Error::invalid_arg("maxTokens must be at least 1, got 0"));
        }
        if overlap >= max_tokens {
            return Err(Error::invalid_arg(format!("overlap {overlap} must be smaller than maxTokens {max_tokens}")));
        }
        let mut out = Vec::new();
        let mut start = 0;
        while start < text.len() {
            let fit = start + truncate_prefix(self, &text[start..], max_tokens).len();
            let end = if fit == text.len() { fit } else { self.snap(text, start, fit, boundary, max_tokens) };
            if end == start {
                let c = text[start..].chars().next().unwrap_or_default();
                return Err(Error::invalid_arg(format!(
                    "maxTokens {max_tokens} is too small: the character {c:?} at index {} counts {} tokens on its own",
                    text[..start].encode_utf16().count(),
                    self.count(&text[start..start + c.len_utf8()])
                )));
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
