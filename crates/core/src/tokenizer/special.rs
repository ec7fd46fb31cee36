//! Special tokens (`<|endoftext|>` and friends): lookup and scanning.
//!
//! Every OpenAI special token has the form `<|name|>`, so the text is scanned for `<|` with
//! `memchr::memmem` and each hit is checked against the table; this stays fast with
//! o200k_harmony's 1 088 specials, where an alternation regex would not.

use super::vocab::Rank;
use memchr::memmem;
use rustc_hash::FxHashMap;

pub struct Specials {
    by_text: FxHashMap<String, Rank>,
    by_rank: FxHashMap<Rank, String>,
    /// Names in rank order, for listing.
    sorted: Vec<String>,
    max_len: usize,
}

impl Specials {
    pub fn new(tokens: Vec<(String, Rank)>) -> Specials {
        for (t, _) in &tokens {
            assert!(t.starts_with("<|") && t.ends_with("|>") && !t[2..t.len() - 2].contains("|>"));
        }
        Specials {
            by_text: tokens.iter().cloned().collect(),
            by_rank: tokens.iter().map(|(t, r)| (*r, t.clone())).collect(),
            max_len: tokens.iter().map(|t| t.0.len()).max().unwrap_or(0),
            sorted: crate::order_by_key(tokens.iter().map(|t| t.1)).map(|(_, i)| tokens[i].0.clone()).collect(),
        }
    }

    pub fn rank(&self, text: &str) -> Option<Rank> {
        self.by_text.get(text).copied()
    }

    pub fn text(&self, rank: Rank) -> Option<&str> {
        self.by_rank.get(&rank).map(String::as_str)
    }

    pub fn names(&self) -> &[String] {
        &self.sorted
    }

    pub fn max_rank(&self) -> Option<Rank> {
        self.by_rank.keys().copied().max()
    }

    /// The first special token in `text` at or after byte `from`: `(start, end, rank)`.
    /// Linear in the text: the position of the next `|>` is remembered across candidates.
    pub fn find(&self, text: &str, from: usize) -> Option<(usize, usize, Rank)> {
        let bytes = text.as_bytes();
        let mut at = from;
        let mut close: Option<usize> = None;
        loop {
            let start = at + memmem::find(&bytes[at..], b"<|")?;
            let need = start + 2;
            let q = match close {
                Some(q) if q >= need => q,
                _ => {
                    let q = need + memmem::find(&bytes[need..], b"|>")?;
                    close = Some(q);
                    q
                }
            };
            let end = q + 2;
            if end - start <= self.max_len {
                if let Some(&r) = self.by_text.get(&text[start..end]) {
                    return Some((start, end, r));
                }
            }
            at = start + 1;
        }
    }
}
