//! UTF-16 to UTF-8, with JavaScript's rule for lone surrogates.
//!
//! JS strings are UTF-16 and may hold unpaired surrogates; V8 writes those as U+FFFD when it
//! converts to UTF-8, and so does this. It exists because V8's own conversion (what
//! `napi_get_value_string_utf8` runs) goes a character at a time, while the text agents
//! count is mostly ASCII, which this converts 16 units per step, and a run of characters that
//! are not ASCII one at a time (`encoding_rs::mem::convert_utf16_to_utf8`, the same conversion,
//! measured slower on ASCII: `bench/history.md`).

/// The most UTF-8 bytes [`utf16_to_utf8`] writes per UTF-16 unit.
pub const MAX_UTF8_PER_UNIT: usize = 3;

/// Appends the UTF-8 form of `src` to `out`; unpaired surrogates become U+FFFD.
pub fn utf16_to_utf8(src: &[u16], out: &mut Vec<u8>) {
    out.reserve(src.len() * MAX_UTF8_PER_UNIT);
    let start = out.len();
    // SAFETY: `dst` has room for MAX_UTF8_PER_UNIT bytes per unit of `src` (reserved above,
    // and `start` is the length, so the `add` stays in the allocation), and `out` does not
    // overlap `src`, which is borrowed alongside it.
    let written = unsafe { utf16_to_utf8_raw(src, out.as_mut_ptr().add(start)) };
    // SAFETY: `start + written <= start + 3 * src.len()`, within the capacity reserved above,
    // and `utf16_to_utf8_raw` wrote every one of the `written` bytes after `start`.
    unsafe { out.set_len(start + written) };
}

/// Writes the UTF-8 of `src` at `dst` and returns the bytes written; unpaired surrogates
/// become U+FFFD. For callers with their own (stack) buffer.
///
/// # Safety
/// `dst` must be valid for writes of `MAX_UTF8_PER_UNIT * src.len()` bytes that do not
/// overlap `src`. Bytes past the returned count may be overwritten too (with unspecified
/// values).
pub unsafe fn utf16_to_utf8_raw(src: &[u16], dst: *mut u8) -> usize {
    let n = src.len();
    let (mut i, mut o) = (0, 0);
    while i + 16 <= n {
        // SAFETY: 16 units from `i` are in `src`; `o <= 3 * i`, so the 16 bytes stored at
        // `o` are within the caller's `3 * n` (i + 16 <= n).
        let ascii = unsafe { ascii16(src.as_ptr().add(i), dst.add(o)) };
        if ascii == 16 {
            // A branch, not `i += ascii`: the next load's address then need not wait for
            // this step's mask, which on long ASCII text more than doubles the speed.
            i += 16;
            o += 16;
            continue;
        }
        i += ascii;
        o += ascii;
        // The characters that are not ASCII from here one at a time, then back to 16 at a
        // time: text with a few accents or curly quotes keeps the vector path, and CJK text
        // does not test 16 units per character.
        // SAFETY: `ascii < 16`, so the unit at the new `i` is one of the 16 just read and
        // `i < n`; `o <= 3 * i`, so `dst + o` has the `3 * (n - i)` bytes `one` writes into.
        let (used, wrote) = unsafe { one(src, i, dst.add(o)) };
        i += used;
        o += wrote;
        while i < n && src[i] >= 0x80 {
            // SAFETY: `i < n`, and `o <= 3 * i` as above.
            let (used, wrote) = unsafe { one(src, i, dst.add(o)) };
            i += used;
            o += wrote;
        }
    }
    while i < n {
        // SAFETY: `i < n`, and `o <= 3 * i` (each step writes at most 3 bytes per unit it
        // consumes), so `dst + o` has the `3 * (n - i)` bytes `one` writes into.
        let (used, wrote) = unsafe { one(src, i, dst.add(o)) };
        i += used;
        o += wrote;
    }
    o
}

/// Stores the 16 units at `src` narrowed to bytes at `dst` and returns how many of them,
/// from the first, are ASCII (so that many bytes at `dst` are right).
///
/// # Safety
/// `src` must be valid for reads of 16 units, aligned for `u16`, and `dst` valid for writes
/// of 16 bytes (all 16 are written, not only the ASCII prefix).
#[cfg(target_arch = "x86_64")]
#[inline(always)]
unsafe fn ascii16(src: *const u16, dst: *mut u8) -> usize {
    use std::arch::x86_64::*;
    // SAFETY: the caller provides 16 readable units at `src` and 16 writable bytes at `dst`;
    // the loads and the store are unaligned ones; SSE2 is baseline on x86-64.
    unsafe {
        let a = _mm_loadu_si128(src.cast());
        let b = _mm_loadu_si128(src.add(8).cast());
        let high = _mm_set1_epi16(0xFF80u16 as i16);
        let zero = _mm_setzero_si128();
        // One bit per unit: set where the unit is ASCII (packs keep the order).
        let is_ascii = _mm_packs_epi16(
            _mm_cmpeq_epi16(_mm_and_si128(a, high), zero),
            _mm_cmpeq_epi16(_mm_and_si128(b, high), zero),
        );
        // Bytes of non-ASCII units are wrong here, but only the ASCII prefix is used.
        _mm_storeu_si128(dst.cast(), _mm_packus_epi16(_mm_andnot_si128(high, a), _mm_andnot_si128(high, b)));
        (!(_mm_movemask_epi8(is_ascii) as u32)).trailing_zeros().min(16) as usize
    }
}

/// As the x86-64 version, but only the ASCII prefix is written.
///
/// # Safety
/// `src` must be valid for reads of 16 units, aligned for `u16`, and not written during the
/// call; `dst` must be valid for writes of 16 bytes that do not overlap them.
#[cfg(not(target_arch = "x86_64"))]
#[inline(always)]
unsafe fn ascii16(src: *const u16, dst: *mut u8) -> usize {
    // SAFETY: the caller provides 16 aligned, readable units at `src`, not written while
    // `units` lives (the writes through `dst` do not overlap them).
    let units = unsafe { std::slice::from_raw_parts(src, 16) };
    let ascii = units.iter().take_while(|&&u| u < 0x80).count();
    for (k, &u) in units[..ascii].iter().enumerate() {
        // SAFETY: `k < ascii <= 16`, and the caller provides 16 writable bytes at `dst`.
        unsafe { *dst.add(k) = u as u8 };
    }
    ascii
}

/// Converts the character at `src[i]`; returns (units consumed, bytes written), at most 3
/// bytes per unit consumed (4 only for a surrogate pair, 2 units).
///
/// # Safety
/// `dst` must be valid for writes of `3 * (src.len() - i)` bytes. (`i >= src.len()` panics
/// at `src[i]` before any write.)
#[inline(always)]
unsafe fn one(src: &[u16], i: usize, dst: *mut u8) -> (usize, usize) {
    let c = src[i] as u32;
    // SAFETY: `put` writes at `k < wrote` below, and `wrote <= 3 * used <= 3 * (src.len() - i)`
    // (a pair is used only when `src[i + 1]` exists), which the caller provides.
    let put = |k: usize, b: u32| unsafe { *dst.add(k) = b as u8 };
    if c < 0x80 {
        put(0, c);
        return (1, 1);
    }
    if c < 0x800 {
        put(0, 0xC0 | (c >> 6));
        put(1, 0x80 | (c & 0x3F));
        return (1, 2);
    }
    let (used, c) = match c {
        0xD800..=0xDBFF => match src.get(i + 1).map(|&d| d as u32) {
            Some(d @ 0xDC00..=0xDFFF) => (2, 0x10000 + ((c - 0xD800) << 10) + (d - 0xDC00)),
            _ => (1, 0xFFFD),
        },
        0xDC00..=0xDFFF => (1, 0xFFFD),
        _ => (1, c),
    };
    if c < 0x10000 {
        put(0, 0xE0 | (c >> 12));
        put(1, 0x80 | ((c >> 6) & 0x3F));
        put(2, 0x80 | (c & 0x3F));
        (used, 3)
    } else {
        put(0, 0xF0 | (c >> 18));
        put(1, 0x80 | ((c >> 12) & 0x3F));
        put(2, 0x80 | ((c >> 6) & 0x3F));
        put(3, 0x80 | (c & 0x3F));
        (used, 4)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn convert(units: &[u16]) -> Vec<u8> {
        let mut out = b"prefix".to_vec();
        utf16_to_utf8(units, &mut out);
        out.split_off(6)
    }

    #[test]
    fn matches_std_lossy_conversion() {
        // Units chosen to hit every branch, including surrogates split across 16-unit steps.
        const UNITS: &[u16] = &[
            b'a' as u16,
            b' ' as u16,
            0x7F,
            0x80,
            0xE9,
            0x7FF,
            0x800,
            0x4E2D,
            0xFFFF,
            0xFFFD,
            0xD83D,
            0xDE00,
            0xD800,
            0xDBFF,
            0xDC00,
            0xDFFF,
            0,
        ];
        let mut x: u64 = 7;
        for round in 0..20_000 {
            let len = (round % 70) as usize;
            let ascii_heavy = round % 3 == 0;
            let units: Vec<u16> = (0..len)
                .map(|_| {
                    x ^= x << 13;
                    x ^= x >> 7;
                    x ^= x << 17;
                    if ascii_heavy && !x.is_multiple_of(8) {
                        (x >> 8) as u16 & 0x7F
                    } else {
                        UNITS[(x >> 8) as usize % UNITS.len()]
                    }
                })
                .collect();
            assert_eq!(convert(&units), String::from_utf16_lossy(&units).into_bytes(), "{units:x?}");
        }
        let long: Vec<u16> = "héllo wörld, 中文 😀 ".repeat(50).encode_utf16().collect();
        assert_eq!(convert(&long), String::from_utf16_lossy(&long).into_bytes());
    }

    /// `encoding_rs::mem::convert_utf16_to_utf8`, which implements the Encoding Standard's
    /// `TextEncoder.encodeInto()`: unpaired surrogates become U+FFFD.
    fn reference(units: &[u16]) -> Vec<u8> {
        let mut out = vec![0; units.len() * MAX_UTF8_PER_UNIT];
        let n = encoding_rs::mem::convert_utf16_to_utf8(units, &mut out);
        out.truncate(n);
        out
    }

    /// Converts with both entry points (`utf16_to_utf8_raw` into a buffer of exactly
    /// `MAX_UTF8_PER_UNIT` bytes per unit) and checks each against the reference.
    fn check(units: &[u16]) {
        let want = reference(units);
        assert_eq!(convert(units), want, "utf16_to_utf8 {units:x?}");
        let mut raw = Vec::<u8>::with_capacity(units.len() * MAX_UTF8_PER_UNIT);
        // SAFETY: `raw` has capacity for MAX_UTF8_PER_UNIT bytes per unit, and is its own
        // allocation; the written prefix is read only after it is written.
        let n = unsafe { utf16_to_utf8_raw(units, raw.as_mut_ptr()) };
        // SAFETY: `utf16_to_utf8_raw` wrote `n <= capacity` bytes.
        unsafe { raw.set_len(n) };
        assert_eq!(raw, want, "utf16_to_utf8_raw {units:x?}");
    }

    #[test]
    fn matches_encoding_rs() {
        const HIGH: u16 = 0xD83D;
        const LOW: u16 = 0xDE00;
        const A: u16 = b'a' as u16;
        // Every length across a few 16-unit steps, in every shape the vector path and the
        // one-character path can meet.
        for len in 0..70 {
            check(&vec![A; len]);
            check(&vec![0x4E2D; len]);
            check(&vec![HIGH; len]);
            check(&vec![LOW; len]);
            check(&[HIGH, LOW].repeat(len));
            check(&[LOW, HIGH].repeat(len));
            let mut ascii = vec![A; len];
            ascii.push(HIGH); // lone high surrogate at the end
            check(&ascii);
            ascii.insert(0, LOW); // and a lone low one at the start
            check(&ascii);
            for at in 0..len {
                // A pair, split from its half and whole, at every offset of an ASCII run.
                let mut v = vec![A; len];
                v[at] = HIGH;
                check(&v);
                v[at] = LOW;
                check(&v);
                if at + 1 < len {
                    v[at] = HIGH;
                    v[at + 1] = LOW;
                    check(&v);
                    v[at + 1] = HIGH;
                    check(&v);
                }
            }
        }
        // Random units, each drawn from one of a few classes, to mix ASCII runs, two- and
        // three-byte characters, pairs and lone halves at random.
        let mut x: u64 = 0x2545_f491_4f6c_dd1d;
        let mut next = move || {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            x
        };
        for round in 0..20_000 {
            let len = (next() % if round % 10 == 0 { 600 } else { 90 }) as usize;
            let ascii_share = round % 4; // of 4: none, a quarter, half, three quarters
            let mut units = Vec::with_capacity(len);
            while units.len() < len {
                let r = next();
                let u = (r >> 16) as u16;
                if r % 4 < ascii_share {
                    units.push(u & 0x7F);
                    continue;
                }
                match (r >> 2) % 6 {
                    0 => units.push(0x80 + u % 0x780),                            // two bytes
                    1 => units.push(0x800 + u % (0xD800 - 0x800)),                // three bytes
                    2 => units.extend([0xD800 | (u & 0x3FF), 0xDC00 | (u >> 6)]), // a pair
                    3 => units.push(0xD800 + u % 0x800),                          // a lone half
                    4 => units.push(0xE000 + u % 0x2000),                         // BMP after the surrogates
                    _ => units.push(u),                                           // anything
                }
            }
            check(&units);
        }
        let long: Vec<u16> = "héllo wörld, 中文 😀 \u{10FFFF}".repeat(5000).encode_utf16().collect();
        check(&long);
        let mut broken = long.clone();
        broken.iter_mut().step_by(97).for_each(|u| *u = HIGH);
        check(&broken);
    }
}
