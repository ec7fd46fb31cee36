//! Splitting text into pre-token pieces, exactly as tiktoken's regexes do.
//!
//! tiktoken's patterns end in look-around alternatives (`\s++$`, `\s+(?!\S)`, `\s`) that
//! need a backtracking engine. ironlung runs the same patterns on the linear-time `regex`
//! crate with that tail replaced by a plain `\s+`, and then trims the whitespace match the
//! way the look-around would have. A match that is all whitespace can only come from that
//! tail (every earlier alternative needs a non-space character), which makes the trim
//! exact; the differential tests against tiktoken-rs hold it to that.

use regex::Regex;

/// The pattern families of OpenAI's encodings.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Family {
    /// `r50k_base`, `p50k_base`, `p50k_edit` (the GPT-2 pattern).
    Gpt2,
    /// `cl100k_base`.
    Cl100k,
    /// `o200k_base`, `o200k_harmony`.
    O200k,
}

const GPT2: &str = r"'(?:[sdmt]|ll|ve|re)| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+";
const CL100K: &str =
    r"'(?i:[sdmt]|ll|ve|re)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}{1,3}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s+";
const O200K: &str = concat!(
    r"[^\r\n\p{L}\p{N}]?[\p{Lu}\p{Lt}\p{Lm}\p{Lo}\p{M}]*[\p{Ll}\p{Lm}\p{Lo}\p{M}]+(?i:'s|'t|'re|'ve|'m|'ll|'d)?",
    r"|[^\r\n\p{L}\p{N}]?[\p{Lu}\p{Lt}\p{Lm}\p{Lo}\p{M}]+[\p{Ll}\p{Lm}\p{Lo}\p{M}]*(?i:'s|'t|'re|'ve|'m|'ll|'d)?",
    r"|\p{N}{1,3}",
    r"| ?[^\s\p{L}\p{N}]+[\r\n/]*",
    r"|\s+",
);

/// A compiled pre-tokenizer for one pattern family.
pub struct Pretokenizer {
    family: Family,
    regex: Regex,
}

impl Pretokenizer {
    pub fn new(family: Family) -> Pretokenizer {
        let pattern = match family {
            Family::Gpt2 => GPT2,
            Family::Cl100k => CL100K,
            Family::O200k => O200K,
        };
        Pretokenizer { family, regex: Regex::new(pattern).expect("valid pattern") }
    }

    /// The byte ranges of the pieces of `text`, in order; they tile `text` exactly.
    pub fn pieces<'t>(&'t self, text: &'t str) -> Pieces<'t> {
        Pieces { pre: self, text, at: 0 }
    }

    /// Where the whitespace run `text[start..end]` (a maximal run of `\s`) really ends.
    fn trim_whitespace(&self, text: &str, start: usize, end: usize) -> usize {
        let run = &text[start..end];
        let at_end = end == text.len();
        let last_newline = || run.rfind(['\r', '\n']).map(|i| start + i + 1);
        // `\s+(?!\S)` backs off one character when more than one precedes a non-space.
        let minus_last = || {
            let last = run.chars().next_back().map_or(0, char::len_utf8);
            if run.len() > last {
                end - last
            } else {
                end
            }
        };
        match self.family {
            // `\s++$ | \s+(?!\S) | \s`
            Family::Gpt2 => {
                if at_end {
                    end
                } else {
                    minus_last()
                }
            }
            // `\s++$ | \s*[\r\n] | \s+(?!\S) | \s`
            Family::Cl100k => {
                if at_end {
                    end
                } else if let Some(nl) = last_newline() {
                    nl
                } else {
                    minus_last()
                }
            }
            // `\s*[\r\n]+ | \s+(?!\S) | \s+`
            Family::O200k => {
                if let Some(nl) = last_newline() {
                    nl
                } else if at_end {
                    end
                } else {
                    minus_last()
                }
            }
        }
    }
}

/// Iterator over `(start, end)` byte ranges of pieces.
pub struct Pieces<'t> {
    pre: &'t Pretokenizer,
    text: &'t str,
    at: usize,
}

impl Iterator for Pieces<'_> {
    type Item = (usize, usize);

    #[inline]
    fn next(&mut self) -> Option<(usize, usize)> {
        let text = self.text;
        if self.at >= text.len() {
            return None;
        }
        // The patterns match every non-empty input at its first character, so a match
        // always starts at `self.at`.
        let Some(m) = self.pre.regex.find_at(text, self.at) else {
            // Unreachable for these patterns; keep the tiling guarantee regardless.
            let start = self.at;
            self.at = text.len();
            return Some((start, text.len()));
        };
        if m.start() > self.at {
            let start = self.at;
            self.at = m.start();
            return Some((start, m.start()));
        }
        let (start, mut end) = (m.start(), m.end());
        if text[start..end].chars().all(char::is_whitespace) {
            end = self.pre.trim_whitespace(text, start, end);
        }
        self.at = end;
        Some((start, end))
    }
}
