//! Splitting text into pre-token pieces, exactly as tiktoken's regexes do, without a regex.
//!
//! tiktoken runs one backtracking regex per encoding family. Each alternative of those
//! patterns is a simple scan over character classes, so this module walks the text once,
//! trying the alternatives in the patterns' order and resolving the two places where the
//! regexes backtrack (o200k's `[U]*[W]+` and the look-ahead in `\s+(?!\S)`) directly. The
//! character classes come from the same Unicode tables as tiktoken's regex engine (see
//! `build.rs`). The differential tests against tiktoken-rs hold every rule to its regex.
//!
//! The patterns, for reference (tiktoken's, possessive quantifiers dropped where they change
//! nothing):
//! - GPT-2 (`r50k_base`, `p50k_*`): `'(?:[sdmt]|ll|ve|re)| ?\p{L}+| ?\p{N}+|
//!   ?[^\s\p{L}\p{N}]+|\s+$|\s+(?!\S)|\s`
//! - `cl100k_base`: `'(?i:[sdmt]|ll|ve|re)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}{1,3}|
//!   ?[^\s\p{L}\p{N}]+[\r\n]*|\s+$|\s*[\r\n]|\s+(?!\S)|\s`
//! - `o200k_*`: `[^\r\n\p{L}\p{N}]?[U]*[W]+C?|[^\r\n\p{L}\p{N}]?[U]+[W]*C?|\p{N}{1,3}|
//!   ?[^\s\p{L}\p{N}]+[\r\n/]*|\s*[\r\n]+|\s+(?!\S)|\s+` with `U = [\p{Lu}\p{Lt}\p{Lm}\p{Lo}\p{M}]`,
//!   `W = [\p{Ll}\p{Lm}\p{Lo}\p{M}]`, `C = (?i:'s|'t|'re|'ve|'m|'ll|'d)`.

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

use super::blocks::Block;
use super::classes::{ascii_class, class_of, decode, tables, L, N, PREFIX, S, U, W};
use super::starts::{starts, Left, Starts};

/// Where the last `\r` or `\n` of a whitespace run ends. Runs are a few bytes long (an
/// indentation at most), too short for `memrchr2`'s vector set-up to pay off.
#[inline(always)]
fn after_last_newline(run: &[u8]) -> Option<usize> {
    run.iter().rposition(|&x| x == b'\r' || x == b'\n').map(|k| k + 1)
}

/// The pre-tokenizer of one pattern family (stateless: the tables are static).
#[derive(Clone, Copy)]
pub struct Pretokenizer {
    family: Family,
}

impl Pretokenizer {
    pub fn new(family: Family) -> Pretokenizer {
        Pretokenizer { family }
    }

    /// The byte ranges of the pieces of `text`, in order; they tile `text` exactly.
    pub fn pieces<'t>(&self, text: &'t str) -> Pieces<'t> {
        Pieces {
            scan: Scan { b: text.as_bytes() },
            family: self.family,
            at: 0,
            block_at: usize::MAX,
            block: Block::default(),
            starts: Starts::default(),
            #[cfg(test)]
            loads: 0,
        }
    }
}

/// Whether every family's pattern ends a piece at byte `q` of `text`, so that the pieces
/// from `q` on depend on `text[q..]` alone: a letter ends at `q` and a space or newline
/// follows. A run of letters (and a contraction) ends at the first character that is not a
/// letter, and a space or newline neither continues a word nor starts a contraction.
#[cfg_attr(target_family = "wasm", allow(dead_code))]
pub fn is_split_point(text: &[u8], q: usize) -> bool {
    if q == 0 || q >= text.len() || !matches!(text[q], b' ' | b'\n') {
        return false;
    }
    let mut s = q - 1;
    while s > 0 && text[s] & 0xC0 == 0x80 {
        s -= 1;
    }
    Scan { b: text }.at(s).0 & L != 0
}

/// The start of every piece of `text` by the scalar scan alone, and the text's length.
#[cfg(test)]
pub(super) fn reference_starts(family: Family, text: &str) -> Vec<usize> {
    let scan = Scan { b: text.as_bytes() };
    let mut out = vec![0];
    let mut at = 0;
    while at < text.len() {
        at = scan.slow(at, family);
        out.push(at);
    }
    out
}

/// Iterator over `(start, end)` byte ranges of pieces.
///
/// Each piece is first looked up in the piece starts of its 64-byte block ([`starts`]),
/// which settle most pieces of ASCII text with no branch on what kind of piece it is;
/// then tried on the block's class masks ([`Block`]), which settle the common pieces
/// without a branch per byte; whatever touches a non-ASCII character there goes to the
/// scalar scan ([`Scan`]), which implements the patterns in full. Debug builds check every
/// fast answer against the scalar scan.
pub struct Pieces<'t> {
    scan: Scan<'t>,
    family: Family,
    at: usize,
    /// Start of the 64 bytes `block` describes (`usize::MAX` before the first).
    block_at: usize,
    block: Block,
    /// The piece starts of `block` (cl100k and o200k only).
    starts: Starts,
    /// Blocks classified so far: the tests' measure of the work done.
    #[cfg(test)]
    loads: usize,
}

impl Iterator for Pieces<'_> {
    type Item = (usize, usize);

    #[inline]
    fn next(&mut self) -> Option<(usize, usize)> {
        self.next_outlined()
    }
}

impl Pieces<'_> {
    /// The next piece, inlined into the caller: for `Encoding::count`'s loop only, the
    /// hottest loop, where the scan's state then stays in registers across pieces. Every
    /// other caller shares one outlined copy
    /// ([`Iterator::next`]), which keeps the wasm download small.
    #[inline(always)]
    pub fn next_inline(&mut self) -> Option<(usize, usize)> {
        let at = self.at;
        if at >= self.scan.b.len() {
            return None;
        }
        let family = self.family;
        let end = if family == Family::Gpt2 {
            self.scan.slow(at, family)
        } else {
            // One call site here (the family is a well-predicted branch inside it): one
            // copy of the fast path per copy of this function, for the wasm download.
            match self.settled(at).or_else(|| self.fast(at, family)) {
                Some(e) => {
                    debug_assert_eq!(e, self.scan.slow(at, family), "fast {family:?} piece at {at}");
                    e
                }
                None => self.scan.slow(at, family),
            }
        };
        debug_assert!(end > at);
        self.at = end;
        Some((at, end))
    }

    #[inline(never)]
    fn next_outlined(&mut self) -> Option<(usize, usize)> {
        self.next_inline()
    }

    /// The masks of the 64 bytes from `base` (a multiple of 64).
    #[inline(always)]
    fn block(&mut self, base: usize) -> Block {
        if base != self.block_at {
            self.load(base);
        }
        self.block
    }

    /// Classifies the 64 bytes from `base`, and finds their piece starts: with the
    /// previous block as context when the scan comes from there (it nearly always does).
    #[inline(never)]
    fn load(&mut self, base: usize) {
        #[cfg(test)]
        {
            self.loads += 1;
        }
        let b = self.scan.b;
        let m = Block::of(b, base);
        if self.family != Family::Gpt2 {
            let left = if base == 0 {
                Left::Start
            } else if self.block_at.wrapping_add(64) == base {
                Left::Block(&self.block)
            } else {
                Left::Unknown
            };
            self.starts = starts(&m, left, b, base, self.family == Family::O200k);
        }
        self.block = m;
        self.block_at = base;
    }

    /// The end of the piece at `at` if the piece starts vouch for it: every bit from `at`
    /// to the next start is sure, in its block or the next.
    #[inline(always)]
    fn settled(&mut self, at: usize) -> Option<usize> {
        let base = at & !63;
        self.block(base);
        let later = u64::MAX << (at - base) << 1;
        let next = self.starts.at & later;
        if next != 0 {
            // Bits from after `at` up to and including the next start.
            let span = (next ^ (next - 1)) & later;
            return (self.starts.unsure & span == 0).then(|| base + next.trailing_zeros() as usize);
        }
        self.settled_in_next(base, later)
    }

    /// [`Pieces::settled`] for a piece that goes on past its block (`later` are its bits there).
    #[inline(never)]
    fn settled_in_next(&mut self, base: usize, later: u64) -> Option<usize> {
        if self.starts.unsure & later != 0 {
            return None;
        }
        let next_base = base + 64;
        if next_base >= self.scan.b.len() {
            // The block ends the text, and the piece with it.
            return Some(self.scan.b.len());
        }
        self.block(next_base);
        let next = self.starts.at;
        let span = next ^ next.wrapping_sub(1);
        (next != 0 && self.starts.unsure & span == 0).then(|| next_base + next.trailing_zeros() as usize)
    }

    /// The end of the run from `i` of the bytes that `class` marks in a block's masks. Runs
    /// stop at the end of the text (it is marked `other`).
    #[inline(always)]
    fn run_end(&mut self, mut i: usize, class: impl Fn(&Block) -> u64) -> usize {
        loop {
            let base = i & !63;
            let rest = !class(&self.block(base)) >> (i - base);
            if rest != 0 {
                return i + rest.trailing_zeros() as usize;
            }
            i = base + 64;
        }
    }

    /// Whether a run that ends at `e` stopped on a non-ASCII character, which might have
    /// continued it: then only the scalar scan can tell.
    #[inline(always)]
    fn stops_on_unicode(&self, e: usize) -> bool {
        self.scan.b.get(e).is_some_and(|&b| b >= 0x80)
    }

    /// `run_end`, or `None` if the run stopped on a non-ASCII character.
    #[inline(always)]
    fn ascii_run(&mut self, i: usize, class: impl Fn(&Block) -> u64) -> Option<usize> {
        let e = self.run_end(i, class);
        (!self.stops_on_unicode(e)).then_some(e)
    }

    /// `\p{N}{1,3}` from the ASCII digit at `at`. It looks at the next two bytes only, not
    /// to the end of the run: a run of digits is a piece every three, and a scan to its end
    /// from each of them would make a long run quadratic.
    #[inline(always)]
    fn ascii_digits3(&mut self, at: usize) -> Option<usize> {
        let b = self.scan.b;
        let digit = |i: usize| b.get(i).is_some_and(u8::is_ascii_digit);
        let e = if !digit(at + 1) {
            at + 1
        } else if !digit(at + 2) {
            at + 2
        } else {
            return Some(at + 3);
        };
        (!self.stops_on_unicode(e)).then_some(e)
    }

    /// `PUNCT+` from `j` followed by the bytes `trailing` accepts, if `j` is ASCII
    /// punctuation.
    #[inline(always)]
    fn ascii_punctuation(&mut self, j: usize, trailing: impl Fn(u8) -> bool) -> Option<Option<usize>> {
        let b = self.scan.b;
        let &c = b.get(j)?;
        if c >= 0x80 || ascii_class(c) & (S | L | N) != 0 {
            return None;
        }
        let Some(mut e) = self.ascii_run(j, |k| k.punct()) else {
            return Some(None);
        };
        while e < b.len() && trailing(b[e]) {
            e += 1;
        }
        Some(Some(e))
    }

    /// The whitespace run from `at`, which is all ASCII, and where its last newline ends.
    /// (The look-around rules applied to it below repeat `Scan::whitespace`'s on purpose:
    /// code is full of indentation runs, and this path is the shorter for them.)
    #[inline(always)]
    fn ascii_whitespace(&mut self, at: usize) -> Option<(usize, Option<usize>)> {
        let e = self.ascii_run(at, |k| k.space)?;
        let nl = after_last_newline(&self.scan.b[at..e]).map(|k| at + k);
        Some((e, nl))
    }

    /// The piece at `at` under `family`'s pattern ([`Scan::cl100k`] or [`Scan::o200k`]) if
    /// ASCII alone settles it, else `None`.
    #[inline(always)]
    fn fast(&mut self, at: usize, family: Family) -> Option<usize> {
        let o200k = family == Family::O200k;
        let b = self.scan.b;
        let c = b[at];
        if c >= 0x80 {
            return None;
        }
        let cls = ascii_class(c);
        if cls & L != 0 {
            return self.ascii_word(at, o200k);
        }
        if cls & PREFIX != 0 {
            // A space or punctuation: a word follows (the commonest piece), or not.
            if let Some(word) = self.after_prefix(at, o200k) {
                return word;
            }
        } else if cls & N != 0 {
            return self.ascii_digits3(at);
        } else if c == b'\'' {
            // cl100k's contractions are pieces of their own; o200k's only end a word.
            if !o200k {
                let n = self.scan.contraction(at, true);
                if n > 0 {
                    return Some(at + n);
                }
            }
            if let Some(word) = self.after_prefix(at, o200k) {
                return word;
            }
        }
        // ` ?[^\s\p{L}\p{N}]+` then `[\r\n]*` (cl100k) or `[\r\n/]*` (o200k).
        let j = if c == b' ' { at + 1 } else { at };
        if let Some(e) = self.ascii_punctuation(j, |x| x == b'\r' || x == b'\n' || (o200k && x == b'/')) {
            return e;
        }
        if cls & S == 0 {
            return None;
        }
        // cl100k: `\s+$|\s*[\r\n]|\s+(?!\S)|\s`; o200k: `\s*[\r\n]+|\s+(?!\S)|\s+`.
        let (e, nl) = self.ascii_whitespace(at)?;
        let at_end = e == b.len();
        Some(match nl {
            _ if at_end && !o200k => e,
            Some(nl) => nl,
            None if at_end || e - at < 2 => e,
            None => e - 1,
        })
    }

    /// The word after the one-character prefix at `at` (the optional `[^\r\n\p{L}\p{N}]`):
    /// `Some(Some(end))`, `Some(None)` if only the scalar scan can tell, `None` if no
    /// word follows.
    #[inline(always)]
    fn after_prefix(&mut self, at: usize, o200k: bool) -> Option<Option<usize>> {
        match self.scan.b.get(at + 1) {
            Some(&n) if n >= 0x80 => Some(None),
            Some(&n) if ascii_class(n) & L != 0 => Some(self.ascii_word(at + 1, o200k)),
            _ => None,
        }
    }

    /// A word from the ASCII letter at `j`: cl100k's `\p{L}+`, or o200k's
    /// `[U]*[W]+C?|[U]+[W]*C?`, which in ASCII is upper case then lower case (no ASCII letter
    /// is in both classes, so there is nothing to backtrack).
    #[inline(always)]
    fn ascii_word(&mut self, j: usize, o200k: bool) -> Option<usize> {
        if !o200k {
            return self.word_run(j, |k| k.letter);
        }
        // Upper case then lower case ends at a non-letter or where an upper-case letter
        // follows a lower-case one: one mask for both runs, within the block of `j`.
        let base = j & !63;
        let m = self.block(base);
        let camel = m.upper & ((m.letter & !m.upper) << 1);
        // Bit 0 is `j` itself, a letter, which starts the word whatever precedes it.
        let stops = ((!m.letter | camel) >> (j - base)) & !1;
        let e = if stops != 0 {
            let e = j + stops.trailing_zeros() as usize;
            if self.stops_on_unicode(e) && self.scan.may_continue_word(e) {
                return None;
            }
            e
        } else {
            // The word goes on into the next block: the two runs one after the other.
            let k = self.word_run(j, |m| m.upper)?;
            self.word_run(k, |m| m.letter & !m.upper)?
        };
        Some(e + self.scan.contraction(e, true))
    }

    /// `run_end` over ASCII letters, or `None` if the run stopped on a non-ASCII character
    /// that may continue a word. Most that stop one do not (curly quotes and dashes after
    /// a word are common in prose), and those the word simply ends at.
    #[inline(always)]
    fn word_run(&mut self, i: usize, class: impl Fn(&Block) -> u64) -> Option<usize> {
        let e = self.run_end(i, class);
        (!self.stops_on_unicode(e) || !self.scan.may_continue_word(e)).then_some(e)
    }
}

struct Scan<'t> {
    b: &'t [u8],
}

impl Scan<'_> {
    /// Whether the (non-ASCII) character at `i` is in a class that continues a word in any
    /// family: a letter or a mark (`\p{L}`, or o200k's `U` and `W`, which add `\p{M}`).
    #[inline(never)]
    fn may_continue_word(&self, i: usize) -> bool {
        self.at(i).0 & (L | U | W) != 0
    }

    /// The piece at `at` by the scalar scan of `family`.
    #[inline(never)]
    fn slow(&self, at: usize, family: Family) -> usize {
        match family {
            Family::Gpt2 => self.gpt2(at),
            Family::Cl100k => self.cl100k(at),
            Family::O200k => self.o200k(at),
        }
    }

    /// Class bits and byte length of the character at `i`.
    #[inline(always)]
    fn at(&self, i: usize) -> (u8, usize) {
        let b0 = self.b[i];
        if b0 < 0x80 {
            return (tables::ASCII[b0 as usize], 1);
        }
        let (c, len) = decode(self.b, i);
        (class_of(c), len)
    }

    /// The class bits at `i`, or 0 at the end of the text.
    #[inline(always)]
    fn class(&self, i: usize) -> u8 {
        if i < self.b.len() {
            self.at(i).0
        } else {
            0
        }
    }

    /// The end of the run of characters from `i` whose class bits satisfy `keep`.
    #[inline(always)]
    fn run_while(&self, mut i: usize, keep: impl Fn(u8) -> bool) -> usize {
        let b = self.b;
        while i < b.len() {
            // ASCII first, in its own tight loop: most text is, and a byte table beats
            // decoding.
            let b0 = b[i];
            if b0 < 0x80 {
                if !keep(tables::ASCII[b0 as usize]) {
                    break;
                }
                i += 1;
                continue;
            }
            let (c, len) = self.at(i);
            if !keep(c) {
                break;
            }
            i += len;
        }
        i
    }

    /// The end of the run of characters from `i` whose class intersects `mask`.
    #[inline(always)]
    fn run(&self, i: usize, mask: u8) -> usize {
        self.run_while(i, |c| c & mask != 0)
    }

    /// ` ?[^\s\p{L}\p{N}]+` at `at` followed by a run of bytes `trailing` accepts (the
    /// cl100k and o200k punctuation alternatives), or `None` if it does not match there.
    #[inline(always)]
    fn punctuation(&self, at: usize, trailing: impl Fn(u8) -> bool) -> Option<usize> {
        let j = if self.b[at] == b' ' { at + 1 } else { at };
        if j >= self.b.len() || self.at(j).0 & (S | L | N) != 0 {
            return None;
        }
        let mut e = self.run_while(j, |c| c & (S | L | N) == 0);
        while e < self.b.len() && trailing(self.b[e]) {
            e += 1;
        }
        Some(e)
    }

    /// Length of a contraction after the apostrophe at `i` (`'s`, `'ll`, ...), 0 if none.
    /// `ci` makes it case-insensitive with Unicode simple case folding (`ſ` folds to `s`).
    #[inline]
    fn contraction(&self, i: usize, ci: bool) -> usize {
        let b = self.b;
        let get = |k: usize| b.get(i + k).copied().unwrap_or(0);
        let lower = |x: u8| if ci { x.to_ascii_lowercase() } else { x };
        if get(0) != b'\'' {
            return 0;
        }
        let (c1, c2) = (lower(get(1)), lower(get(2)));
        match c1 {
            b's' | b'd' | b'm' | b't' => 2,
            b'l' if c2 == b'l' => 3,
            b'v' if c2 == b'e' => 3,
            b'r' if c2 == b'e' => 3,
            // U+017F LATIN SMALL LETTER LONG S folds to 's'.
            0xC5 if ci && get(2) == 0xBF => 3,
            _ => 0,
        }
    }

    /// Where a whitespace piece starting at `i` ends, per family's look-around rules.
    #[inline]
    fn whitespace(&self, i: usize, family: Family) -> usize {
        let b = self.b;
        let end = self.run(i, S);
        let last_newline = || after_last_newline(&b[i..end]).map(|k| i + k);
        let minus_last = || {
            let mut last = end - 1;
            while b[last] & 0xC0 == 0x80 {
                last -= 1;
            }
            if last > i {
                last
            } else {
                end
            }
        };
        match family {
            Family::Gpt2 => {
                if end == b.len() {
                    end
                } else {
                    minus_last()
                }
            }
            Family::Cl100k => {
                if end == b.len() {
                    end
                } else if let Some(nl) = last_newline() {
                    nl
                } else {
                    minus_last()
                }
            }
            Family::O200k => {
                if let Some(nl) = last_newline() {
                    nl
                } else if end == b.len() {
                    end
                } else {
                    minus_last()
                }
            }
        }
    }

    fn gpt2(&self, at: usize) -> usize {
        let c = self.contraction(at, false);
        if c > 0 {
            return at + c;
        }
        let j = if self.b[at] == b' ' { at + 1 } else { at };
        if j < self.b.len() {
            let (cls, _) = self.at(j);
            if cls & L != 0 {
                return self.run(j, L);
            }
            if cls & N != 0 {
                return self.run(j, N);
            }
            if cls & (S | L | N) == 0 {
                return self.run_while(j, |c| c & (S | L | N) == 0);
            }
        }
        self.whitespace(at, Family::Gpt2)
    }

    fn cl100k(&self, at: usize) -> usize {
        let c = self.contraction(at, true);
        if c > 0 {
            return at + c;
        }
        let b0 = self.b[at];
        let (cls, len) = self.at(at);
        if cls & L != 0 {
            return self.run(at, L);
        }
        if b0 != b'\r' && b0 != b'\n' && cls & N == 0 && self.class(at + len) & L != 0 {
            return self.run(at + len, L);
        }
        if cls & N != 0 {
            return self.digits3(at + len);
        }
        if let Some(e) = self.punctuation(at, |b| b == b'\r' || b == b'\n') {
            return e;
        }
        self.whitespace(at, Family::Cl100k)
    }

    /// The end of `\p{N}{1,3}` whose first digit ends at `e`.
    #[inline]
    fn digits3(&self, mut e: usize) -> usize {
        for _ in 0..2 {
            if e < self.b.len() {
                let (c, len) = self.at(e);
                if c & N != 0 {
                    e += len;
                    continue;
                }
            }
            break;
        }
        e
    }

    /// `[U]*[W]+C?` from `j`.
    #[inline]
    fn o200k_lower(&self, j: usize) -> Option<usize> {
        let k = self.run(j, U);
        let e = if self.class(k) & W != 0 {
            self.run(k, W)
        } else {
            // Backtrack `[U]*` to the last character of its run that is also in W.
            let mut i = j;
            let mut end = None;
            while i < k {
                let (c, len) = self.at(i);
                if c & W != 0 {
                    end = Some(i + len);
                }
                i += len;
            }
            end?
        };
        Some(e + self.contraction(e, true))
    }

    /// `[U]+[W]*C?` from `j`.
    #[inline]
    fn o200k_upper(&self, j: usize) -> Option<usize> {
        let k = self.run(j, U);
        if k == j {
            return None;
        }
        let e = self.run(k, W);
        Some(e + self.contraction(e, true))
    }

    fn o200k(&self, at: usize) -> usize {
        let b0 = self.b[at];
        let (cls, len) = self.at(at);
        let prefix = b0 != b'\r' && b0 != b'\n' && cls & (L | N) == 0;
        if prefix {
            if let Some(e) = self.o200k_lower(at + len) {
                return e;
            }
        }
        if cls & (U | W) != 0 {
            if let Some(e) = self.o200k_lower(at) {
                return e;
            }
        }
        if prefix {
            if let Some(e) = self.o200k_upper(at + len) {
                return e;
            }
        }
        if cls & U != 0 {
            if let Some(e) = self.o200k_upper(at) {
                return e;
            }
        }
        if cls & N != 0 {
            return self.digits3(at + len);
        }
        if let Some(e) = self.punctuation(at, |b| matches!(b, b'\r' | b'\n' | b'/')) {
            return e;
        }
        self.whitespace(at, Family::O200k)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Random text from an alphabet that exercises every ASCII rule and every way back to
    /// the scalar scan (non-ASCII letters, digits, punctuation and whitespace), with runs
    /// long enough to cross 64-byte blocks.
    fn texts() -> Vec<String> {
        const ATOMS: &[&str] = &[
            "a",
            "Z",
            "word",
            "Word",
            "WORD",
            "abcdefghijklmnopqrstuvwxyzabcdefghijklmnopqrstuvwxyzabcdefghijklm",
            " ",
            "  ",
            "\t",
            "\n",
            "\r\n",
            "\n\n",
            "          ",
            "1",
            "42",
            "12345",
            "'",
            "'s",
            "'LL",
            "'ve",
            "'ſ",
            ".",
            ",",
            "(",
            "((",
            "/",
            "//",
            "\u{7f}",
            "\u{1}",
            "\u{1c}",
            "é",
            "É",
            "中文",
            "²",
            "٣",
            "\u{a0}",
            "\u{2028}",
            "\u{3000}",
            "—",
            "«",
            "\u{301}",
            "ǅ",
            "ʰ",
            "😀",
        ];
        crate::tokenizer::testing::random_texts(ATOMS, 0x5eed, 3000, 40, None)
    }

    /// The pieces the iterator finds (through the piece starts, the fast path or the
    /// scalar scan) are the scalar scan's, on mixed texts and on long ASCII ones whose
    /// pieces cross blocks (release builds skip the `debug_assert` in `next`).
    #[test]
    fn pieces_are_the_scalar_scans() {
        const ASCII: &[&str] = &[
            " the",
            " word",
            "Word",
            "camelCase",
            ",",
            ".",
            "'s",
            "'t",
            "'ll",
            " '",
            "\n",
            "\n\n",
            "    ",
            "  ",
            "\t",
            "\r\n",
            "1",
            "2024",
            "123456789",
            "(",
            ");\n",
            ".\n/",
            "//",
            " =",
            " {\n",
            "}\n",
        ];
        let long = crate::tokenizer::testing::random_texts(ASCII, 0xa5c11, 2000, 120, None);
        for family in [Family::Cl100k, Family::O200k] {
            for text in texts().iter().chain(&long) {
                let want = reference_starts(family, text);
                let got: Vec<usize> =
                    std::iter::once(0).chain(Pretokenizer::new(family).pieces(text).map(|(_, e)| e)).collect();
                assert_eq!(got, want, "{family:?} {text:?}");
            }
        }
    }

    /// Wherever the ASCII fast path answers, from any character boundary, it answers what
    /// the scalar scan does (release builds skip the `debug_assert` in `next`).
    #[test]
    fn fast_path_agrees_with_the_scalar_scan() {
        let mut answered = 0;
        for family in [Family::Cl100k, Family::O200k] {
            for text in texts() {
                let mut pieces = Pretokenizer::new(family).pieces(&text);
                for at in (0..text.len()).filter(|&i| text.is_char_boundary(i)) {
                    if let Some(fast) = pieces.fast(at, family) {
                        answered += 1;
                        assert_eq!(fast, pieces.scan.slow(at, family), "{family:?} at {at} of {text:?}");
                    }
                }
            }
        }
        assert!(answered > 100_000, "the fast path answered only {answered} times");
    }

    /// A long run of digits, a piece every three of them, costs each 64-byte block one
    /// classification, as any other text does, and not one per piece still in the run.
    #[test]
    fn digit_runs_take_one_pass() {
        let texts = [
            "1".repeat(1 << 16),
            "123456789".repeat(8000),
            format!("x{}y", "9".repeat(70_000)),
            format!(" {} \n", "1234567890".repeat(7000)),
            // Non-ASCII digits in long ASCII runs, where the scalar scan answers.
            "12345678\u{663}".repeat(7000),
            "1\u{b2}".repeat(30_000),
            "\u{ff11}23".repeat(20_000),
        ];
        for family in [Family::Cl100k, Family::O200k] {
            for text in &texts {
                let mut pieces = Pretokenizer::new(family).pieces(text);
                let mut got = vec![0];
                while let Some((_, e)) = pieces.next() {
                    // The blocks up to `e`, and the one after it.
                    let most = e / 64 + 2;
                    assert!(pieces.loads <= most, "{family:?}: {} block loads to reach byte {e}", pieces.loads);
                    got.push(e);
                }
                assert_eq!(got, reference_starts(family, text), "{family:?}");
            }
        }
    }

    /// At every split point, every family ends a piece, and the pieces after it are those of
    /// the rest of the text alone: what lets a count be split across threads.
    #[test]
    fn split_points_end_a_piece_in_every_family() {
        let mut checked = 0;
        for family in [Family::Gpt2, Family::Cl100k, Family::O200k] {
            let pre = Pretokenizer::new(family);
            for text in texts() {
                let whole: Vec<(usize, usize)> = pre.pieces(&text).collect();
                for q in (0..text.len()).filter(|&q| is_split_point(text.as_bytes(), q)) {
                    checked += 1;
                    let after: Vec<(usize, usize)> = pre.pieces(&text[q..]).map(|(a, b)| (a + q, b + q)).collect();
                    let at = whole.iter().position(|&(a, _)| a == q);
                    assert!(at.is_some(), "{family:?}: no piece starts at {q} of {text:?}");
                    assert_eq!(whole[at.unwrap()..], after[..], "{family:?} at {q} of {text:?}");
                }
            }
        }
        assert!(checked > 1000, "only {checked} split points");
    }
}
