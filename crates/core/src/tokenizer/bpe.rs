//! Byte-pair merging of one pre-token piece, with tiktoken's exact merge order.
//!
//! tiktoken repeatedly merges the adjacent pair with the lowest rank, the leftmost one on
//! ties. Its scan is quadratic in the piece length; for short pieces that is the fastest
//! way, so [`merge_small`] keeps it. Long pieces (a megabyte of one letter is one piece)
//! go through [`merge_heap`], which makes the same choices in `O(n log n)`, cache-friendly.

use super::cache::{self, Memo};
use super::vocab::{Rank, Vocab};
use crate::error::OutOfMemory;
use std::cmp::Reverse;
use std::collections::BinaryHeap;

/// Pieces longer than this use the heap-based merge.
const SMALL_PIECE: usize = 128;

/// Bytes merged on this thread, counted in test builds only: the suite's complexity tests
/// compare the work of one input with that of one ten times longer, which no clock can
/// upset.
#[cfg(test)]
pub(crate) mod work {
    use std::cell::Cell;
    thread_local! {
        static BYTES: Cell<usize> = const { Cell::new(0) };
    }
    pub fn add(n: usize) {
        BYTES.with(|b| b.set(b.get() + n));
    }
    /// The bytes merged while `f` ran.
    pub fn of(f: impl FnOnce()) -> usize {
        let before = BYTES.with(Cell::get);
        f();
        BYTES.with(Cell::get) - before
    }
}

/// Calls `emit(start, end, rank)` for each token of `piece`, in order. `piece` must not be
/// a single token already (callers check that first, it is the common case).
///
/// For short pieces the ranks come from the merge itself (a merged pair's rank is its
/// token's), so they are not looked up again.
pub fn merge(vocab: &Vocab, piece: &[u8], mut emit: impl FnMut(usize, usize, Rank)) {
    if piece.len() <= SMALL_PIECE {
        merge_small(vocab, piece, emit)
    } else {
        merge_heap(vocab, piece, |a, b| emit(a, b, rank_of(vocab, &piece[a..b])))
    }
}

/// The number of tokens [`merge`] finds in `piece`.
fn merged_count(vocab: &Vocab, piece: &[u8]) -> usize {
    let mut n = 0;
    if piece.len() <= SMALL_PIECE {
        merge_small(vocab, piece, |_, _, _| n += 1);
    } else {
        merge_heap(vocab, piece, |_, _| n += 1);
    }
    n
}

#[inline]
fn rank_of(vocab: &Vocab, bytes: &[u8]) -> Rank {
    // Every single byte is a token in all OpenAI vocabularies and merges only produce
    // tokens, so a miss here is impossible for a valid table.
    vocab.rank(bytes).expect("BPE produced a non-token")
}

/// The rank of each token of `piece`, appended to `out`.
#[inline]
pub fn encode_piece(vocab: &Vocab, piece: &[u8], out: &mut Vec<Rank>, memo: &mut Memo) {
    if (1..=cache::HOT_PIECE).contains(&piece.len()) {
        let k = cache::key(piece);
        if let Some((1, r)) = memo.hot_get(k) {
            out.push(r);
            return;
        }
        if let Some(r) = vocab.rank_of_key(k) {
            memo.hot_put(k, 1, r);
            out.push(r);
            return;
        }
    } else if let Some(r) = vocab.rank(piece) {
        out.push(r);
        return;
    }
    if piece.len() <= cache::MAX_PIECE {
        memo.with_tokens(piece, |t| merge_ranks(vocab, piece, t), |t| out.extend_from_slice(t));
    } else {
        merge_ranks(vocab, piece, out);
    }
}

/// The number of tokens of `piece`.
///
/// Only the front-cache hit is inlined into the caller's loop: it answers most pieces of
/// real text, and the miss path (rank lookups, merging, with a kilobyte of stack for
/// [`merge_small`]) would otherwise make every piece pay its frame set-up.
///
/// # Safety
/// `a < b <= keys.text().len()`: a piece that `Pieces` yielded for the text `keys` was made
/// from (see [`cache::Keys::key`]).
#[inline(always)]
pub unsafe fn count_piece(vocab: &Vocab, keys: &cache::Keys, (a, b): (usize, usize), memo: &mut Memo) -> usize {
    let text = keys.text();
    // Pieces are never empty: one comparison checks 1..=HOT_PIECE.
    if b - a <= cache::HOT_PIECE {
        // SAFETY: this function's precondition is `key`'s.
        let k = unsafe { keys.key(a, b) };
        if let Some((n, _)) = memo.hot_get(k) {
            return n as usize;
        }
        return count_short_miss(vocab, &text[a..b], k, memo);
    }
    count_long(vocab, &text[a..b], memo)
}

#[inline(never)]
fn count_short_miss(vocab: &Vocab, piece: &[u8], k: cache::Key, memo: &mut Memo) -> usize {
    let (n, r) = match vocab.rank_of_key(k) {
        Some(r) => (1, r),
        None => (memo.with_tokens(piece, |t| merge_ranks(vocab, piece, t), <[Rank]>::len), 0),
    };
    memo.hot_put(k, n as u32, r);
    n
}

#[inline(never)]
fn count_long(vocab: &Vocab, piece: &[u8], memo: &mut Memo) -> usize {
    if vocab.rank(piece).is_some() {
        return 1;
    }
    if piece.len() <= cache::MAX_PIECE {
        return memo.with_tokens(piece, |t| merge_ranks(vocab, piece, t), <[Rank]>::len);
    }
    merged_count(vocab, piece)
}

fn merge_ranks(vocab: &Vocab, piece: &[u8], out: &mut Vec<Rank>) {
    merge(vocab, piece, |_, _, r| out.push(r));
}

/// tiktoken's `byte_pair_merge` for short pieces, on a stack array instead of a `Vec`.
pub fn merge_small(vocab: &Vocab, piece: &[u8], mut emit: impl FnMut(usize, usize, Rank)) {
    #[cfg(test)]
    work::add(piece.len());
    let n = piece.len();
    debug_assert!(n <= SMALL_PIECE);
    if n <= 1 {
        if n == 1 {
            emit(0, 1, vocab.byte_rank(piece[0]));
        }
        return;
    }
    let rank = |a: usize, b: usize| vocab.rank(&piece[a..b]).unwrap_or(Rank::MAX);
    // Per part: its start in the low 8 bits and its token's rank above them (starts are at
    // most SMALL_PIECE, ranks below 2^24), and the rank of the pair starting there. One
    // word for both keeps the shift on each merge to one `memmove` of 8-byte entries.
    const START: u32 = 0xFF;
    let part = |start: usize, token: Rank| start as u32 | token << 8;
    let mut parts = [(0u32, Rank::MAX); SMALL_PIECE + 1];
    let mut len = n + 1;
    let mut min = (Rank::MAX, usize::MAX);
    for (i, p) in parts.iter_mut().enumerate().take(n - 1) {
        let r = rank(i, i + 2);
        if r < min.0 {
            min = (r, i);
        }
        *p = (part(i, vocab.byte_rank(piece[i])), r);
    }
    parts[n - 1] = (part(n - 1, vocab.byte_rank(piece[n - 1])), Rank::MAX);
    parts[n] = (n as u32, Rank::MAX);
    while min.0 != Rank::MAX {
        let i = min.1;
        let pair_rank = |parts: &[(u32, Rank)], len: usize, i: usize| {
            if i + 3 < len {
                rank((parts[i].0 & START) as usize, (parts[i + 3].0 & START) as usize)
            } else {
                Rank::MAX
            }
        };
        // The pair at `i` becomes one token, whose rank is the pair's.
        debug_assert!(min.0 < 1 << 24);
        parts[i].0 = (parts[i].0 & START) | min.0 << 8;
        if i > 0 {
            parts[i - 1].1 = pair_rank(&parts, len, i - 1);
        }
        parts[i].1 = pair_rank(&parts, len, i);
        parts.copy_within(i + 2..len, i + 1);
        len -= 1;
        min = (Rank::MAX, usize::MAX);
        for (j, &(_, r)) in parts[..len - 1].iter().enumerate() {
            if r < min.0 {
                min = (r, j);
            }
        }
    }
    for w in parts[..len].windows(2) {
        emit((w[0].0 & START) as usize, (w[1].0 & START) as usize, w[0].0 >> 8);
    }
}

/// The candidate keys of one block: those known at the start, sorted once (most of them
/// are never superseded, and popping them is a step along an array); the ones merging adds
/// that are due before the next sorted key, in a heap; and the rest, set aside unsorted.
///
/// Set-aside keys are the common case on long runs (`'a'` x 10^6): merging at one rank
/// adds pairs of higher ranks, which wait until every pair of this rank is done. Sorting
/// them then, all at once, is a sequential pass; keeping them in a heap meanwhile cost a
/// walk down a heap of tens of thousands of keys per merge, through cache misses that
/// grew with the piece.
struct KeyQueue {
    sorted: Vec<u64>,
    at: usize,
    heap: BinaryHeap<Reverse<u64>>,
    later: Vec<u64>,
    /// The smallest of `later` (`u64::MAX` when it is empty).
    later_min: u64,
    /// The length of the piece, for [`OutOfMemory`].
    piece: usize,
}

impl KeyQueue {
    fn new(sorted: Vec<u64>, piece: usize) -> Self {
        KeyQueue { sorted, at: 0, heap: BinaryHeap::new(), later: Vec::new(), later_min: u64::MAX, piece }
    }

    /// The next of the sorted keys (`u64::MAX` when they are used up).
    #[inline]
    fn next_sorted(&self) -> u64 {
        self.sorted.get(self.at).copied().unwrap_or(u64::MAX)
    }

    #[inline]
    fn heap_min(&self) -> u64 {
        self.heap.peek().map_or(u64::MAX, |k| k.0)
    }

    #[inline]
    fn min(&self) -> u64 {
        self.next_sorted().min(self.heap_min()).min(self.later_min)
    }

    #[inline]
    fn push(&mut self, k: u64) {
        if k < self.next_sorted() {
            if self.heap.len() == self.heap.capacity() && self.heap.try_reserve(1).is_err() {
                out_of_memory::<u64>(self.heap.len() + 1, self.piece)
            }
            self.heap.push(Reverse(k));
        } else {
            reserve(&mut self.later, 1, self.piece);
            self.later.push(k);
            self.later_min = self.later_min.min(k);
        }
    }

    /// Sorts or heaps the set-aside keys if the smallest key is among them, dropping
    /// those `live` rejects (merging superseded them; they would be skipped when they
    /// surfaced). Returns whether it did: the block's minimum may then have changed, so
    /// the caller must look again before it pops.
    #[inline]
    fn settle_if_due(&mut self, live: impl Fn(u64) -> bool) -> bool {
        let due = self.later_min < self.next_sorted().min(self.heap_min());
        if due {
            self.settle_later(live);
        }
        due
    }

    /// Removes the smallest key; the set-aside keys must be settled if it is among them.
    #[inline]
    fn pop(&mut self) {
        debug_assert!(self.later_min >= self.next_sorted().min(self.heap_min()));
        match self.heap.peek() {
            Some(k) if k.0 < self.next_sorted() => {
                self.heap.pop();
            }
            _ => self.at += 1,
        }
    }

    /// If the sorted keys are used up and the heap is no larger than the set-aside keys
    /// (the usual case), all of them become the new sorted keys; else the set-aside keys
    /// join the heap.
    #[cold]
    fn settle_later(&mut self, live: impl Fn(u64) -> bool) {
        self.later.retain(|&k| live(k));
        if self.at == self.sorted.len() && self.heap.len() <= self.later.len() {
            reserve(&mut self.later, self.heap.len(), self.piece);
            self.later.extend(self.heap.drain().map(|k| k.0));
            std::mem::swap(&mut self.sorted, &mut self.later);
            crate::sort_u64(&mut self.sorted);
            self.at = 0;
            self.later.clear();
        } else {
            if self.heap.try_reserve(self.later.len()).is_err() {
                out_of_memory::<u64>(self.heap.len() + self.later.len(), self.piece)
            }
            self.heap.extend(self.later.drain(..).map(Reverse));
        }
        self.later_min = u64::MAX;
    }
}

/// Positions per block of [`merge_heap`]: at most 512 KiB of keys per block, within L2.
const BLOCK_BITS: u32 = 16;

/// Same merge order as [`merge_small`] in `O(n log n)`, for long pieces.
///
/// Candidate pairs are keyed `(rank, start)`, so the smallest key is tiktoken's next merge
/// (lowest rank, leftmost on ties); stale keys are skipped when they surface. The keys are
/// kept per block of positions, under a tournament tree of the blocks' minima, rather
/// than in one big heap: popping from a heap of a million keys goes down to its bottom
/// through cache misses, while here each step touches one block and a few tree slots.
/// Merging sweeps along the piece (ties go leftmost), so the block it touches stays the
/// same for long stretches. Indices are `u32` (pieces are at most a JS string's length).
pub fn merge_heap(vocab: &Vocab, piece: &[u8], emit: impl FnMut(usize, usize)) {
    #[cfg(test)]
    work::add(piece.len());
    merge_blocked(vocab, piece, BLOCK_BITS, emit)
}

/// Raises [`OutOfMemory`] for an allocation of `len` values of `T` that failed.
#[cold]
fn out_of_memory<T>(len: usize, piece: usize) -> ! {
    std::panic::panic_any(OutOfMemory { bytes: len.saturating_mul(std::mem::size_of::<T>()), piece })
}

/// Room for `additional` more values in `v`, or [`OutOfMemory`].
#[inline]
fn reserve<T>(v: &mut Vec<T>, additional: usize, piece: usize) {
    if v.capacity() - v.len() < additional && v.try_reserve(additional).is_err() {
        out_of_memory::<T>(v.len() + additional, piece)
    }
}

/// `values` collected into a vector allocated fallibly (see [`OutOfMemory`]).
fn try_collect<T>(len: usize, values: impl Iterator<Item = T>, piece: usize) -> Vec<T> {
    let mut v = Vec::new();
    reserve(&mut v, len, piece);
    v.extend(values);
    v
}

// Every allocation here grows with the piece, so each is fallible: a piece too long for
// the memory at hand raises OutOfMemory instead of aborting the process.
fn merge_blocked(vocab: &Vocab, piece: &[u8], block_bits: u32, mut emit: impl FnMut(usize, usize)) {
    let n = piece.len();
    if n == 0 {
        return;
    }
    assert!(n < u32::MAX as usize, "piece too long");
    const NONE: u32 = u32::MAX;
    // A pair's rank when its left node was merged away.
    const GONE: Rank = Rank::MAX - 1;
    let n32 = n as u32;
    // next[i]: start of the node after node i (n for the last); prev[i]: start of the previous.
    let mut next: Vec<u32> = try_collect(n, 1..=n32, n);
    let mut prev: Vec<u32> = try_collect(n, (0..n32).map(|i| if i == 0 { NONE } else { i - 1 }), n);
    let mut pair: Vec<Rank> = try_collect(n, std::iter::repeat_n(Rank::MAX, n), n);
    let rank_at = |next: &[u32], i: u32| -> Rank {
        let j = next[i as usize];
        if j >= n32 {
            return Rank::MAX;
        }
        vocab.rank(&piece[i as usize..next[j as usize] as usize]).unwrap_or(Rank::MAX)
    };
    let key = |r: Rank, i: u32| ((r as u64) << 32) | i as u64;
    let blocks = (n >> block_bits) + 1;
    let mut queues: Vec<KeyQueue> = Vec::new();
    reserve(&mut queues, blocks, n);
    for b in 0..blocks {
        let (lo, hi) = ((b << block_bits) as u32, (((b + 1) << block_bits).min(n)) as u32);
        let range = lo..hi.min(n32 - 1);
        let mut keys = try_collect(
            range.len(),
            range.filter_map(|i| {
                let r = rank_at(&next, i);
                pair[i as usize] = r;
                (r != Rank::MAX).then(|| key(r, i))
            }),
            n,
        );
        crate::sort_u64(&mut keys);
        queues.push(KeyQueue::new(keys, n));
    }
    // Tournament tree: leaves at `leaves..leaves + blocks` hold each block's minimum.
    let leaves = blocks.next_power_of_two();
    let mut tree: Vec<u64> = try_collect(2 * leaves, std::iter::repeat_n(u64::MAX, 2 * leaves), n);
    for (b, q) in queues.iter().enumerate() {
        tree[leaves + b] = q.min();
    }
    for t in (1..leaves).rev() {
        tree[t] = tree[2 * t].min(tree[2 * t + 1]);
    }
    let refresh = |tree: &mut [u64], b: usize, min: u64| {
        let mut t = leaves + b;
        tree[t] = min;
        while t > 1 {
            t /= 2;
            let m = tree[2 * t].min(tree[2 * t + 1]);
            if tree[t] == m {
                break;
            }
            tree[t] = m;
        }
    };
    // One run per visit of a block: only the block holding the smallest key is popped, until
    // its minimum passes `others`, the smallest key of every other block. Pushes to other
    // blocks can only lower `others`. The tree is walked twice per run, not once per pop: a
    // walk per pop grew with the number of blocks, a log factor on long pieces.
    while tree[1] != u64::MAX {
        let b = ((tree[1] as u32) >> block_bits) as usize;
        let mut others = u64::MAX;
        let mut t = leaves + b;
        while t > 1 {
            others = others.min(tree[t ^ 1]);
            t /= 2;
        }
        loop {
            if queues[b].settle_if_due(|k| pair[k as u32 as usize] == (k >> 32) as Rank) {
                continue;
            }
            let k = queues[b].min();
            if k >= others {
                break;
            }
            queues[b].pop();
            let (r, i) = ((k >> 32) as Rank, k as u32);
            if pair[i as usize] != r {
                continue;
            }
            let j = next[i as usize];
            // Merge node j into node i.
            pair[j as usize] = GONE;
            let k = next[j as usize];
            next[i as usize] = k;
            if k < n32 {
                prev[k as usize] = i;
            }
            let ri = rank_at(&next, i);
            pair[i as usize] = ri;
            if ri != Rank::MAX {
                // Node i is in block b, whose tree leaf is set when the run ends.
                queues[b].push(key(ri, i));
            }
            let p = prev[i as usize];
            if p != NONE {
                let rp = rank_at(&next, p);
                pair[p as usize] = rp;
                if rp != Rank::MAX {
                    let (k, bp) = (key(rp, p), (p >> block_bits) as usize);
                    queues[bp].push(k);
                    if bp != b {
                        others = others.min(k);
                        if k < tree[leaves + bp] {
                            refresh(&mut tree, bp, k);
                        }
                    }
                }
            }
        }
        refresh(&mut tree, b, queues[b].min());
    }
    let mut i = 0;
    while i < n {
        let e = next[i] as usize;
        emit(i, e);
        i = e;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tokenizer::get_encoding;

    /// The heap merge makes exactly tiktoken's choices: compare with the literal port on
    /// pieces of every shape, including long runs where ties abound.
    #[test]
    fn heap_and_small_merge_agree() {
        for name in ["r50k_base", "cl100k_base", "o200k_base"] {
            let vocab = get_encoding(name).unwrap().vocab;
            let mut pieces: Vec<Vec<u8>> = vec![
                b"a".repeat(127),
                b"ab".repeat(60),
                b" ".repeat(100),
                "中文字符".repeat(10).into_bytes(),
                "😀".repeat(30).into_bytes(),
                b"0123456789".repeat(12),
                b"indivisibilityantidisestablishmentarianism".to_vec(),
            ];
            let mut x: u64 = 12345;
            for _ in 0..300 {
                let len = 2 + (x % 120) as usize;
                let mut p = Vec::with_capacity(len);
                for _ in 0..len {
                    x ^= x << 13;
                    x ^= x >> 7;
                    x ^= x << 17;
                    p.push(b"aabbeeiinnrrsstt  ..\xc3\xa9"[(x % 22) as usize]);
                }
                pieces.push(p);
            }
            for p in pieces {
                let (mut a, mut b) = (Vec::new(), Vec::new());
                merge_small(vocab, &p, |s, e, r| a.push((s, e, r)));
                merge_heap(vocab, &p, |s, e| b.push((s, e, vocab.rank(&p[s..e]).unwrap())));
                for &(s, e, r) in &a {
                    assert_eq!(vocab.rank(&p[s..e]), Some(r), "{name}: the rank emitted for {s}..{e}");
                }
                assert_eq!(a, b, "{name} {:?}", String::from_utf8_lossy(&p));
                // Blocks of 1 to 16 positions: keys cross blocks on nearly every merge.
                for bits in [0, 2, 4] {
                    let mut c = Vec::new();
                    merge_blocked(vocab, &p, bits, |s, e| c.push((s, e, vocab.rank(&p[s..e]).unwrap())));
                    assert_eq!(a, c, "{name} blocks of {} {:?}", 1 << bits, String::from_utf8_lossy(&p));
                }
            }
        }
    }

    /// tiktoken's `byte_pair_merge`, quadratic and unbounded: the reference for long pieces.
    fn merge_reference(vocab: &Vocab, piece: &[u8]) -> Vec<(usize, usize, Rank)> {
        let rank = |a: usize, b: usize| vocab.rank(&piece[a..b]).unwrap_or(Rank::MAX);
        let mut parts: Vec<(usize, Rank)> = (0..=piece.len()).map(|i| (i, Rank::MAX)).collect();
        for (i, part) in parts.iter_mut().enumerate().take(piece.len().saturating_sub(1)) {
            part.1 = rank(i, i + 2);
        }
        while let Some((i, &(_, r))) = parts[..parts.len() - 1].iter().enumerate().min_by_key(|(i, p)| (p.1, *i)) {
            if r == Rank::MAX {
                break;
            }
            let pair = |parts: &[(usize, Rank)], i: usize| {
                if i + 3 < parts.len() {
                    rank(parts[i].0, parts[i + 3].0)
                } else {
                    Rank::MAX
                }
            };
            if i > 0 {
                parts[i - 1].1 = pair(&parts, i - 1);
            }
            parts[i].1 = pair(&parts, i);
            parts.remove(i + 1);
        }
        parts.windows(2).map(|w| (w[0].0, w[1].0, vocab.rank(&piece[w[0].0..w[1].0]).unwrap())).collect()
    }

    /// Long pieces (where the set-aside keys of [`KeyQueue`] come into play: runs of one
    /// letter, of a few letters, of spaces, CJK) merge exactly as tiktoken's quadratic loop
    /// does, in one block and in blocks small enough that keys cross them.
    #[test]
    fn long_pieces_merge_like_tiktoken() {
        let mut x: u64 = 0x2545F4914F6CDD1D;
        let mut rand = move |n: u64| {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            x % n
        };
        let mut pieces: Vec<Vec<u8>> =
            vec![b"a".repeat(3000), b"ab".repeat(900), b" ".repeat(2000), "中文字符的".repeat(150).into_bytes()];
        for _ in 0..12 {
            // Long runs of one letter broken by others, and random text over few letters.
            let mut p = Vec::new();
            while p.len() < 2500 {
                let c = b"aeinrst"[rand(7) as usize];
                let run = if rand(3) == 0 { 1 + rand(200) } else { 1 + rand(4) };
                p.extend(std::iter::repeat_n(c, run as usize));
            }
            pieces.push(p);
        }
        for name in ["cl100k_base", "o200k_base"] {
            let vocab = get_encoding(name).unwrap().vocab;
            for p in &pieces {
                let want = merge_reference(vocab, p);
                for bits in [BLOCK_BITS, 8, 5] {
                    let mut got = Vec::new();
                    merge_blocked(vocab, p, bits, |s, e| got.push((s, e, vocab.rank(&p[s..e]).unwrap())));
                    assert!(got == want, "{name} blocks of {} {:?}", 1 << bits, String::from_utf8_lossy(&p[..40]));
                }
            }
        }
    }
}
