//! Where cl100k's and o200k's pieces start, 64 bytes at a time, as bit masks.
//!
//! Finding pieces one at a time costs a few data-dependent branches per piece (a word, a
//! space before a word, punctuation, ...), which mispredict whenever the kind of piece
//! changes. But on ASCII text almost every boundary follows from the classes of a few
//! neighbouring bytes, so the boundaries of a whole block come out of a few dozen bit
//! operations, and the next piece's end is a `trailing_zeros`.
//!
//! [`starts`] returns, for each byte of a block, whether a piece starts there, and which of
//! those answers it cannot vouch for ([`Starts::unsure`]): bytes next to non-ASCII
//! characters (which may be letters, digits or whitespace), contractions, digit runs and
//! whitespace runs whose extent leaves the block, and a few rare shapes. A piece whose
//! span touches an unsure byte is left to the per-piece scan. Every rule below is a fact
//! about the patterns, not about where the scan happens to be: a sure bit is right
//! whichever piece the caller is in. The tests check each sure bit against the scalar
//! scan, with and without the neighbouring blocks' context.
//!
//! Notation: for a class mask `x`, `x1` marks the bytes whose predecessor is in the class,
//! `x2` those two bytes after one (the previous block supplies the bits shifted in).

use super::blocks::Block;
use super::classes::{ascii_class, S};

/// Piece starts of one block.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Starts {
    /// Bit `k`: a piece starts at byte `k` (the positions past the end of the text too).
    pub at: u64,
    /// Bit `k`: bit `k` of `at` may be wrong.
    pub unsure: u64,
}

/// What precedes a block, as the masks whose top bits [`starts`] shifts in.
pub enum Left<'a> {
    /// The start of the text: behaves as a letter would (nothing continues across it, and
    /// a prefix character at the start takes the word after it).
    Start,
    /// The previous 64 bytes.
    Block(&'a Block),
    /// Not known: the first bytes are unsure.
    Unknown,
}

const START: Block = Block { letter: !0, upper: 0, digit: 0, space: 0, other: 0, nl: 0, sp: 0, ap: 0, end: 0 };
const UNKNOWN: Block = Block { letter: 0, upper: 0, digit: 0, space: 0, other: !0, nl: 0, sp: 0, ap: !0, end: 0 };

/// The piece starts of block `m`, the 64 bytes of `text` from `base`, under cl100k's
/// pattern, or o200k's if `o200k`.
#[inline(always)]
pub fn starts(m: &Block, left: Left, text: &[u8], base: usize, o200k: bool) -> Starts {
    let is_start = matches!(left, Left::Start);
    let left = match left {
        Left::Start => &START,
        Left::Block(b) => b,
        Left::Unknown => &UNKNOWN,
    };
    let x1 = |x: u64, l: u64| (x << 1) | (l >> 63);
    let x2 = |x: u64, l: u64| (x << 2) | (l >> 62);
    let (l, d, s, o, nl, sp, end) = (m.letter, m.digit, m.space, m.other, m.nl, m.sp, m.end);
    let p = m.punct();
    // Whitespace other than newlines.
    let t = s & !nl;
    let (lp, lt) = (left.punct(), left.space & !left.nl);
    let (l1, d1, o1) = (x1(l, left.letter), x1(d, left.digit), x1(o, left.other));
    let (nl1, sp1, p1, t1) = (x1(nl, left.nl), x1(sp, left.sp), x1(p, lp), x1(t, lt));
    let ws1 = t1 & !sp1;
    // The byte after the block, as bit 63 of masks of "the next byte is ...".
    let (next_s, next_o, next_end) = match text.get(base + 64) {
        None => (0, 0, 1u64 << 63),
        Some(&c) if c >= 0x80 => (0, 1u64 << 63, 0),
        Some(&c) => (((ascii_class(c) & S != 0) as u64) << 63, 0, 0),
    };

    // A letter starts a piece after a digit or a newline, and after punctuation that is
    // not a word's prefix: a prefix is one character, so punctuation after punctuation (a
    // run, ` ?[^\s\p{L}\p{N}]+`, is one piece) or after a space (which takes it) is not.
    // After a letter it continues the word; after a space or tab it is that prefix's word.
    let mut at = l & (d1 | nl1 | (p1 & (x2(p, lp) | x2(sp, left.sp))));
    if o200k {
        // Upper case after lower case: `[U]*[W]+|[U]+[W]*` ends the word before it.
        at |= m.upper & x1(l & !m.upper, left.letter & !left.upper);
    }
    // A digit after anything but a digit; punctuation after a word, a number, a tab or a
    // newline (a space takes it); a newline after a word or a number (whitespace and
    // punctuation take it); a space or tab after a word, a number or punctuation.
    at |= (d & !d1) | (p & (l1 | d1 | ws1 | nl1)) | (nl & (l1 | d1)) | (t & (l1 | d1 | p1)) | end;

    // `\p{N}{1,3}`: a digit run splits every three digits from its start.
    let dstart = d & !d1;
    let r3 = d & (d << 1) & (d << 2) & (d << 3);
    let r6 = r3 & (r3 << 3);
    let r9 = r6 & (r3 << 6);
    at |= ((dstart << 3) & r3) | ((dstart << 6) & r6) | ((dstart << 9) & r9);
    // Runs that go on from the previous block, or follow a non-ASCII character (which may
    // be a digit too), split at unknown places; so do runs longer than ten digits here.
    let dbad = (dstart & o1) | (d & 1 & d1);
    let mut unsure = (r9 & (d << 10)) | (d & !d.wrapping_add(dbad));

    // Whitespace runs. `\s+(?!\S)` leaves the last of two or more spaces or tabs before a
    // non-space to the next piece, which needs to know what follows the last one (a
    // non-ASCII character may be whitespace).
    let s_next = (s >> 1) | next_s;
    let end_next = (end >> 1) | next_end;
    at |= t & t1 & !s_next & !end_next;
    unsure |= t & t1 & (((o & !end) >> 1) | next_o);
    // After a run's last newline a piece starts (`\s*[\r\n]`), unless, in cl100k, the run
    // reaches the end of the text (`\s+$`). Newlines right after punctuation belong to it
    // (`[\r\n]*`), and a piece starts after them too.
    let attached_end = nl.wrapping_add(nl & p1) & !nl;
    at |= attached_end & t;
    // Ends of newline runs that a non-ASCII character or the previous block may have
    // taken: a piece starts after them either way, unless `\s+$` applies.
    let maybe_attached_end = (nl.wrapping_add(nl & (o1 | (1 & nl1))) & !nl) | (1 & t & nl1);
    let after_nl = t & nl1;
    let (sum, carry) = t.overflowing_add(after_nl);
    // Where each run of spaces and tabs after a newline stops.
    let landed = sum & !t;
    // Where the run that reaches the block's end stops, past it (as bit 63).
    let landed_next = if carry { next_s | next_o | next_end } else { 0 };
    if landed & (nl | (o & !end)) != 0 || landed_next & (next_s | next_o) != 0 {
        // Some stop at a newline (so their newline was not the last) or where the run
        // might go on: these are rare, and left to the scan.
        unsure |= after_nl & !attached_end;
    } else {
        let mut q = after_nl;
        if !o200k && (landed & end != 0 || landed_next != 0) {
            // The last run reaches the end of the text: `\s+$` takes the whole run, from
            // before its newlines.
            let last = 0x8000_0000_0000_0000u64.wrapping_shr(after_nl.leading_zeros()) & !attached_end;
            q &= !last;
            unsure |= last & maybe_attached_end;
        }
        at |= q;
    }

    // Next to non-ASCII characters, anything goes; a letter after punctuation depends on
    // the byte before that.
    unsure |= ((o | o1) & !end) | (l & p1 & x2(o, left.other));
    // Contractions (`'s`, `'ll`, ...) are pieces of their own in cl100k, where a piece
    // starts at the apostrophe, and end a word in o200k.
    unsure |= (left.ap >> 63) | (left.ap >> 62) | (left.ap >> 61);
    let mut aps = m.ap;
    // Where the last contraction ended (a contraction right after it does not apply in
    // o200k: no word precedes it).
    let mut contraction_end = u64::MAX;
    // In o200k, up to where that is unknown (after the previous block's last apostrophes).
    let mut unknown_until = if left.ap >> 61 != 0 { 3 } else { 0 };
    while aps != 0 {
        let j = aps.trailing_zeros();
        aps &= aps - 1;
        let q = base + j as usize;
        let byte = |k: usize| text.get(q + k).map_or(0, |b| b.to_ascii_lowercase());
        let n = match (byte(1), byte(2)) {
            (b's' | b'd' | b'm' | b't', _) => 2,
            (b'l', b'l') | (b'v' | b'r', b'e') => 3,
            // Perhaps `ſ`, which folds to `s`.
            (c, _) if c >= 0x80 => 4,
            _ => 0,
        };
        let before = |mask: u64| mask >> j & 1 == 1;
        // Where a contraction applies: in cl100k, where a piece starts at the apostrophe
        // (not in a punctuation run, nor after a space, which takes it); in o200k, after
        // a word.
        let applies = if o200k {
            before(l1) && !(is_start && j == 0) && contraction_end != j as u64
        } else {
            before(l1 | d1 | ws1 | nl1)
        };
        if n == 4 || before(o1) || (o200k && j < unknown_until) {
            // Before or after a non-ASCII character, which may be a letter (in o200k, even
            // whether the word before ends at the apostrophe is then unknown, and so is
            // whether the next apostrophe follows a contraction).
            unsure |= (0b1110 | o200k as u64) << j;
            unknown_until = j + 4;
        } else if n > 0 && applies {
            // The piece (cl100k) or the word (o200k) ends after the contraction.
            let body = ((1u64 << (n - 1)) - 1) << j << 1;
            at = (at & !body) | ((1u64 << j) << n);
            if o200k {
                at &= !(1u64 << j);
            }
            contraction_end = (j + n) as u64;
        }
    }
    if o200k {
        // `[\r\n/]*` after punctuation goes on through a slash after its newlines, and
        // what follows such a slash depends on it: the punctuation run from a slash after
        // newlines that punctuation (or a non-ASCII character, which may be punctuation)
        // took, and the byte after that run, are left to the scan (the previous block's
        // newlines count as taken, and a run that goes on from it, or ends at its end,
        // might follow some).
        let taken = nl & !nl.wrapping_add(nl & (p1 | o1 | (1 & nl1)));
        let after_p = 1 & (p1 | o1);
        let mut slash = 0;
        let mut cand = p & x1(taken, left.nl);
        while cand != 0 {
            let j = cand.trailing_zeros();
            cand &= cand - 1;
            slash |= ((text[base + j as usize] == b'/') as u64) << j;
        }
        let run = p.wrapping_add(slash | (p & after_p));
        unsure |= (p ^ run) | after_p;
    }
    if is_start {
        // The text's first byte starts its first piece.
        at |= 1;
        unsure &= !1;
    }
    Starts { at, unsure }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tokenizer::pretokenize::{reference_starts, Family};

    /// Random texts, mostly ASCII prose, code and whitespace shapes, with non-ASCII
    /// letters, digits, punctuation and whitespace mixed in; several blocks long.
    fn texts() -> Vec<String> {
        // ASCII atoms first: a third of the texts draw from those alone.
        const ASCII: usize = 47;
        const ATOMS: &[&str] = &[
            "a",
            "Z",
            "word",
            " word",
            "Word",
            "WORD",
            "camelCase",
            "x",
            "  ",
            " ",
            "\t",
            "\n",
            "\r\n",
            "\n\n",
            "    ",
            "\n    ",
            "  \n",
            " \t ",
            "\u{b}",
            "\u{c}",
            "1",
            "42",
            "12345",
            "1234567890123",
            "'",
            "'s",
            "'LL",
            "'ve",
            "'re",
            "'d",
            "'x",
            ".",
            ",",
            "(",
            ")",
            "((",
            "/",
            "//",
            ".\n",
            ";\n",
            ".\n/",
            "\n/",
            "/\n",
            "\"",
            "\u{7f}",
            "\u{1}",
            "\u{1c}",
            "'ſ",
            "é",
            "É",
            "中文",
            "²",
            "٣",
            "\u{a0}",
            "\u{2028}",
            "\u{3000}",
            "\u{85}",
            "—",
            "“",
            "”",
            "«",
            "\u{301}",
            "ǅ",
            "ʰ",
            "😀",
        ];
        assert!(ATOMS[..ASCII].iter().all(|a| a.is_ascii()) && !ATOMS[ASCII].is_ascii());
        crate::tokenizer::testing::random_texts(ATOMS, 0xfeed, 4000, 90, Some((3, ASCII)))
    }

    /// Every bit `starts` is sure of is what the scalar scan does, with each kind of left
    /// context; and sure bits answer most pieces of ASCII text.
    #[test]
    fn sure_bits_are_facts() {
        let (mut sure, mut total) = (0usize, 0usize);
        for (family, o200k) in [(Family::Cl100k, false), (Family::O200k, true)] {
            for text in texts() {
                let b = text.as_bytes();
                let truth = reference_starts(family, &text);
                let mut is_start = vec![false; b.len() + 1];
                truth.iter().for_each(|&s| is_start[s] = true);
                let mut prev: Option<Block> = None;
                for base in (0..b.len().max(1)).step_by(64) {
                    let m = Block::of(b, base);
                    let lefts =
                        [if base == 0 { Left::Start } else { Left::Block(prev.as_ref().unwrap()) }, Left::Unknown];
                    for (which, left) in lefts.into_iter().enumerate() {
                        let st = starts(&m, left, b, base, o200k);
                        for k in 0..64 {
                            let pos = base + k;
                            if pos > b.len() || st.unsure >> k & 1 == 1 {
                                continue;
                            }
                            assert_eq!(
                                st.at >> k & 1 == 1,
                                is_start[pos],
                                "{family:?} (left context {which}): byte {pos} of {text:?} ({:?})",
                                &text.get(pos.saturating_sub(3)..(pos + 3).min(b.len()))
                            );
                        }
                        if which == 0 {
                            // Pieces from a true start in this block that the masks settle.
                            for &a in truth.iter().filter(|&&a| a >= base && a < base + 64 && a < b.len()) {
                                total += 1;
                                let k = a - base;
                                let after = st.at & (u64::MAX << k << 1);
                                let span = (after ^ after.wrapping_sub(1)) & (u64::MAX << k << 1);
                                sure += (after != 0 && st.unsure & span == 0) as usize;
                            }
                        }
                    }
                    prev = Some(m);
                }
            }
        }
        assert!(sure * 2 > total, "the masks settled only {sure} of {total} pieces");
    }
}
