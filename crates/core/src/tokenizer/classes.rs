//! The character classes of the pre-tokenizer patterns, looked up by code point: the
//! leaf that the scanners (`pretokenize`, `starts`, `blocks`) all read.
//!
//! The tables come from the same Unicode data as tiktoken's regex engine (see `build.rs`).
//! Each class is one bit, so a set of classes is one mask.

pub(super) mod tables {
    include!(concat!(env!("OUT_DIR"), "/char_classes.rs"));
}

/// `\p{L}`: letters.
pub(super) const L: u8 = 1;
/// `\p{N}`: numbers.
pub(super) const N: u8 = 2;
/// `\s`: white space.
pub(super) const S: u8 = 4;
/// o200k's `U`: upper-case-like letters and marks.
pub(super) const U: u8 = 8;
/// o200k's `W`: lower-case-like letters and marks.
pub(super) const W: u8 = 16;
/// ASCII that may be the one-character prefix of a word (see `build.rs`).
pub(super) const PREFIX: u8 = 32;

/// The class bits of ASCII byte `b`.
#[inline(always)]
pub(super) fn ascii_class(b: u8) -> u8 {
    tables::ASCII[b as usize & 0x7f]
}

/// The class bits of code point `c`.
#[inline(always)]
pub(super) fn class_of(c: u32) -> u8 {
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
pub(super) fn decode(b: &[u8], i: usize) -> (u32, usize) {
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
