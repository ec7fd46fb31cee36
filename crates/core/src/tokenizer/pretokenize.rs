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

mod tables {
    include!(concat!(env!("OUT_DIR"), "/char_classes.rs"));
}

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

const L: u8 = 1;
const N: u8 = 2;
const S: u8 = 4;
const U: u8 = 8;
const W: u8 = 16;

/// The class bits of code point `c`.
#[inline(always)]
fn class_of(c: u32) -> u8 {
    if c < 0x10000 {
        tables::BMP_BLOCKS[tables::BMP_INDEX[(c >> 8) as usize] as usize][(c & 0xff) as usize]
    } else {
        match tables::ASTRAL.binary_search_by(|&(a, b, _)| {
            if b < c {
                std::cmp::Ordering::Less
            } else if a > c {
                std::cmp::Ordering::Greater
            } else {
                std::cmp::Ordering::Equal
            }
        }) {
            Ok(i) => tables::ASTRAL[i].2,
            Err(_) => 0,
        }
    }
}

/// The code point starting at byte `i` of valid UTF-8, and its length.
#[inline(always)]
fn decode(b: &[u8], i: usize) -> (u32, usize) {
    let b0 = b[i] as u32;
    if b0 < 0x80 {
        (b0, 1)
    } else if b0 < 0xE0 {
        (((b0 & 0x1F) << 6) | (b[i + 1] as u32 & 0x3F), 2)
    } else if b0 < 0xF0 {
        (((b0 & 0x0F) << 12) | ((b[i + 1] as u32 & 0x3F) << 6) | (b[i + 2] as u32 & 0x3F), 3)
    } else {
        (
            ((b0 & 0x07) << 18)
                | ((b[i + 1] as u32 & 0x3F) << 12)
                | ((b[i + 2] as u32 & 0x3F) << 6)
                | (b[i + 3] as u32 & 0x3F),
            4,
        )
    }
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
        Pieces { scan: Scan { b: text.as_bytes() }, family: self.family, at: 0 }
    }
}

/// Iterator over `(start, end)` byte ranges of pieces.
pub struct Pieces<'t> {
    scan: Scan<'t>,
    family: Family,
    at: usize,
}

impl Iterator for Pieces<'_> {
    type Item = (usize, usize);

    #[inline]
    fn next(&mut self) -> Option<(usize, usize)> {
        let at = self.at;
        if at >= self.scan.b.len() {
            return None;
        }
        let end = match self.family {
            Family::Gpt2 => self.scan.gpt2(at),
            Family::Cl100k => self.scan.cl100k(at),
            Family::O200k => self.scan.o200k(at),
        };
        debug_assert!(end > at);
        self.at = end;
        Some((at, end))
    }
}

struct Scan<'t> {
    b: &'t [u8],
}

impl Scan<'_> {
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
        let last_newline = || memchr::memrchr2(b'\r', b'\n', &b[i..end]).map(|k| i + k + 1);
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
