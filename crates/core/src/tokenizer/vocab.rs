//! Rank tables: token bytes by rank, and rank by token bytes.
//!
//! The tables are embedded in a compact binary form made by `build.rs` (see its doc) and
//! parsed on first use of an encoding, which costs a few milliseconds per vocabulary.

use rustc_hash::FxHashMap;

pub type Rank = u32;

/// One BPE vocabulary (ordinary tokens only; special tokens live in [`super::special`]).
pub struct Vocab {
    /// Start offset into `bytes` of each rank; `offsets[r]..offsets[r + 1]` is rank `r`.
    offsets: Vec<u32>,
    bytes: &'static [u8],
    ranks: FxHashMap<&'static [u8], Rank>,
}

impl Vocab {
    /// Parses a table produced by `build.rs`. The input is trusted build output, so a
    /// malformed table is a build bug and panics rather than returning an error.
    pub fn parse(table: &'static [u8]) -> Vocab {
        let n = u32::from_le_bytes(table[..4].try_into().unwrap()) as usize;
        let lens = &table[4..4 + n];
        let bytes = &table[4 + n..];
        let mut offsets = Vec::with_capacity(n + 1);
        let mut ranks = FxHashMap::with_capacity_and_hasher(n, Default::default());
        let mut at = 0u32;
        for (rank, &len) in lens.iter().enumerate() {
            offsets.push(at);
            if len > 0 {
                let token = &bytes[at as usize..at as usize + len as usize];
                ranks.insert(token, rank as Rank);
            }
            at += len as u32;
        }
        offsets.push(at);
        assert_eq!(at as usize, bytes.len(), "rank table length mismatch");
        Vocab { offsets, bytes, ranks }
    }

    /// The rank of `bytes` if it is a single ordinary token.
    #[inline]
    pub fn rank(&self, bytes: &[u8]) -> Option<Rank> {
        self.ranks.get(bytes).copied()
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

    /// One past the largest ordinary rank.
    pub fn len(&self) -> usize {
        self.offsets.len() - 1
    }
}
