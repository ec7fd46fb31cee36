//! A bounded, per-thread memo of piece -> tokens for pieces that need merging.
//!
//! Real text repeats its words, and merging a piece costs a dozen rank lookups where a memo
//! hit costs one. Each thread has its own memo (no locks, so concurrent async calls on the
//! libuv pool never contend or see each other's state), one per vocabulary, and a memo that
//! reaches [`MAX_ENTRIES`] is cleared: memory stays bounded whatever the input.

use super::vocab::Rank;
use rustc_hash::FxHashMap;
use std::cell::RefCell;

/// Entries per vocabulary per thread; about 1 MiB each at typical piece sizes.
pub const MAX_ENTRIES: usize = 1 << 14;
/// Longer pieces are rare repeats; they are merged every time.
pub const MAX_PIECE: usize = 48;

type Memo = FxHashMap<Box<[u8]>, Box<[Rank]>>;

thread_local! {
    static MEMOS: RefCell<[Memo; 4]> = RefCell::new(Default::default());
}

/// Calls `f` with the memoised tokens of `piece` in vocabulary `vocab`, computing them with
/// `merge` on a miss.
#[inline]
pub fn with_tokens<R>(vocab: usize, piece: &[u8], merge: impl FnOnce() -> Vec<Rank>, f: impl FnOnce(&[Rank]) -> R) -> R {
    MEMOS.with(|memos| {
        let mut memos = memos.borrow_mut();
        let memo = &mut memos[vocab];
        if let Some(tokens) = memo.get(piece) {
            return f(tokens);
        }
        let tokens = merge().into_boxed_slice();
        let r = f(&tokens);
        if memo.len() >= MAX_ENTRIES {
            memo.clear();
        }
        memo.insert(piece.into(), tokens);
        r
    })
}

#[cfg(test)]
/// Entries currently held by this thread's memo for `vocab`.
pub fn len(vocab: usize) -> usize {
    MEMOS.with(|m| m.borrow()[vocab].len())
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
