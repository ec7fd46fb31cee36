//! The few byte-vector operations the block classifier needs, one impl per instruction set:
//! SSE2 and AVX2 on x86-64, `simd128` on wasm32. The classifier itself is written once, over
//! this trait, in `blocks.rs`; an impl only says how its instruction set spells each step.

/// A vector of [`Vector::LANES`] bytes.
///
/// Every method is `unsafe` because an impl may use instructions that the CPU must support
/// (AVX2): the caller checks for them before it picks the impl. The methods are
/// `#[inline(always)]` so that they compile inside the caller's `#[target_feature]` function.
pub(super) trait Vector: Copy {
    /// Bytes per vector: 16 or 32, so that 64 is a whole number of vectors.
    const LANES: usize;

    /// `LANES` bytes from `p`, which need not be aligned.
    ///
    /// # Safety
    /// `p` is valid for reads of `LANES` bytes, and the CPU supports the impl's instructions.
    unsafe fn load(p: *const u8) -> Self;

    /// All ones in the lanes that hold `b`, zero elsewhere.
    ///
    /// # Safety
    /// The CPU supports the impl's instructions.
    unsafe fn eq(self, b: u8) -> Self;

    /// All ones in the lanes that hold a byte in `lo..=hi`, both ASCII; a byte of 0x80 or
    /// more never is.
    ///
    /// # Safety
    /// The CPU supports the impl's instructions.
    unsafe fn within(self, lo: u8, hi: u8) -> Self;

    /// The lanes set in `self` or `other`.
    ///
    /// # Safety
    /// The CPU supports the impl's instructions.
    unsafe fn or(self, other: Self) -> Self;

    /// The high bit of every lane, lane `k` at bit `k`.
    ///
    /// # Safety
    /// The CPU supports the impl's instructions.
    unsafe fn high_bits(self) -> u64;
}

#[cfg(target_arch = "x86_64")]
mod x86_64 {
    use super::Vector;
    use std::arch::x86_64::*;

    // Signed compares on x86: bytes of 0x80 and up are negative, so never within an ASCII
    // range, which is what `within` promises.

    impl Vector for __m128i {
        const LANES: usize = 16;

        #[inline(always)]
        unsafe fn load(p: *const u8) -> Self {
            // SAFETY: our caller's contract; SSE2 is part of the x86-64 baseline.
            unsafe { _mm_loadu_si128(p.cast()) }
        }

        #[inline(always)]
        unsafe fn eq(self, b: u8) -> Self {
            // SAFETY: SSE2 is part of the x86-64 baseline.
            unsafe { _mm_cmpeq_epi8(self, _mm_set1_epi8(b as i8)) }
        }

        #[inline(always)]
        unsafe fn within(self, lo: u8, hi: u8) -> Self {
            // SAFETY: SSE2 is part of the x86-64 baseline.
            unsafe {
                let above = _mm_cmpgt_epi8(self, _mm_set1_epi8(lo as i8 - 1));
                _mm_and_si128(above, _mm_cmplt_epi8(self, _mm_set1_epi8(hi as i8 + 1)))
            }
        }

        #[inline(always)]
        unsafe fn or(self, other: Self) -> Self {
            // SAFETY: SSE2 is part of the x86-64 baseline.
            unsafe { _mm_or_si128(self, other) }
        }

        #[inline(always)]
        unsafe fn high_bits(self) -> u64 {
            // SAFETY: SSE2 is part of the x86-64 baseline.
            unsafe { _mm_movemask_epi8(self) as u16 as u64 }
        }
    }

    impl Vector for __m256i {
        const LANES: usize = 32;

        #[inline(always)]
        unsafe fn load(p: *const u8) -> Self {
            // SAFETY: our caller's contract: `p` is readable and the CPU has AVX2.
            unsafe { _mm256_loadu_si256(p.cast()) }
        }

        #[inline(always)]
        unsafe fn eq(self, b: u8) -> Self {
            // SAFETY: our caller's contract: the CPU has AVX2.
            unsafe { _mm256_cmpeq_epi8(self, _mm256_set1_epi8(b as i8)) }
        }

        #[inline(always)]
        unsafe fn within(self, lo: u8, hi: u8) -> Self {
            // SAFETY: our caller's contract: the CPU has AVX2.
            unsafe {
                let above = _mm256_cmpgt_epi8(self, _mm256_set1_epi8(lo as i8 - 1));
                _mm256_and_si256(above, _mm256_cmpgt_epi8(_mm256_set1_epi8(hi as i8 + 1), self))
            }
        }

        #[inline(always)]
        unsafe fn or(self, other: Self) -> Self {
            // SAFETY: our caller's contract: the CPU has AVX2.
            unsafe { _mm256_or_si256(self, other) }
        }

        #[inline(always)]
        unsafe fn high_bits(self) -> u64 {
            // SAFETY: our caller's contract: the CPU has AVX2.
            unsafe { _mm256_movemask_epi8(self) as u32 as u64 }
        }
    }
}

#[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
mod wasm32 {
    use super::Vector;
    use std::arch::wasm32::*;

    impl Vector for v128 {
        const LANES: usize = 16;

        #[inline(always)]
        unsafe fn load(p: *const u8) -> Self {
            // SAFETY: our caller's contract: `p` is readable; v128_load needs no alignment.
            unsafe { v128_load(p.cast()) }
        }

        #[inline(always)]
        unsafe fn eq(self, b: u8) -> Self {
            u8x16_eq(self, u8x16_splat(b))
        }

        #[inline(always)]
        unsafe fn within(self, lo: u8, hi: u8) -> Self {
            v128_and(u8x16_ge(self, u8x16_splat(lo)), u8x16_le(self, u8x16_splat(hi)))
        }

        #[inline(always)]
        unsafe fn or(self, other: Self) -> Self {
            v128_or(self, other)
        }

        #[inline(always)]
        unsafe fn high_bits(self) -> u64 {
            i8x16_bitmask(self) as u64
        }
    }
}
