//! ASCII character classes of 64 bytes at a time, as bit masks.
//!
//! The pre-tokenizer's scalar scan pays a hard-to-predict branch per byte (does this word
//! go on?). With one bit per byte, the end of a run is a `trailing_zeros`, whatever its
//! length. Only ASCII is classified here: a run that stops at a non-ASCII byte is left to
//! the scalar scan, which knows Unicode.
//!
//! The classifier is written once, over the [`Vector`] trait: SSE2 (every x86-64) and wasm
//! `simd128` classify 16 bytes per instruction, AVX2 32. Other targets use a table loop
//! with the same result (tested against it below).

use super::vector::Vector;

/// Bit `k` of each mask describes byte `k` of the block.
#[derive(Clone, Copy, Default, Debug, PartialEq, Eq)]
pub struct Block {
    /// `A-Z`, `a-z`: the ASCII part of `\p{L}`.
    pub letter: u64,
    /// `A-Z`: the ASCII part of o200k's upper-case class.
    pub upper: u64,
    /// `0-9`: the ASCII part of `\p{N}`.
    pub digit: u64,
    /// `\t`, `\n`, `\v`, `\f`, `\r` and space: the ASCII part of `\s`.
    pub space: u64,
    /// Bytes 0x80 and up, and the positions past the end of the text (so every run stops
    /// there).
    pub other: u64,
    /// `\r` and `\n`.
    pub nl: u64,
    /// The space character (the only whitespace ` ?[^\s\p{L}\p{N}]+` takes).
    pub sp: u64,
    /// `'`, which may start a contraction.
    pub ap: u64,
    /// The positions past the end of the text.
    pub end: u64,
}

impl Block {
    /// ASCII bytes that are not letters, digits or whitespace.
    #[inline(always)]
    pub fn punct(&self) -> u64 {
        !(self.letter | self.digit | self.space | self.other)
    }

    /// The masks of `text[start..start + 64]`; positions past the end are marked `other`.
    #[inline]
    pub fn of(text: &[u8], start: usize) -> Block {
        #[cfg(target_arch = "x86_64")]
        if std::is_x86_feature_detected!("avx2") {
            // SAFETY: the CPU has AVX2, checked just above.
            return unsafe { of_avx2(text, start) };
        }
        Block::of_with(text, start, classify_baseline)
    }

    #[inline(always)]
    fn of_with(text: &[u8], start: usize, classify: impl Fn(&[u8; 64]) -> Block) -> Block {
        if let Some(chunk) = text.get(start..start + 64) {
            return classify(chunk.try_into().unwrap());
        }
        let tail = text.len().saturating_sub(start);
        let b = if tail > 0 && text.len() >= 64 {
            // The text's last 64 bytes, shifted down so that bit 0 is `start`. Every text of
            // 64 bytes or more ends in such a block (a 100-byte call's second block), and a
            // copy into a padded buffer, as below, costs a `memcpy` call.
            let shift = 64 - tail;
            classify(text[text.len() - 64..].try_into().unwrap()).map(|m| m >> shift)
        } else {
            let mut pad = [0u8; 64];
            let tail = text.get(start..).unwrap_or(&[]);
            pad[..tail.len()].copy_from_slice(tail);
            classify(&pad)
        };
        let past = if tail >= 64 { 0 } else { !0u64 << tail };
        b.past(past)
    }

    /// `f` applied to every mask.
    #[inline(always)]
    fn map(self, f: impl Fn(u64) -> u64) -> Block {
        Block {
            letter: f(self.letter),
            upper: f(self.upper),
            digit: f(self.digit),
            space: f(self.space),
            other: f(self.other),
            nl: f(self.nl),
            sp: f(self.sp),
            ap: f(self.ap),
            end: f(self.end),
        }
    }

    /// The block with the positions of `past` marked past the end of the text: `other`
    /// and `end`, and no class else.
    #[inline(always)]
    fn past(self, past: u64) -> Block {
        let mut b = self.map(|m| m & !past);
        b.other |= past;
        b.end = past;
        b
    }
}

/// The one classifier, over any [`Vector`]: 64 bytes as `64 / V::LANES` vectors.
///
/// # Safety
/// The CPU supports `V`'s instructions.
#[inline(always)]
unsafe fn classify<V: Vector>(p: &[u8; 64]) -> Block {
    let mut out = Block::default();
    for k in 0..64 / V::LANES {
        let at = k * V::LANES;
        // SAFETY: `at + LANES <= 64`, so the load stays in `p`; the CPU supports `V`, which
        // our caller guarantees.
        unsafe {
            let v = V::load(p.as_ptr().add(at));
            let mask = |m: V| m.high_bits() << at;
            let upper = v.within(b'A', b'Z');
            let sp = v.eq(b' ');
            out.upper |= mask(upper);
            out.letter |= mask(upper.or(v.within(b'a', b'z')));
            out.digit |= mask(v.within(b'0', b'9'));
            out.space |= mask(v.within(b'\t', b'\r').or(sp));
            out.sp |= mask(sp);
            out.nl |= mask(v.eq(b'\n').or(v.eq(b'\r')));
            out.ap |= mask(v.eq(b'\''));
            out.other |= mask(v);
        }
    }
    out
}

/// [`Block::of`] with 32 bytes per instruction, for the CPUs that have AVX2 (nearly all
/// x86-64 ones since 2013; the check is one load of a cached flag). Half the vector
/// instructions of SSE2, and classifying is a good part of a short count's time.
///
/// # Safety
/// The CPU must have AVX2.
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2")]
unsafe fn of_avx2(text: &[u8], start: usize) -> Block {
    // SAFETY: the CPU has AVX2, which our caller guarantees.
    Block::of_with(text, start, |p| unsafe { classify::<std::arch::x86_64::__m256i>(p) })
}

/// The baseline classifier of the target: SSE2 (every x86-64), wasm `simd128`, or else the
/// table loop.
#[inline(always)]
fn classify_baseline(p: &[u8; 64]) -> Block {
    #[cfg(target_arch = "x86_64")]
    // SAFETY: SSE2 is part of the x86-64 baseline.
    return unsafe { classify::<std::arch::x86_64::__m128i>(p) };
    #[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
    // SAFETY: the module is built with simd128, so every runtime that loads it has it.
    return unsafe { classify::<std::arch::wasm32::v128>(p) };
    #[cfg(not(any(target_arch = "x86_64", all(target_arch = "wasm32", target_feature = "simd128"))))]
    classify_scalar(p)
}

/// The reference classification, from the pre-tokenizer's own class table.
#[cfg_attr(any(target_arch = "x86_64", all(target_arch = "wasm32", target_feature = "simd128")), allow(dead_code))]
fn classify_scalar(p: &[u8; 64]) -> Block {
    use super::classes::{ascii_class, L, N, S, U};
    let mut out = Block::default();
    for (k, &b) in p.iter().enumerate() {
        let bit = 1u64 << k;
        if b >= 0x80 {
            out.other |= bit;
            continue;
        }
        let c = ascii_class(b);
        if c & L != 0 {
            out.letter |= bit;
        }
        if c & U != 0 {
            out.upper |= bit;
        }
        if c & N != 0 {
            out.digit |= bit;
        }
        if c & S != 0 {
            out.space |= bit;
        }
        match b {
            b'\n' | b'\r' => out.nl |= bit,
            b' ' => out.sp |= bit,
            b'\'' => out.ap |= bit,
            _ => {}
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every vector impl this CPU runs gives the table loop's masks.
    fn check(p: &[u8; 64]) {
        assert_eq!(classify_baseline(p), classify_scalar(p), "{p:?}");
        #[cfg(target_arch = "x86_64")]
        if std::is_x86_feature_detected!("avx2") {
            // SAFETY: the CPU has AVX2, checked just above.
            assert_eq!(unsafe { classify::<std::arch::x86_64::__m256i>(p) }, classify_scalar(p), "{p:?}");
        }
    }

    #[test]
    fn simd_matches_the_class_table() {
        // Every byte value in every lane, and random mixes.
        for shift in 0..64 {
            let mut p = [0u8; 64];
            for base in (0..256).step_by(64) {
                for (k, b) in p.iter_mut().enumerate() {
                    *b = ((base + (k + shift) % 64) % 256) as u8;
                }
                check(&p);
            }
        }
        let mut x: u64 = 99;
        for _ in 0..2000 {
            let mut p = [0u8; 64];
            for b in &mut p {
                x ^= x << 13;
                x ^= x >> 7;
                x ^= x << 17;
                *b = x as u8;
            }
            check(&p);
        }
    }

    #[test]
    fn the_last_block_matches_a_padded_copy() {
        // Texts of 64..200 bytes (the tail is read from the text's last 64 bytes) and
        // shorter ones (copied into a padded buffer), every start past the last full block.
        let all: Vec<u8> = (0..200u32).map(|i| b"aZ 9\n.\xc3\xa9\t_'\r"[(i * 7 % 12) as usize]).collect();
        for len in 0..all.len() {
            let text = &all[..len];
            for start in (0..len + 64).filter(|s| s + 64 > len) {
                let mut pad = [0u8; 64];
                let tail = text.get(start..).unwrap_or(&[]);
                pad[..tail.len()].copy_from_slice(tail);
                // Spelled out, not `Block::past`: this checks that too.
                let mut want = classify_scalar(&pad);
                let past = if tail.len() >= 64 { 0 } else { !0u64 << tail.len() };
                want.letter &= !past;
                want.upper &= !past;
                want.digit &= !past;
                want.space &= !past;
                want.nl &= !past;
                want.sp &= !past;
                want.ap &= !past;
                want.other |= past;
                want.end = past;
                assert_eq!(Block::of(text, start), want, "len {len}, start {start}");
            }
        }
    }

    #[test]
    fn past_the_end_is_other() {
        let text = b"ab 12\n";
        let b = Block::of(text, 0);
        assert_eq!(b.letter, 0b11);
        assert_eq!(b.digit, 0b11000);
        assert_eq!(b.space, 0b100100);
        assert_eq!(b.other, !0u64 << 6);
        assert_eq!(b.end, !0u64 << 6);
        assert_eq!(b.nl, 0b100000);
        assert_eq!(b.sp, 0b100);
        assert_eq!(b.punct(), 0);
        assert_eq!(Block::of(text, 64).other, !0);
    }
}
