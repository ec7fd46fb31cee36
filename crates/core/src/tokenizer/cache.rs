//! A bounded, per-thread memo of piece -> tokens for pieces that need merging.
//!
//! Real text repeats its words, and merging a piece costs a dozen rank lookups where a memo
//! hit costs one. Each thread has its own memo (no locks, so concurrent async calls on the
//! libuv pool never contend or see each other's state), one per vocabulary, and a memo that
//! reaches [`MAX_ENTRIES`] is cleared: memory stays bounded whatever the input.

use super::vocab::Rank;
use rustc_hash::FxHashMap;
use std::cell::RefCell;

/// Merged pieces per vocabulary per thread; about 1 MiB at typical piece sizes.
pub const MAX_ENTRIES: usize = 1 << 14;
/// Longer pieces are rare repeats; they are merged every time.
pub const MAX_PIECE: usize = 48;

/// Slots of the small direct-mapped front cache for pieces of up to 7 bytes.
const HOT: usize = 4096;

/// One vocabulary's memo on one thread: a small direct-mapped cache of short pieces (64 KiB,
/// so the words a text repeats are answered from L2 instead of a miss into the 200k-entry
/// rank table), in front of a map of merged pieces.
pub struct Memo {
    /// (packed piece, token count, rank if the count is 1); key 0 is empty.
    hot: Box<[(u64, u32, u32)]>,
    map: FxHashMap<Box<[u8]>, Box<[Rank]>>,
}

impl Default for Memo {
    fn default() -> Self {
        Memo { hot: vec![(0, 0, 0); HOT].into_boxed_slice(), map: FxHashMap::default() }
    }
}

#[inline(always)]
fn slot(key: u64) -> usize {
    (key.wrapping_mul(0x9E3779B97F4A7C15) >> (64 - 12)) as usize
}

impl Memo {
    /// The cached (count, rank) of a short piece by its packed key.
    #[inline(always)]
    pub fn hot_get(&self, key: u64) -> Option<(u32, u32)> {
        let e = &self.hot[slot(key)];
        (e.0 == key).then_some((e.1, e.2))
    }

    #[inline(always)]
    pub fn hot_put(&mut self, key: u64, count: u32, rank: u32) {
        self.hot[slot(key)] = (key, count, rank);
    }

    /// Calls `f` with the memoised tokens of `piece`, computing them with `merge` on a miss.
    #[inline]
    pub fn with_tokens<R>(&mut self, piece: &[u8], merge: impl FnOnce() -> Vec<Rank>, f: impl FnOnce(&[Rank]) -> R) -> R {
        if let Some(tokens) = self.map.get(piece) {
            return f(tokens);
        }
        let tokens = merge().into_boxed_slice();
        let r = f(&tokens);
        if self.map.len() >= MAX_ENTRIES {
            self.map.clear();
        }
        self.map.insert(piece.into(), tokens);
        r
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
        let handles: Vec<_> = (0..4).map(|_| {
            let t = text.clone();
            std::thread::spawn(move || (0..3).map(|_| get_encoding("o200k_base").unwrap().count(&t)).collect::<Vec<_>>())
        }).collect();
        for h in handles {
            assert!(h.join().unwrap().iter().all(|&n| n == want));
        }
        assert_eq!(enc.count_parallel(&text.repeat(20), 4), enc.count(&text.repeat(20)));
    }
}
