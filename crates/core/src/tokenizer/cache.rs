//! A bounded, per-thread memo of piece -> tokens for pieces that need merging.
//!
//! Real text repeats its words, and merging a piece costs a dozen rank lookups where a memo
//! hit costs one. Each thread has its own memo (no locks, so concurrent async calls on the
//! libuv pool never contend or see each other's state), one per vocabulary, and a memo that
//! reaches [`MAX_ENTRIES`] is cleared: memory stays bounded whatever the input.

pub use super::vocab::{key, Key, Keys};
use super::vocab::{load_le, Rank, KEY_MAX};
use rustc_hash::FxHashMap;
use std::cell::RefCell;

/// Merged pieces per vocabulary per thread; about 1 MiB at typical piece sizes.
pub const MAX_ENTRIES: usize = 1 << 14;
/// Longer pieces are rare repeats; they are merged every time.
pub const MAX_PIECE: usize = 24;

/// Sets of the two-way front cache for pieces of up to [`HOT_PIECE`] bytes.
const SETS: usize = 1 << SET_BITS;
const SET_BITS: u32 = 12;
/// Pieces up to this long go through the front cache (they fit a [`Key`]).
pub const HOT_PIECE: usize = KEY_MAX;

/// One vocabulary's memo on one thread: a small two-way cache of pieces up to 15 bytes
/// (192 KiB, so the words a text repeats are answered from L2 instead of a miss into the
/// 200k-entry rank table), in front of a map of merged pieces.
pub struct Memo {
    /// Per set, two (key, token count, rank if the count is 1), most recently used first; a
    /// zero length byte marks an empty way.
    /// (A fixed-size array, so that indexing it with [`set_of`] needs no bounds check.)
    hot: Box<[[(Key, u32, u32); 2]; SETS]>,
    /// Merged pieces: their bytes, zero-padded, and length -> where their tokens are in
    /// `tokens`. No allocation per entry: merging is the path where fresh text spends its
    /// time, and the allocator in a busy process (Node's) is not free.
    map: FxHashMap<([u64; 3], u8), (u32, u32)>,
    tokens: Vec<Rank>,
}

impl Default for Memo {
    fn default() -> Self {
        let hot = vec![[((0, 0), 0, 0); 2]; SETS].into_boxed_slice().try_into().expect("SETS sets");
        Memo { hot, map: FxHashMap::default(), tokens: Vec::new() }
    }
}

/// A piece of up to [`MAX_PIECE`] bytes as a fixed-size map key.
#[inline(always)]
fn long_key(piece: &[u8]) -> ([u64; 3], u8) {
    let mut words = [0u64; 3];
    for (w, chunk) in words.iter_mut().zip(piece.chunks(8)) {
        *w = load_le(chunk);
    }
    (words, piece.len() as u8)
}

#[inline(always)]
fn set_of(k: Key) -> usize {
    ((k.0 ^ k.1.rotate_left(29)).wrapping_mul(0x9E3779B97F4A7C15) >> (64 - SET_BITS)) as usize
}

impl Memo {
    /// The cached (count, rank) of a short piece by its key.
    ///
    /// A hit in the second way swaps it to the first, so the ways are in order of last use:
    /// the first answers most hits (otherwise which way hits is a coin toss, a branch the
    /// CPU cannot predict), and an insert evicts the least recently used.
    #[inline(always)]
    pub fn hot_get(&mut self, k: Key) -> Option<(u32, u32)> {
        let set = &mut self.hot[set_of(k)];
        if set[0].0 == k {
            return Some((set[0].1, set[0].2));
        }
        if set[1].0 == k {
            set.swap(0, 1);
            return Some((set[0].1, set[0].2));
        }
        None
    }

    #[inline(always)]
    pub fn hot_put(&mut self, k: Key, count: u32, rank: u32) {
        let set = &mut self.hot[set_of(k)];
        set[1] = set[0];
        set[0] = (k, count, rank);
    }

    /// Calls `f` with the memoised tokens of `piece` (at most [`MAX_PIECE`] bytes), computing
    /// them on a miss with `merge`, which appends them to the vector it is given.
    #[inline]
    pub fn with_tokens<R>(
        &mut self,
        piece: &[u8],
        merge: impl FnOnce(&mut Vec<Rank>),
        f: impl FnOnce(&[Rank]) -> R,
    ) -> R {
        debug_assert!(piece.len() <= MAX_PIECE);
        let k = long_key(piece);
        if let Some(&(at, n)) = self.map.get(&k) {
            return f(&self.tokens[at as usize..(at + n) as usize]);
        }
        if self.map.len() >= MAX_ENTRIES {
            self.map.clear();
            self.tokens.clear();
        } else if self.map.capacity() == 0 {
            // Sized once for all it will hold: growing rehashed the whole map several times
            // while a text was being counted (a cache miss per entry moved), and overshot
            // to twice the size at its last step.
            self.map.reserve(MAX_ENTRIES);
            self.tokens.reserve(4 * MAX_ENTRIES);
        }
        let at = self.tokens.len();
        merge(&mut self.tokens);
        let n = self.tokens.len() - at;
        self.map.insert(k, (at as u32, n as u32));
        f(&self.tokens[at..])
    }
}

thread_local! {
    static MEMOS: RefCell<[Memo; 4]> = RefCell::new(Default::default());
}

/// Runs `f` with this thread's memo for vocabulary `vocab`. Callers take it once per call,
/// not once per piece: thread-local access from a dlopen'ed addon is not free. A nested
/// call on the same thread (which ironlung never makes) gets a fresh, unshared memo.
#[inline]
pub fn with_memo<R>(vocab: usize, f: impl FnOnce(&mut Memo) -> R) -> R {
    MEMOS.with(|memos| match memos.try_borrow_mut() {
        Ok(mut memos) => f(&mut memos[vocab]),
        Err(_) => f(&mut Memo::default()),
    })
}

#[cfg(test)]
/// Entries currently held by this thread's memo for `vocab`.
pub fn len(vocab: usize) -> usize {
    MEMOS.with(|m| m.borrow()[vocab].map.len())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tokenizer::get_encoding;

    #[test]
    fn memo_stays_bounded() {
        let enc = get_encoding("cl100k_base").unwrap();
        // Distinct multi-token pieces, far more than the memo holds.
        let mut text = String::new();
        for i in 0..(MAX_ENTRIES * 3) {
            text.push_str(&format!(" zq{i:x}xv"));
        }
        let n = enc.count(&text);
        assert!(len(2) <= MAX_ENTRIES, "{}", len(2));
        assert_eq!(enc.count(&text), n, "counts do not depend on what is memoised");
        assert_eq!(enc.encode_ordinary(&text).len(), n);
    }

    #[test]
    fn threads_count_alike() {
        let enc = get_encoding("o200k_base").unwrap();
        let text: String = (0..5000).map(|i| format!("word{} zzqx{} ", i % 97, i % 13)).collect();
        let want = enc.count(&text);
        let handles: Vec<_> = (0..4)
            .map(|_| {
                let t = text.clone();
                std::thread::spawn(move || {
                    (0..3).map(|_| get_encoding("o200k_base").unwrap().count(&t)).collect::<Vec<_>>()
                })
            })
            .collect();
        for h in handles {
            assert!(h.join().unwrap().iter().all(|&n| n == want));
        }
        assert_eq!(enc.count_parallel(&text.repeat(20)), enc.count(&text.repeat(20)));
    }
}
