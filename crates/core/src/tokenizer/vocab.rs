//! Rank tables: token bytes by rank, and rank by token bytes.
//!
//! The tables are embedded in a compact binary form made by `build.rs` (see its doc) and
//! parsed on first use of an encoding, which costs a few milliseconds per vocabulary.

use rustc_hash::FxHashMap;

pub type Rank = u32;

/// One BPE vocabulary (ordinary tokens only; special tokens live in [`super::special`]).
pub struct Vocab {
    /// Which of the embedded tables this is (0..4), for per-vocabulary memos.
    id: usize,
    /// Start offset into `bytes` of each rank; `offsets[r]..offsets[r + 1]` is rank `r`.
    offsets: Vec<u32>,
    bytes: &'static [u8],
    /// Tokens of up to 7 bytes, keyed by [`pack`]: an integer key hashes and compares in a
    /// few instructions, where a slice key costs a hash loop and a `memcmp`. Most lookups
    /// (short pieces, and every pair tried during merging) land here.
    short: FxHashMap<u64, Rank>,
    long: FxHashMap<&'static [u8], Rank>,
}

/// Packs up to 7 bytes and their length into one integer; distinct slices give distinct keys.
#[inline(always)]
pub fn pack(b: &[u8]) -> u64 {
    let n = b.len();
    debug_assert!((1..=7).contains(&n));
    // Two overlapping loads cover any length without a byte loop or a memcpy call.
    let v = if n >= 4 {
        let lo = u32::from_le_bytes([b[0], b[1], b[2], b[3]]) as u64;
        let hi = u32::from_le_bytes([b[n - 4], b[n - 3], b[n - 2], b[n - 1]]) as u64;
        lo | (hi << (8 * (n - 4)))
    } else {
        (b[0] as u64) | ((b[n / 2] as u64) << (8 * (n / 2))) | ((b[n - 1] as u64) << (8 * (n - 1)))
    };
    v | ((n as u64) << 56)
}

impl Vocab {
    /// Parses a table produced by `build.rs`. The input is trusted build output, so a
    /// malformed table is a build bug and panics rather than returning an error.
    pub fn parse(id: usize, table: &'static [u8]) -> Vocab {
        let n = u32::from_le_bytes(table[..4].try_into().unwrap()) as usize;
        let lens = &table[4..4 + n];
        let bytes = &table[4 + n..];
        let mut offsets = Vec::with_capacity(n + 1);
        // Sized up front: growing a 200k-entry table rehashes it several times at start-up.
        let n_short = lens.iter().filter(|&&l| (1..=7).contains(&l)).count();
        let n_long = lens.iter().filter(|&&l| l > 7).count();
        let mut short = FxHashMap::with_capacity_and_hasher(n_short, Default::default());
        let mut long = FxHashMap::with_capacity_and_hasher(n_long, Default::default());
        let mut at = 0u32;
        for (rank, &len) in lens.iter().enumerate() {
            offsets.push(at);
            if len > 0 {
                let token = &bytes[at as usize..at as usize + len as usize];
                if token.len() <= 7 {
                    short.insert(pack(token), rank as Rank);
                } else {
                    long.insert(token, rank as Rank);
                }
            }
            at += len as u32;
        }
        offsets.push(at);
        assert_eq!(at as usize, bytes.len(), "rank table length mismatch");
        Vocab { id, offsets, bytes, short, long }
    }

    /// The rank of the 1..=7-byte token whose [`pack`]ed key is `key`.
    #[inline]
    pub fn rank_packed(&self, key: u64) -> Option<Rank> {
        self.short.get(&key).copied()
    }

    /// The rank of `bytes` if it is a single ordinary token.
    #[inline]
    pub fn rank(&self, bytes: &[u8]) -> Option<Rank> {
        if bytes.len() <= 7 {
            if bytes.is_empty() {
                return None;
            }
            self.short.get(&pack(bytes)).copied()
        } else {
            self.long.get(bytes).copied()
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
}
