//! Token budgets: early-stopping counts, and truncation from the end, the start or the
//! middle with a marker.

use super::truncate::{truncate_prefix, EXHAUSTIVE_REGION, LOOK_AHEAD};
use super::{bpe, cache, Encoding};
use crate::error::{Error, Result};

/// The answer of [`Encoding::count_within`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Within {
    /// The whole text counts this many tokens, at most the limit.
    Count(usize),
    /// The text counts more than the limit.
    Exceeds,
    /// The text given is a prefix of a longer one and its stable part fits: more is needed.
    NeedMore,
}

/// Where [`Encoding::truncate_with`] removes text.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Cut {
    /// Keep the head.
    End,
    /// Keep the tail.
    Start,
    /// Keep the head and the tail around the marker.
    Middle,
}

/// The marker put in the middle when none is given: the omission note on a line of its own.
pub const DEFAULT_MIDDLE_MARKER: &str = concat!("\n", omission_note!(), "\n");

/// A truncated text.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Truncated {
    /// The text kept, with the marker where text was removed.
    pub text: String,
    /// Tokens of `text`.
    pub tokens: usize,
    /// Tokens the removed text counts on its own (0 if nothing was removed).
    pub omitted: usize,
    /// Whether anything was removed.
    pub truncated: bool,
}

impl Encoding {
    /// Counts `text` but stops as soon as the count passes `limit`, so the cost grows with
    /// `limit` rather than with the text. With `complete = false`, `text` is a prefix of a
    /// longer text: only pieces that the rest cannot change are counted, and
    /// [`Within::NeedMore`] asks for a longer prefix.
    pub fn count_within(&self, text: &str, limit: usize, complete: bool) -> Within {
        let bytes = text.as_bytes();
        // In a prefix, pieces ending by `stable_end` (the first character of the last word
        // that follows whitespace) are pieces of the whole text too: every scan decision
        // looks no further than the first whitespace after a piece, or the first
        // non-whitespace after a whitespace run, and both lie inside the prefix.
        let stable_end = if complete { text.len() } else { last_space_to_word(text) };
        self.with_memo(|memo| {
            let mut total = 0usize;
            let keys = cache::Keys::new(bytes);
            for (a, b) in self.pre.pieces(text) {
                if b > stable_end {
                    break;
                }
                // SAFETY: (a, b) is a piece `pieces` yielded for the text `keys` was made from.
                total += unsafe { bpe::count_piece(self.vocab, &keys, (a, b), memo) };
                if total > limit {
                    return Within::Exceeds;
                }
            }
            if complete {
                Within::Count(total)
            } else {
                Within::NeedMore
            }
        })
    }

    /// The longest prefix of `text` that counts at most `max_tokens` tokens, cut on a
    /// character boundary. See the `truncate` module for how "longest" is established.
    pub fn truncate<'t>(&self, text: &'t str, max_tokens: usize) -> &'t str {
        truncate_prefix(self, text, max_tokens)
    }

    /// [`Encoding::truncate`] with a choice of side and a marker. `{omitted}` in the marker
    /// becomes the number of tokens the removed text counts on its own. The result, marker
    /// included, counts at most `max_tokens`.
    pub fn truncate_with(&self, text: &str, max_tokens: usize, cut: Cut, marker: Option<&str>) -> Result<Truncated> {
        let marker = marker.unwrap_or(if cut == Cut::Middle { DEFAULT_MIDDLE_MARKER } else { "" });
        let total = self.count(text);
        // Check the marker even when the text fits, so a marker too long for its budget
        // fails on the first call, not on the first long input.
        let worst = fill(marker, total.max(1));
        let marker_tokens = self.count(&worst);
        if marker_tokens > max_tokens {
            return Err(Error::MarkerTooLong { marker: marker.to_string(), tokens: marker_tokens, max_tokens });
        }
        if total <= max_tokens {
            return Ok(Truncated { text: text.to_string(), tokens: total, omitted: 0, truncated: false });
        }
        let mut budget = max_tokens.saturating_sub(marker_tokens);
        loop {
            let (head, tail) = match cut {
                Cut::End => (truncate_prefix(self, text, budget), ""),
                Cut::Start => ("", self.truncate_suffix(text, budget)),
                Cut::Middle => {
                    let head = truncate_prefix(self, text, budget.div_ceil(2));
                    let tail = self.truncate_suffix(&text[head.len()..], budget / 2);
                    (head, tail)
                }
            };
            let omitted = self.count(&text[head.len()..text.len() - tail.len()]);
            let out = format!("{head}{}{tail}", fill(marker, omitted));
            let tokens = self.count(&out);
            if tokens <= max_tokens {
                return Ok(Truncated { text: out, tokens, omitted, truncated: true });
            }
            // Joining can merge tokens differently; give the pieces less room and retry.
            budget = budget.saturating_sub((tokens - max_tokens).max(1));
            if budget == 0 && head.is_empty() && tail.is_empty() {
                // Only the marker is left, and it fits (checked above).
                let m = fill(marker, total);
                let tokens = self.count(&m);
                return Ok(Truncated { text: m, tokens, omitted: total, truncated: true });
            }
        }
    }

    /// The longest suffix of `text` that counts at most `max_tokens`, cut on a character
    /// boundary.
    pub fn truncate_suffix<'t>(&self, text: &'t str, max_tokens: usize) -> &'t str {
        if max_tokens == 0 {
            return "";
        }
        let suffixes = SuffixCounts::new(self, text);
        // Candidate: the start of the whole text's last `max_tokens` tokens, then checked by
        // counting the suffix. It lies in the last piece from whose start on the text counts
        // more than `max_tokens`: past its first `skip` tokens, or at its end.
        let i = suffixes.after.partition_point(|&n| n > max_tokens);
        if i == 0 {
            return text;
        }
        let a = suffixes.starts[i - 1];
        let b = suffixes.rejoin_after(a);
        let piece_tokens = suffixes.after[i - 1] - suffixes.after.get(i).copied().unwrap_or(0);
        let skip = suffixes.after[i - 1] - max_tokens;
        let mut s = b;
        if skip < piece_tokens {
            // A piece of several tokens is not a token on its own, as `merge` requires.
            let mut k = 0;
            bpe::merge(self.vocab, &text.as_bytes()[a..b], |t, _, _| {
                if k == skip {
                    s = a + t;
                }
                k += 1;
            });
        }
        s = text.ceil_char_boundary(s);
        let lo = s.saturating_sub(LOOK_AHEAD);
        while s < text.len() && suffixes.count_from(self, s) > max_tokens {
            s += text[s..].chars().next().map_or(1, char::len_utf8);
        }
        // Look back a little for a longer suffix that still fits, unless the text from there
        // to where its pieces rejoin the whole text's is long (one long piece): each try
        // would merge all of it again. truncate_prefix skips its search alike.
        let mut d = if suffixes.rejoin_after(s) - lo <= EXHAUSTIVE_REGION { lo } else { s };
        while d < s {
            if text.is_char_boundary(d) && suffixes.count_from(self, d) <= max_tokens {
                s = d;
                break;
            }
            d += 1;
        }
        &text[s..]
    }
}

/// Counts of the suffixes `text[d..]`, each in time that grows with the distance from `d`
/// to the next piece start, not with the suffix.
///
/// The pre-tokenizer's patterns have no look-behind: the pieces from a position on depend
/// only on the text from there. So once the pieces of `text[d..]` reach a position where a
/// piece of the whole text starts, they are the whole text's pieces from there to the end,
/// whose tokens are summed once, here.
struct SuffixCounts<'t> {
    text: &'t str,
    /// Piece starts of the whole text, ascending.
    starts: Vec<usize>,
    /// Tokens from each of those starts to the end of the text.
    after: Vec<usize>,
}

impl<'t> SuffixCounts<'t> {
    fn new(enc: &Encoding, text: &'t str) -> SuffixCounts<'t> {
        let keys = cache::Keys::new(text.as_bytes());
        let (mut starts, mut before) = (Vec::new(), Vec::new());
        let total = enc.with_memo(|memo| {
            let mut total = 0;
            for (a, b) in enc.pre.pieces(text) {
                starts.push(a);
                before.push(total);
                // SAFETY: (a, b) is a piece `pieces` yielded for the text `keys` was made from.
                total += unsafe { bpe::count_piece(enc.vocab, &keys, (a, b), memo) };
            }
            total
        });
        let after = before.into_iter().map(|n| total - n).collect();
        SuffixCounts { text, starts, after }
    }

    /// The first piece start of the whole text after `d` (the text's end if none).
    fn rejoin_after(&self, d: usize) -> usize {
        let i = self.starts.partition_point(|&s| s <= d);
        self.starts.get(i).copied().unwrap_or(self.text.len())
    }

    /// `enc.count(&text[d..])`, for a character boundary `d`.
    fn count_from(&self, enc: &Encoding, d: usize) -> usize {
        let suffix = &self.text[d..];
        let keys = cache::Keys::new(suffix.as_bytes());
        enc.with_memo(|memo| {
            let mut n = 0;
            for (a, b) in enc.pre.pieces(suffix) {
                if let Ok(i) = self.starts.binary_search(&(d + a)) {
                    return n + self.after[i];
                }
                // SAFETY: (a, b) is a piece `pieces` yielded for the text `keys` was made from.
                n += unsafe { bpe::count_piece(enc.vocab, &keys, (a, b), memo) };
            }
            n
        })
    }
}

/// The position of the last non-whitespace character that follows a whitespace one (0 if
/// there is none).
fn last_space_to_word(text: &str) -> usize {
    let mut after = None;
    for (i, c) in text.char_indices().rev() {
        if c.is_whitespace() {
            if let Some(j) = after {
                return j;
            }
        } else {
            after = Some(i);
        }
    }
    0
}

fn fill(marker: &str, omitted: usize) -> String {
    marker.replace("{omitted}", &omitted.to_string())
}

#[cfg(all(test, feature = "embed-ranks"))]
mod tests {
    use super::*;
    use crate::tokenizer::{encoding, testing::random_texts, EncodingName};

    const ATOMS: &[&str] = &[
        "a",
        "aaaa",
        "Hello",
        " world",
        " ",
        "   ",
        "\n",
        "\n\n",
        "\t",
        "\r\n",
        "123",
        "4567",
        "'s",
        "'ll",
        "!",
        "...",
        "é",
        "中文",
        "😀",
        "\u{a0}",
        " 1",
        "--",
        "x_y",
        "<|endoftext|>",
    ];

    /// Truncating from the start merges about as much as counting the text does: 0.1
    /// recounted the kept suffix up to 64 times and more (one long piece: 66 counts' worth).
    #[test]
    fn truncating_from_the_start_merges_a_few_counts_worth() {
        let enc = encoding(EncodingName::Cl100kBase).unwrap();
        for text in ["a".repeat(200_000), "xyz".repeat(30_000), format!("{} tail", "b".repeat(50_000))] {
            let count = crate::tokenizer::bpe::work::of(|| {
                enc.count(&text);
            });
            let budget = enc.count(&text) * 9 / 10;
            let truncate = crate::tokenizer::bpe::work::of(|| {
                assert!(enc.truncate_with(&text, budget, Cut::Start, None).unwrap().tokens <= budget);
            });
            assert!(truncate <= 8 * count, "{}: bytes merged {truncate}, counting merges {count}", &text[..10]);
        }
    }

    /// Every suffix count equals counting the suffix: the pieces of a suffix rejoin the
    /// whole text's at their first common start.
    #[test]
    fn suffix_counts_equal_counting_each_suffix() {
        for name in [EncodingName::Cl100kBase, EncodingName::O200kBase, EncodingName::R50kBase] {
            let enc = encoding(name).unwrap();
            for text in random_texts(ATOMS, 0x51ff ^ name as u64, 300, 30, None) {
                let counts = SuffixCounts::new(enc, &text);
                for d in (0..=text.len()).filter(|&d| text.is_char_boundary(d)) {
                    assert_eq!(counts.count_from(enc, d), enc.count(&text[d..]), "{name:?} {text:?} from {d}");
                }
            }
        }
    }
}
