//! Rank tables: token bytes by rank, and rank by token bytes.
//!
//! The tables are embedded in a compact binary form made by `build.rs` (see its doc) and
//! parsed on first use of an encoding, which costs a few milliseconds per vocabulary.

use rustc_hash::FxHashMap;

/// A token id: its rank in the BPE merge order.
pub type Rank = u32;

/// One BPE vocabulary (ordinary tokens only; special tokens live in [`super::special`]).
pub struct Vocab {
    /// Which of the embedded tables this is (0..4), for per-vocabulary memos.
    id: usize,
    /// Start offset into `bytes` of each rank; `offsets[r]..offsets[r + 1]` is rank `r`.
    offsets: Vec<u32>,
    bytes: &'static [u8],
    /// The length in bytes of the longest token.
    longest: usize,
    /// The rank of each single byte (every byte is a token in OpenAI's vocabularies).
    byte_rank: [Rank; 256],
    /// Tokens of up to 7 bytes, keyed by [`pack`]: an integer key hashes and compares in a
    /// few instructions, where a slice key costs a hash loop and a `memcmp`. Most lookups
    /// (short pieces, and every pair tried during merging) land here.
    short: FxHashMap<u64, Rank>,
    /// Tokens of 8 to 15 bytes, keyed by [`key`]: the key is stored inline, so a lookup
    /// loads one bucket where a slice key loads a bucket and then the token's bytes (a
    /// second cache miss, on fresh text, for a quarter of all lookups).
    mid: FxHashMap<Key, Rank>,
    long: FxHashMap<&'static [u8], Rank>,
}

/// Up to 8 bytes as a little-endian integer, with at most two overlapping loads instead of a
/// byte loop or a `memcpy` call. Distinct slices of one length give distinct values.
#[inline(always)]
pub fn load_le(b: &[u8]) -> u64 {
    let n = b.len();
    debug_assert!(n <= 8);
    if n >= 4 {
        let lo = u32::from_le_bytes([b[0], b[1], b[2], b[3]]) as u64;
        let hi = u32::from_le_bytes([b[n - 4], b[n - 3], b[n - 2], b[n - 1]]) as u64;
        lo | (hi << (8 * (n - 4)))
    } else if n > 0 {
        (b[0] as u64) | ((b[n / 2] as u64) << (8 * (n / 2))) | ((b[n - 1] as u64) << (8 * (n - 1)))
    } else {
        0
    }
}

/// Packs 1..=7 bytes and their length into one integer; distinct slices give distinct keys.
#[inline(always)]
pub fn pack(b: &[u8]) -> u64 {
    debug_assert!((1..=7).contains(&b.len()));
    load_le(b) | ((b.len() as u64) << 56)
}

/// A piece of up to [`KEY_MAX`] bytes as two integers: its bytes, and its length in the top
/// byte. Distinct pieces give distinct keys.
pub type Key = (u64, u64);

/// The longest piece a [`Key`] holds.
pub const KEY_MAX: usize = 15;

/// Packs a 1..=15-byte piece into a [`Key`]. For up to 7 bytes, `k.0 | k.1` is [`pack`].
#[inline(always)]
pub fn key(b: &[u8]) -> Key {
    let n = b.len();
    debug_assert!((1..=KEY_MAX).contains(&n));
    let (lo, hi) = if n <= 8 { (load_le(b), 0) } else { (load_le(&b[..8]), load_le(&b[8..])) };
    (lo, hi | ((n as u64) << 56))
}

/// A text whose pieces' [`Key`]s are read with one unaligned 16-byte load each, from any
/// offset: the text's last 16 bytes are also kept in a zero-padded copy, which a piece
/// near the end is read from instead. ([`key`] branches on the length, and the next
/// piece's length is close to random, so that branch is mispredicted often; here the
/// choice of copy is a conditional move.)
pub struct Keys<'t> {
    text: &'t [u8],
    /// `text[tail_at..]`, then zeros.
    tail: [u8; 32],
    tail_at: usize,
}

impl<'t> Keys<'t> {
    #[inline(always)]
    pub fn new(text: &'t [u8]) -> Keys<'t> {
        let mut tail = [0u8; 32];
        let tail_at = text.len().saturating_sub(16);
        if let Some(last) = text.get(tail_at..tail_at + 16) {
            tail[..16].copy_from_slice(last);
        } else {
            tail[..text.len()].copy_from_slice(text);
        }
        Keys { text, tail, tail_at }
    }

    pub fn text(&self) -> &'t [u8] {
        self.text
    }

    /// [`key`] of `text[a..b]` (1..=15 bytes).
    ///
    /// # Safety
    /// `a < b <= text.len()` for the text these keys were made from (a piece that `Pieces`
    /// yielded for it qualifies). The check is left to the caller because this runs once per
    /// piece on the hottest path.
    #[inline(always)]
    pub unsafe fn key(&self, a: usize, b: usize) -> Key {
        let n = b - a;
        debug_assert!((1..=KEY_MAX).contains(&n) && b <= self.text.len());
        // `a < text.len() <= isize::MAX`, so `a + 16` cannot overflow.
        let near_end = a + 16 > self.text.len();
        let from = std::hint::select_unpredictable(near_end, self.tail.as_ptr(), self.text.as_ptr());
        let at = std::hint::select_unpredictable(near_end, a.wrapping_sub(self.tail_at), a);
        // SAFETY: near the end, `tail_at < a < text.len() <= tail_at + 16` (or `tail_at` is 0
        // and the text shorter than 16 bytes), so `at + 16 <= 32`; elsewhere `a + 16` is
        // within the text. The reads are unaligned. `a < text.len()` is this function's
        // precondition (debug-checked above).
        let (lo, hi) = unsafe {
            let p = from.add(at);
            (u64::from_le(p.cast::<u64>().read_unaligned()), u64::from_le(p.add(8).cast::<u64>().read_unaligned()))
        };
        let (keep_lo, keep_hi) = KEY_MASKS[n & 15];
        (lo & keep_lo, (hi & keep_hi) | ((n as u64) << 56))
    }
}

/// Per length `n`, the bits of the low and high words of a 16-byte load that hold the first
/// `n` bytes (a table: computing them took a dozen instructions per piece).
static KEY_MASKS: [(u64, u64); 16] = {
    const fn bits(k: usize) -> u64 {
        if k >= 8 {
            u64::MAX
        } else {
            (1u64 << (8 * k)) - 1
        }
    }
    let mut m = [(0, 0); 16];
    let mut n = 0;
    while n < 16 {
        m[n] = (bits(n), if n > 8 { bits(n - 8) } else { 0 });
        n += 1;
    }
    m
};

impl Vocab {
    /// Parses a table produced by `build.rs` (see its doc for the format), rebuilding each
    /// token's bytes from its pair. The input is checked build output (embedded, or
    /// fingerprint-checked when installed), so a malformed table is a bug and panics.
    pub fn parse(id: usize, table: &[u8]) -> Vocab {
        assert_eq!(&table[..4], b"ILR2", "rank table magic");
        let u32_at = |i: usize| u32::from_le_bytes(table[i..i + 4].try_into().unwrap());
        let n = u32_at(4) as usize;
        // For each rank: 0 if it is not a single byte, else the byte + 1.
        let mut single_of_rank = vec![0u16; n];
        let byte_rank: [Rank; 256] = std::array::from_fn(|byte| u32_at(8 + 4 * byte));
        for (byte, &r) in byte_rank.iter().enumerate() {
            single_of_rank[r as usize] = byte as u16 + 1;
        }
        let m = n - 256;
        let planes = &table[8 + 1024..];
        assert_eq!(planes.len(), 6 * m, "rank table length");
        let side = |s: usize, k: usize| {
            let base = s * 3 * m;
            planes[base + k] as u32 | (planes[base + m + k] as u32) << 8 | (planes[base + 2 * m + k] as u32) << 16
        };
        let mut offsets: Vec<u32> = Vec::with_capacity(n + 1);
        let mut bytes: Vec<u8> = Vec::with_capacity(8 * n);
        let mut k = 0;
        for r in 0..n as u32 {
            offsets.push(bytes.len() as u32);
            let single = single_of_rank[r as usize];
            if single > 0 {
                bytes.push((single - 1) as u8);
                continue;
            }
            let (a, b) = (side(0, k), side(1, k));
            k += 1;
            if a == 0xFF_FFFF {
                continue;
            }
            for t in [a, b] {
                let (s, e) = (offsets[t as usize] as usize, offsets[t as usize + 1] as usize);
                bytes.extend_from_within(s..e);
            }
        }
        offsets.push(bytes.len() as u32);
        // The rebuilt bytes live as long as the process, like the embedded tables.
        let bytes: &'static [u8] = Box::leak(bytes.into_boxed_slice());
        // Sized up front: growing a 200k-entry table rehashes it several times at start-up.
        let lens = || offsets.windows(2).map(|w| (w[1] - w[0]) as usize);
        let n_short = lens().filter(|l| (1..=7).contains(l)).count();
        let n_mid = lens().filter(|l| (8..=KEY_MAX).contains(l)).count();
        let n_long = lens().filter(|&l| l > KEY_MAX).count();
        let mut short = FxHashMap::with_capacity_and_hasher(n_short, Default::default());
        let mut mid = FxHashMap::with_capacity_and_hasher(n_mid, Default::default());
        let mut long = FxHashMap::with_capacity_and_hasher(n_long, Default::default());
        for (rank, w) in offsets.windows(2).enumerate() {
            let token = &bytes[w[0] as usize..w[1] as usize];
            match token.len() {
                0 => {}
                1..=7 => {
                    short.insert(pack(token), rank as Rank);
                }
                8..=KEY_MAX => {
                    mid.insert(key(token), rank as Rank);
                }
                _ => {
                    long.insert(token, rank as Rank);
                }
            }
        }
        let longest = lens().max().unwrap_or(1);
        Vocab { id, offsets, bytes, longest, byte_rank, short, mid, long }
    }

    /// The rank of `bytes` if it is a single ordinary token.
    #[inline]
    pub fn rank(&self, bytes: &[u8]) -> Option<Rank> {
        match bytes.len() {
            0 => None,
            1..=7 => self.short.get(&pack(bytes)).copied(),
            8..=KEY_MAX => self.mid.get(&key(bytes)).copied(),
            _ => self.long.get(bytes).copied(),
        }
    }

    /// [`Vocab::rank`] of one byte.
    #[inline(always)]
    pub fn byte_rank(&self, b: u8) -> Rank {
        self.byte_rank[b as usize]
    }

    /// [`Vocab::rank`] of the piece `k` was made from, without repacking it.
    #[inline]
    pub fn rank_of_key(&self, k: Key) -> Option<Rank> {
        if k.1 >> 56 <= 7 {
            self.short.get(&(k.0 | k.1)).copied()
        } else {
            self.mid.get(&k).copied()
        }
    }

    /// The bytes of ordinary token `rank`, or `None` if the rank is not an ordinary token.
    #[inline]
    pub fn token(&self, rank: Rank) -> Option<&'static [u8]> {
        // Compare without `r + 1`: on wasm32 `usize` is 32 bits and u32::MAX + 1 wraps.
        let r = rank as usize;
        if r >= self.len() {
            return None;
        }
        let (a, b) = (self.offsets[r] as usize, self.offsets[r + 1] as usize);
        (a < b).then(|| &self.bytes[a..b])
    }

    pub fn id(&self) -> usize {
        self.id
    }

    /// One past the largest ordinary rank.
    pub fn len(&self) -> usize {
        self.offsets.len() - 1
    }

    /// The length in bytes of the longest token: `n` tokens never cover more than
    /// `n * longest()` bytes.
    pub fn longest(&self) -> usize {
        self.longest
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_are_key() {
        let all: Vec<u8> = (0..40u8).map(|i| i.wrapping_mul(37) ^ 0xA5).collect();
        // Texts shorter than 16 bytes and longer, every piece of up to KEY_MAX bytes.
        for len in 1..all.len() {
            let text = &all[..len];
            let keys = Keys::new(text);
            for a in 0..len {
                for b in a + 1..=(a + KEY_MAX).min(len) {
                    // SAFETY: a < b <= len by the loop bounds.
                    assert_eq!(unsafe { keys.key(a, b) }, key(&text[a..b]), "{a}..{b} of {len}");
                }
            }
        }
    }
}
