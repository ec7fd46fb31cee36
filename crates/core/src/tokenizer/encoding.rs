//! [`Encoding`]: one OpenAI encoding's vocabulary, special tokens and pre-tokenizer, and
//! what it does with text: encode, count, decode. Budgets (`budget`) and chunks (`chunk`)
//! are methods of it too, each in its own module.

#[cfg(not(target_family = "wasm"))]
use super::pool;
use super::pretokenize::{Family, Pretokenizer};
use super::special::Specials;
use super::vocab::{Rank, Vocab};
use super::EncodingName;
use super::{bpe, cache};
use crate::error::{Error, Result, SpecialList};

/// Which special tokens an [`Encoding::encode`] call allows or disallows.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum SpecialSet {
    /// Every special token of the encoding.
    All,
    /// Exactly these (each must be a special token of the encoding).
    Only(Vec<String>),
}

impl SpecialSet {
    /// The empty list.
    pub fn none() -> SpecialSet {
        SpecialSet::Only(Vec::new())
    }
}

/// Texts shorter than this many bytes per part are counted on one thread: waking a helper
/// costs tens of microseconds, counting 32 KiB a couple of hundred.
#[cfg(not(target_family = "wasm"))]
const PARALLEL_PART: usize = 32 << 10;
/// How far past an even cut to look for a split point before giving up on that cut.
#[cfg(not(target_family = "wasm"))]
const SPLIT_SEARCH: usize = 16 << 10;
/// Parts per thread of [`Encoding::count_parallel`] (when the text is long enough).
#[cfg(not(target_family = "wasm"))]
const PARTS_PER_THREAD: usize = 4;

/// One OpenAI encoding: a vocabulary, its special tokens and its pre-tokenizer.
pub struct Encoding {
    pub(super) name: EncodingName,
    pub(super) vocab: &'static Vocab,
    pub(super) specials: Specials,
    pub(super) pre: Pretokenizer,
}

const ENDOFTEXT: &str = "<|endoftext|>";
const FIM_PREFIX: &str = "<|fim_prefix|>";
const FIM_MIDDLE: &str = "<|fim_middle|>";
const FIM_SUFFIX: &str = "<|fim_suffix|>";
const ENDOFPROMPT: &str = "<|endofprompt|>";

impl Encoding {
    pub(super) fn build(name: EncodingName, vocab: &'static Vocab) -> Encoding {
        use EncodingName::*;
        let s = |t: &str, r: Rank| (t.to_string(), r);
        let (family, specials) = match name {
            R50kBase => (Family::Gpt2, vec![s(ENDOFTEXT, 50256)]),
            P50kBase => (Family::Gpt2, vec![s(ENDOFTEXT, 50256)]),
            P50kEdit => (
                Family::Gpt2,
                vec![s(ENDOFTEXT, 50256), s(FIM_PREFIX, 50281), s(FIM_MIDDLE, 50282), s(FIM_SUFFIX, 50283)],
            ),
            Cl100kBase => (
                Family::Cl100k,
                vec![
                    s(ENDOFTEXT, 100257),
                    s(FIM_PREFIX, 100258),
                    s(FIM_MIDDLE, 100259),
                    s(FIM_SUFFIX, 100260),
                    s(ENDOFPROMPT, 100276),
                ],
            ),
            O200kBase => (Family::O200k, vec![s(ENDOFTEXT, 199999), s(ENDOFPROMPT, 200018)]),
            O200kHarmony => {
                let mut v = vec![
                    s("<|startoftext|>", 199998),
                    s(ENDOFTEXT, 199999),
                    s("<|return|>", 200002),
                    s("<|constrain|>", 200003),
                    s("<|channel|>", 200005),
                    s("<|start|>", 200006),
                    s("<|end|>", 200007),
                    s("<|message|>", 200008),
                    s("<|call|>", 200012),
                ];
                for r in [200000, 200001, 200004, 200009, 200010, 200011] {
                    v.push((format!("<|reserved_{r}|>"), r));
                }
                for r in 200013..=201087 {
                    v.push((format!("<|reserved_{r}|>"), r));
                }
                (Family::O200k, v)
            }
        };
        Encoding { name, vocab, specials: Specials::new(specials), pre: Pretokenizer::new(family) }
    }

    /// The encoding's name, e.g. `"cl100k_base"`.
    pub fn name(&self) -> &'static str {
        self.name.as_str()
    }

    /// Which encoding this is.
    pub fn encoding_name(&self) -> EncodingName {
        self.name
    }

    /// Runs `f` with this thread's piece memo for this encoding's vocabulary.
    #[inline]
    pub(crate) fn with_memo<R>(&self, f: impl FnOnce(&mut cache::Memo) -> R) -> R {
        cache::with_memo(self.vocab.id(), f)
    }

    /// One past the largest token id, special tokens included.
    pub fn n_vocab(&self) -> u32 {
        let ordinary = self.vocab.len() as u32;
        self.specials.max_rank().map_or(ordinary, |r| ordinary.max(r + 1))
    }

    /// The pre-tokenizer's pieces of `text`, as byte ranges: what tiktoken's regex for this
    /// encoding matches. For the fuzzers' differential against that regex.
    #[doc(hidden)]
    pub fn pieces(&self, text: &str) -> Vec<(usize, usize)> {
        self.pre.pieces(text).collect()
    }

    /// The special tokens of this encoding, in id order.
    pub fn special_tokens(&self) -> &[String] {
        self.specials.names()
    }

    /// Tokens of `text`, treating special-token text as ordinary text.
    pub fn encode_ordinary(&self, text: &str) -> Vec<Rank> {
        let mut out = Vec::with_capacity(text.len() / 4 + 1);
        self.encode_ordinary_into(text, &mut out);
        out
    }

    fn encode_ordinary_into(&self, text: &str, out: &mut Vec<Rank>) {
        let bytes = text.as_bytes();
        self.with_memo(|memo| {
            for (a, b) in self.pre.pieces(text) {
                bpe::encode_piece(self.vocab, &bytes[a..b], out, memo);
            }
        })
    }

    /// The number of tokens [`Encoding::encode_ordinary`] would return, without the array.
    pub fn count(&self, text: &str) -> usize {
        let keys = cache::Keys::new(text.as_bytes());
        self.with_memo(|memo| {
            let (mut pieces, mut n) = (self.pre.pieces(text), 0);
            while let Some((a, b)) = pieces.next_inline() {
                // SAFETY: (a, b) is a piece `pieces` yielded for the text `keys` was made from.
                n += unsafe { bpe::count_piece(self.vocab, &keys, (a, b), memo) };
            }
            n
        })
    }

    /// Calls `f(start, end)` with the byte range of each token of `text`, in order. Once `f`
    /// has returned `false`, the walk stops at the end of the current piece.
    pub(crate) fn each_token(&self, text: &str, mut f: impl FnMut(usize, usize) -> bool) {
        let bytes = text.as_bytes();
        for (a, b) in self.pre.pieces(text) {
            let piece = &bytes[a..b];
            let go = if self.vocab.rank(piece).is_some() {
                f(a, b)
            } else {
                let mut go = true;
                bpe::merge(self.vocab, piece, |s, e, _| go &= f(a + s, a + e));
                go
            };
            if !go {
                break;
            }
        }
    }

    /// [`Encoding::count`], split across cores when `text` is large.
    ///
    /// The text is cut only where every pattern ends a piece anyway
    /// (see `pretokenize::is_split_point`), so each part pre-tokenizes and counts on its own
    /// and the sum is the sequential count exactly. The parts run on this thread and on a
    /// few long-lived helper threads (one per extra core; `IRONLUNG_THREADS=n` caps the
    /// total at `n`, and 1 turns the helpers off); parts no helper has started when this
    /// thread finishes its own are run here, so a busy machine costs little.
    #[cfg(not(target_family = "wasm"))]
    pub fn count_parallel(&self, text: &str) -> usize {
        // Checked before the pool is touched: small texts never start its threads.
        if text.len() < 2 * PARALLEL_PART {
            return self.count(text);
        }
        // Several parts per thread: each thread takes the next part when it is done with
        // one, so a thread slowed by a neighbour (or by a harder stretch of text) leaves
        // at most one part for the others to wait on, not half the text.
        let parts = (pool::width() * PARTS_PER_THREAD).min(text.len() / PARALLEL_PART);
        if parts <= 1 {
            return self.count(text);
        }
        let bytes = text.as_bytes();
        let mut cuts = vec![0];
        for k in 1..parts {
            let from = (text.len() * k / parts).max(*cuts.last().unwrap() + 1);
            let to = (from + SPLIT_SEARCH).min(text.len());
            if let Some(q) = (from..to).find(|&q| super::pretokenize::is_split_point(bytes, q)) {
                cuts.push(q);
            }
        }
        cuts.push(text.len());
        let count_part = |w: &[usize]| self.count(&text[w[0]..w[1]]);
        let jobs: Vec<_> = cuts.windows(2).map(|w| move || count_part(w)).collect();
        let jobs: Vec<&(dyn Fn() -> usize + Sync)> = jobs.iter().map(|j| j as _).collect();
        pool::run(&jobs).into_iter().sum()
    }

    /// Tokens of `text` with tiktoken's special-token rules: special-token text that is
    /// disallowed is an `ERR_DISALLOWED_SPECIAL` error; allowed ones become their ids; the
    /// rest is ordinary text. `disallowed = All` means "every special not allowed".
    pub fn encode(&self, text: &str, allowed: &SpecialSet, disallowed: &SpecialSet) -> Result<Vec<Rank>> {
        self.check_names(allowed, SpecialList::Allowed)?;
        self.check_names(disallowed, SpecialList::Disallowed)?;
        // As sets of ranks, so each special token found costs one lookup, however long the
        // lists (check_names has made sure every name is a special token).
        let ranks = |set: &SpecialSet| match set {
            SpecialSet::All => None,
            SpecialSet::Only(v) => {
                Some(v.iter().filter_map(|t| self.specials.rank(t)).collect::<rustc_hash::FxHashSet<Rank>>())
            }
        };
        let (allowed, disallowed) = (ranks(allowed), ranks(disallowed));
        let is_allowed = |r: Rank| allowed.as_ref().is_none_or(|s| s.contains(&r));
        let is_disallowed = |r: Rank| match &disallowed {
            None => !is_allowed(r),
            Some(s) => s.contains(&r),
        };
        let mut at = 0;
        while let Some((a, b, rank)) = self.specials.find(text, at) {
            let token = &text[a..b];
            if is_disallowed(rank) {
                return Err(Error::DisallowedSpecial { token: token.to_string(), offset: a });
            }
            at = a + 1;
        }
        let mut out = Vec::with_capacity(text.len() / 4 + 1);
        let (mut seg, mut at) = (0, 0);
        while let Some((a, b, rank)) = self.specials.find(text, at) {
            if is_allowed(rank) {
                self.encode_ordinary_into(&text[seg..a], &mut out);
                out.push(rank);
                seg = b;
                at = b;
            } else {
                at = a + 1;
            }
        }
        self.encode_ordinary_into(&text[seg..], &mut out);
        Ok(out)
    }

    fn check_names(&self, set: &SpecialSet, list: SpecialList) -> Result<()> {
        if let SpecialSet::Only(names) = set {
            if let Some(bad) = names.iter().find(|n| self.specials.rank(n).is_none()) {
                return Err(Error::NotASpecialToken {
                    list,
                    name: bad.clone(),
                    encoding: self.name,
                    specials: summarize(self.specials.names()),
                });
            }
        }
        Ok(())
    }

    /// The bytes of `tokens`, concatenated. Unknown ids are `ERR_INVALID_TOKEN`.
    pub fn decode_bytes(&self, tokens: &[Rank]) -> Result<Vec<u8>> {
        let mut out = Vec::with_capacity(tokens.len() * 4);
        for (i, &t) in tokens.iter().enumerate() {
            if let Some(b) = self.vocab.token(t) {
                out.extend_from_slice(b);
            } else if let Some(s) = self.specials.text(t) {
                out.extend_from_slice(s.as_bytes());
            } else {
                return Err(Error::InvalidToken { token: t, index: i, encoding: self.name, n_vocab: self.n_vocab() });
            }
        }
        Ok(out)
    }

    /// The text of `tokens`; byte sequences that are not valid UTF-8 become U+FFFD.
    pub fn decode(&self, tokens: &[Rank]) -> Result<String> {
        let bytes = self.decode_bytes(tokens)?;
        Ok(match String::from_utf8(bytes) {
            Ok(s) => s,
            Err(e) => String::from_utf8_lossy(e.as_bytes()).into_owned(),
        })
    }
}

fn summarize(names: &[String]) -> String {
    if names.len() <= 8 {
        names.join(", ")
    } else {
        format!("{}, … ({} in all)", names[..8].join(", "), names.len())
    }
}
