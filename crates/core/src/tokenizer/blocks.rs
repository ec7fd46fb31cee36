//! ASCII character classes of 64 bytes at a time, as bit masks.
//!
//! The pre-tokenizer's scalar scan pays a hard-to-predict branch per byte (does this word
//! go on?). With one bit per byte, the end of a run is a `trailing_zeros`, whatever its
//! length. Only ASCII is classified here: a run that stops at a non-ASCII byte is left to
//! the scalar scan, which knows Unicode.
//!
//! SSE2 (every x86-64) and wasm `simd128` classify 16 bytes per instruction; other targets
//! use a table loop with the same result (tested against it below).

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
            return unsafe { avx2::of(text, start) };
        }
        Block::of_with(text, start, classify)
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

#[cfg(target_arch = "x86_64")]
#[inline(always)]
fn classify(p: &[u8; 64]) -> Block {
    use std::arch::x86_64::*;
    // SAFETY: SSE2 is part of the x86-64 baseline; the loads are unaligned and in bounds.
    unsafe {
        let set = |b: u8| _mm_set1_epi8(b as i8);
        let within = |v: __m128i, lo: u8, hi: u8| {
            // Signed compares: bytes >= 0x80 are negative, so never within an ASCII range.
            _mm_and_si128(_mm_cmpgt_epi8(v, set(lo - 1)), _mm_cmplt_epi8(v, set(hi + 1)))
        };
        let mut out = Block::default();
        for k in 0..4 {
            let v = _mm_loadu_si128(p.as_ptr().add(16 * k).cast());
            let mask = |m: __m128i| (_mm_movemask_epi8(m) as u16 as u64) << (16 * k);
            let upper = within(v, b'A', b'Z');
            out.upper |= mask(upper);
            out.letter |= mask(_mm_or_si128(upper, within(v, b'a', b'z')));
            out.digit |= mask(within(v, b'0', b'9'));
            let sp = _mm_cmpeq_epi8(v, set(b' '));
            out.space |= mask(_mm_or_si128(within(v, b'\t', b'\r'), sp));
            out.sp |= mask(sp);
            out.nl |= mask(_mm_or_si128(_mm_cmpeq_epi8(v, set(b'\n')), _mm_cmpeq_epi8(v, set(b'\r'))));
            out.ap |= mask(_mm_cmpeq_epi8(v, set(b'\'')));
            out.other |= mask(v);
        }
        out
    }
}

/// [`Block::of`] with 32 bytes per instruction, for the CPUs that have AVX2 (nearly all
/// x86-64 ones since 2013; the check is one load of a cached flag). Half the vector
/// instructions of SSE2, and classifying is a good part of a short count's time.
#[cfg(target_arch = "x86_64")]
mod avx2 {
    use super::Block;
    use std::arch::x86_64::*;

    /// # Safety
    /// The CPU must have AVX2.
    #[target_feature(enable = "avx2")]
    pub unsafe fn of(text: &[u8], start: usize) -> Block {
        // SAFETY: the CPU has AVX2, which our caller guarantees.
        Block::of_with(text, start, |p| unsafe { classify(p) })
    }

    /// # Safety
    /// The CPU must have AVX2.
    #[target_feature(enable = "avx2")]
    #[inline]
    pub unsafe fn classify(p: &[u8; 64]) -> Block {
        macro_rules! set {
            ($b:expr) => {
                _mm256_set1_epi8($b as i8)
            };
        }
        // Signed compares: bytes >= 0x80 are negative, so never within an ASCII range.
        macro_rules! within {
            ($v:expr, $lo:expr, $hi:expr) => {
                _mm256_and_si256(_mm256_cmpgt_epi8($v, set!($lo - 1)), _mm256_cmpgt_epi8(set!($hi + 1), $v))
            };
        }
        let mut out = Block::default();
        for k in 0..2 {
            // SAFETY: in bounds; the load is unaligned.
            let v = unsafe { _mm256_loadu_si256(p.as_ptr().add(32 * k).cast()) };
            macro_rules! mask {
                ($m:expr) => {
                    (_mm256_movemask_epi8($m) as u32 as u64) << (32 * k)
                };
            }
            let upper = within!(v, b'A', b'Z');
            let sp = _mm256_cmpeq_epi8(v, set!(b' '));
            out.upper |= mask!(upper);
            out.letter |= mask!(_mm256_or_si256(upper, within!(v, b'a', b'z')));
            out.digit |= mask!(within!(v, b'0', b'9'));
            out.space |= mask!(_mm256_or_si256(within!(v, b'\t', b'\r'), sp));
            out.sp |= mask!(sp);
            out.nl |= mask!(_mm256_or_si256(_mm256_cmpeq_epi8(v, set!(b'\n')), _mm256_cmpeq_epi8(v, set!(b'\r'))));
            out.ap |= mask!(_mm256_cmpeq_epi8(v, set!(b'\'')));
            out.other |= mask!(v);
        }
        out
    }
}

#[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
#[inline(always)]
fn classify(p: &[u8; 64]) -> Block {
    use std::arch::wasm32::*;
    let within = |v: v128, lo: u8, hi: u8| v128_and(u8x16_ge(v, u8x16_splat(lo)), u8x16_le(v, u8x16_splat(hi)));
    let mut out = Block::default();
    for k in 0..4 {
        // SAFETY: in bounds; v128_load has no alignment requirement.
        let v = unsafe { v128_load(p.as_ptr().add(16 * k).cast()) };
        let mask = |m: v128| (i8x16_bitmask(m) as u64) << (16 * k);
        let upper = within(v, b'A', b'Z');
        out.upper |= mask(upper);
        out.letter |= mask(v128_or(upper, within(v, b'a', b'z')));
        out.digit |= mask(within(v, b'0', b'9'));
        let sp = u8x16_eq(v, u8x16_splat(b' '));
        out.space |= mask(v128_or(within(v, b'\t', b'\r'), sp));
        out.sp |= mask(sp);
        out.nl |= mask(v128_or(u8x16_eq(v, u8x16_splat(b'\n')), u8x16_eq(v, u8x16_splat(b'\r'))));
        out.ap |= mask(u8x16_eq(v, u8x16_splat(b'\'')));
        out.other |= mask(v);
    }
    out
}

#[cfg(not(any(target_arch = "x86_64", all(target_arch = "wasm32", target_feature = "simd128"))))]
#[inline(always)]
fn classify(p: &[u8; 64]) -> Block {
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

    #[test]
    fn simd_matches_the_class_table() {
        // Every byte value in every lane, and random mixes.
        for shift in 0..64 {
            let mut p = [0u8; 64];
            for base in (0..256).step_by(64) {
                for (k, b) in p.iter_mut().enumerate() {
                    *b = ((base + (k + shift) % 64) % 256) as u8;
                }
                assert_eq!(classify(&p), classify_scalar(&p), "{p:?}");
                #[cfg(target_arch = "x86_64")]
                if std::is_x86_feature_detected!("avx2") {
                    // SAFETY: the CPU has AVX2, checked just above.
                    assert_eq!(unsafe { avx2::classify(&p) }, classify_scalar(&p), "{p:?}");
                }
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
            assert_eq!(classify(&p), classify_scalar(&p));
            #[cfg(target_arch = "x86_64")]
            if std::is_x86_feature_detected!("avx2") {
                // SAFETY: the CPU has AVX2, checked just above.
                assert_eq!(unsafe { avx2::classify(&p) }, classify_scalar(&p));
            }
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
