//! The longest prefix of a text that fits a token budget.
//!
//! A prefix is not tokenized like the same bytes inside the whole text: a piece cut in two
//! merges differently, a character split between tokens cannot be cut, and a trailing
//! whitespace run pre-tokenizes differently at the end of the text (`\s++$`). So the cut
//! is found on the full text's tokens, then checked by counting the prefix itself.
//!
//! Only the pieces from `r` on can tokenize differently in a prefix, where `r` is the start
//! of the overflowing piece, moved back over whitespace-only pieces just before it (the
//! look-around alternatives only ever see whitespace). Pieces before `r` keep their counts,
//! so `count(text[..c]) = base + count(text[r..c])` for every `c >= r`, and each check
//! costs a few pieces, not the whole prefix.

use super::{bpe, cache, Encoding};

/// Above this many bytes in the re-tokenized region, skip the exhaustive search for a
/// longer prefix past the token-boundary candidate (it would be quadratic).
pub(super) const EXHAUSTIVE_REGION: usize = 4096;
/// How far past the candidate cut to look for a longer prefix (or, for a suffix, before it)
/// that still fits.
pub(super) const LOOK_AHEAD: usize = 64;

pub fn truncate_prefix<'t>(enc: &Encoding, text: &'t str, max_tokens: usize) -> &'t str {
    let bytes = text.as_bytes();
    // The memo is taken once for the walk, not once per piece.
    let overflow = enc.with_memo(|memo| {
        let mut pieces = enc.pre.pieces(text);
        let keys = cache::Keys::new(bytes);
        let mut total = 0usize;
        // Start and count-before of the run of whitespace-only pieces ending at the current piece.
        let mut ws_run: Option<(usize, usize)> = None;
        loop {
            let (a, b) = pieces.next()?;
            // SAFETY: (a, b) is a piece `pieces` yielded for the text `keys` was made from.
            let n = unsafe { bpe::count_piece(enc.vocab, &keys, (a, b), memo) };
            if total + n > max_tokens {
                let (r, base) = ws_run.unwrap_or((a, total));
                let region_end = pieces.next().map_or(b, |(_, e)| e);
                return Some((r, base, region_end));
            }
            if text[a..b].chars().all(char::is_whitespace) {
                ws_run.get_or_insert((a, total));
            } else {
                ws_run = None;
            }
            total += n;
        }
    });
    let Some((r, base, region_end)) = overflow else {
        return text;
    };
    let budget = max_tokens - base;
    let region = &text[r..region_end];
    let fits = |c: usize| enc.count(&text[r..c]) <= budget;

    // Candidate: where the region's own tokens reach the budget, floored to a char boundary.
    let mut ends = Vec::new();
    enc.each_token(region, |_, e| {
        ends.push(e);
        ends.len() <= budget
    });
    let mut c = if ends.len() <= budget {
        region_end
    } else if budget == 0 {
        r
    } else {
        r + ends[budget - 1]
    };
    c = text.floor_char_boundary(c);
    while c > r && !fits(c) {
        c = text.floor_char_boundary(c - 1);
    }
    if region.len() <= EXHAUSTIVE_REGION {
        let hi = (c + LOOK_AHEAD).min(region_end);
        let mut d = hi;
        while d > c {
            if text.is_char_boundary(d) && fits(d) {
                c = d;
                break;
            }
            d -= 1;
        }
    }
    &text[..c]
}
