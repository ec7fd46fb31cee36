//! OpenAI BPE encodings, byte-identical to tiktoken.
//!
//! [`get_encoding`] and [`encoding_for_model`] return a shared `&'static Encoding`; each
//! encoding (its rank table, special tokens and pre-tokenizer) is built on first use and
//! kept for the life of the process.
//!
//! # Panics
//! Counting, encoding and the toolkit merge each pre-token piece in memory that grows with
//! the piece (about 30 bytes per byte). A piece too long for the memory at hand panics with
//! an [`OutOfMemory`](crate::OutOfMemory) payload instead of aborting the process.

mod blocks;
mod bpe;
mod budget;
mod cache;
mod chunk;
mod models;
#[cfg(not(target_family = "wasm"))]
mod pool;
mod pretokenize;
pub mod rank_file;
mod special;
mod starts;
#[cfg(test)]
mod testing;
mod truncate;
mod vocab;

use crate::error::{Error, Result, SpecialList};
use pretokenize::{Family, Pretokenizer};
use special::Specials;
use std::sync::OnceLock;
use vocab::Vocab;

pub use budget::{Cut, Truncated, Within, DEFAULT_MIDDLE_MARKER};
pub use chunk::{Boundary, ChunkSpan};
pub use models::KNOWN_FAMILIES;
pub use vocab::Rank;

/// The encodings ironlung knows.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum EncodingName {
    /// GPT-2 and GPT-3's `r50k_base` (alias `gpt2`).
    R50kBase,
    /// Codex's `p50k_base`.
    P50kBase,
    /// `p50k_base` with the fill-in-the-middle specials of the edit models.
    P50kEdit,
    /// GPT-3.5 and GPT-4's `cl100k_base`.
    Cl100kBase,
    /// GPT-4o's and later models' `o200k_base`.
    O200kBase,
    /// `o200k_base` with the specials of gpt-oss's harmony chat format.
    O200kHarmony,
}

const ALL: [EncodingName; 6] = EncodingName::ALL;

impl std::fmt::Display for EncodingName {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

impl EncodingName {
    /// Every encoding, in the order [`list_encodings`] gives their names.
    pub const ALL: [EncodingName; 6] = [
        EncodingName::R50kBase,
        EncodingName::P50kBase,
        EncodingName::P50kEdit,
        EncodingName::Cl100kBase,
        EncodingName::O200kBase,
        EncodingName::O200kHarmony,
    ];

    /// The name tiktoken gives the encoding, e.g. `"cl100k_base"`.
    pub fn as_str(self) -> &'static str {
        match self {
            EncodingName::R50kBase => "r50k_base",
            EncodingName::P50kBase => "p50k_base",
            EncodingName::P50kEdit => "p50k_edit",
            EncodingName::Cl100kBase => "cl100k_base",
            EncodingName::O200kBase => "o200k_base",
            EncodingName::O200kHarmony => "o200k_harmony",
        }
    }

    /// Parses an encoding name. `gpt2` is accepted as tiktoken's alias of `r50k_base`.
    pub fn parse(name: &str) -> Result<EncodingName> {
        if name == "gpt2" {
            return Ok(EncodingName::R50kBase);
        }
        ALL.iter()
            .copied()
            .find(|e| e.as_str() == name)
            .ok_or_else(|| Error::UnknownEncoding { name: name.to_string() })
    }
}

/// The names of all supported encodings.
pub fn list_encodings() -> Vec<&'static str> {
    ALL.iter().map(|e| e.as_str()).collect()
}

/// The shared encoding called `name` (`"cl100k_base"`, ...).
pub fn get_encoding(name: &str) -> Result<&'static Encoding> {
    encoding(EncodingName::parse(name)?)
}

/// The shared encoding used by OpenAI model `model` (`"gpt-4o-2024-08-06"`, ...).
pub fn encoding_for_model(model: &str) -> Result<&'static Encoding> {
    encoding(encoding_name_for_model(model)?)
}

/// The name of the encoding used by `model`, without building the encoding.
pub fn encoding_name_for_model(model: &str) -> Result<EncodingName> {
    match models::encoding_name_for_model(model) {
        Some(e) => Ok(e),
        None => Err(Error::UnknownModel { model: model.to_string() }),
    }
}

/// The shared encoding `name`, built on first use.
///
/// Fails only where rank data is not embedded (the wasm build) and has not been
/// [installed](install_ranks) yet: `ERR_NOT_INITIALIZED`.
pub fn encoding(name: EncodingName) -> Result<&'static Encoding> {
    static CELLS: [OnceLock<Encoding>; 6] = [const { OnceLock::new() }; 6];
    let cell = &CELLS[name as usize];
    if let Some(e) = cell.get() {
        return Ok(e);
    }
    let built = Encoding::build(name, vocab(name)?);
    Ok(cell.get_or_init(|| built))
}

/// The rank table an encoding uses: `p50k_edit` shares `p50k_base`'s, `o200k_harmony`
/// shares `o200k_base`'s.
pub fn rank_table(name: EncodingName) -> &'static str {
    RANK_TABLES[table_index(name)]
}

/// The rank tables the encodings use, as [`rank_table`] and [`install_ranks`] name them.
pub const RANK_TABLES: [&str; 4] = ["r50k_base", "p50k_base", "cl100k_base", "o200k_base"];

fn table_index(name: EncodingName) -> usize {
    use EncodingName::*;
    match name {
        R50kBase => 0,
        P50kBase | P50kEdit => 1,
        Cl100kBase => 2,
        O200kBase | O200kHarmony => 3,
    }
}

mod expected {
    include!(concat!(env!("OUT_DIR"), "/rank_hashes.rs"));
}

/// Rank tables handed over at run time (where they are not embedded).
static INSTALLED: [OnceLock<&'static [u8]>; 4] = [const { OnceLock::new() }; 4];

#[cfg(feature = "embed-ranks")]
fn embedded(file: usize) -> Option<&'static [u8]> {
    static TABLES: [&[u8]; 4] = [
        include_bytes!(concat!(env!("OUT_DIR"), "/r50k_base.ranks")),
        include_bytes!(concat!(env!("OUT_DIR"), "/p50k_base.ranks")),
        include_bytes!(concat!(env!("OUT_DIR"), "/cl100k_base.ranks")),
        include_bytes!(concat!(env!("OUT_DIR"), "/o200k_base.ranks")),
    ];
    Some(TABLES[file])
}

#[cfg(not(feature = "embed-ranks"))]
fn embedded(_file: usize) -> Option<&'static [u8]> {
    None
}

/// The embedded rank tables, by name (for exporting them to the wasm package).
#[cfg(feature = "embed-ranks")]
pub fn embedded_rank_tables() -> impl Iterator<Item = (&'static str, &'static [u8])> {
    (0..4).filter_map(|f| Some((RANK_TABLES[f], embedded(f)?)))
}

/// The bytes of rank table `file`: embedded, or installed at run time.
fn table_bytes(file: usize) -> Option<&'static [u8]> {
    embedded(file).or_else(|| INSTALLED[file].get().copied())
}

/// Whether the rank data of `name` is at hand (always, where it is embedded).
pub fn ranks_available(name: EncodingName) -> bool {
    table_bytes(table_index(name)).is_some()
}

/// Hands over the rank table `table` (as [`rank_table`] names it), e.g. fetched by a browser:
/// the file `<table>.wasm` as shipped (see [`rank_file`]), or the bare table inside it.
/// The bytes must be exactly the table this build was made with: a hash of them is checked,
/// so a stale or truncated download is `ERR_CORRUPT_DATA`, never wrong tokens. Installing
/// a table twice is harmless.
pub fn install_ranks(table: &str, mut data: Vec<u8>) -> Result<()> {
    let Some(file) = RANK_TABLES.iter().position(|t| *t == table) else {
        return Err(Error::UnknownRankTable { table: table.to_string() });
    };
    if rank_file::is_wrapped(&data) {
        let Some(payload) = rank_file::unwrap(&data) else {
            return Err(Error::CorruptRanks {
                table: table.to_string(),
                reason: format!(
                    "the rank file for {table} ({} bytes) is a wasm module but not one holding a rank table: \
                     expected exactly one custom section named {:?}",
                    data.len(),
                    rank_file::SECTION
                ),
            });
        };
        data.drain(..payload.start);
    }
    let got = crate::fingerprint::fnv1a(&data);
    if got != expected::HASHES[file] || data.len() != expected::LENGTHS[file] {
        return Err(Error::CorruptRanks {
            table: table.to_string(),
            reason: format!(
                "rank data for {table} does not match this build: {} bytes with hash {got:016x}, expected {} bytes with hash {:016x}",
                data.len(),
                expected::LENGTHS[file],
                expected::HASHES[file]
            ),
        });
    }
    if INSTALLED[file].get().is_none() {
        let _ = INSTALLED[file].set(Box::leak(data.into_boxed_slice()));
    }
    Ok(())
}

fn vocab(name: EncodingName) -> Result<&'static Vocab> {
    static CELLS: [OnceLock<Vocab>; 4] = [const { OnceLock::new() }; 4];
    let file = table_index(name);
    if let Some(v) = CELLS[file].get() {
        return Ok(v);
    }
    let Some(table) = table_bytes(file) else {
        return Err(Error::RanksNotLoaded { encoding: name, table: RANK_TABLES[file] });
    };
    Ok(CELLS[file].get_or_init(|| Vocab::parse(file, table)))
}

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
    name: EncodingName,
    vocab: &'static Vocab,
    specials: Specials,
    pre: Pretokenizer,
}

const ENDOFTEXT: &str = "<|endoftext|>";
const FIM_PREFIX: &str = "<|fim_prefix|>";
const FIM_MIDDLE: &str = "<|fim_middle|>";
const FIM_SUFFIX: &str = "<|fim_suffix|>";
const ENDOFPROMPT: &str = "<|endofprompt|>";

impl Encoding {
    fn build(name: EncodingName, vocab: &'static Vocab) -> Encoding {
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
            if let Some(q) = (from..to).find(|&q| pretokenize::is_split_point(bytes, q)) {
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

    /// The longest prefix of `text` that counts at most `max_tokens` tokens, cut on a
    /// character boundary. See the `truncate` module for how "longest" is established.
    pub fn truncate<'t>(&self, text: &'t str, max_tokens: usize) -> &'t str {
        truncate::truncate_prefix(self, text, max_tokens)
    }
}

#[cfg(all(test, feature = "embed-ranks"))]
mod install_tests {
    use super::*;

    #[test]
    fn installs_only_the_matching_table() {
        let (_, cl100k) = embedded_rank_tables().find(|(t, _)| *t == "cl100k_base").unwrap();
        assert!(install_ranks("cl100k_base", cl100k.to_vec()).is_ok());
        let e = install_ranks("cl100k_base", cl100k[..cl100k.len() - 1].to_vec()).unwrap_err();
        assert_eq!(e.code(), "ERR_CORRUPT_DATA");
        assert!(e.to_string().contains("does not match this build"), "{}", e);
        let e = install_ranks("o200k_base", cl100k.to_vec()).unwrap_err();
        assert_eq!(e.code(), "ERR_CORRUPT_DATA");
        assert_eq!(install_ranks("cl100k", vec![]).unwrap_err().code(), "ERR_INVALID_ARG");
        assert_eq!(rank_table(EncodingName::O200kHarmony), "o200k_base");
        assert!(ranks_available(EncodingName::P50kEdit));
    }

    #[test]
    fn accepts_the_shipped_file_and_names_a_foreign_module() {
        let (_, cl100k) = embedded_rank_tables().find(|(t, _)| *t == "cl100k_base").unwrap();
        assert!(install_ranks("cl100k_base", rank_file::wrap(cl100k)).is_ok());
        let mut truncated = rank_file::wrap(cl100k);
        truncated.pop();
        let e = install_ranks("cl100k_base", truncated).unwrap_err();
        assert_eq!(e.code(), "ERR_CORRUPT_DATA");
        assert!(e.to_string().contains("custom section named \"ironlung.ranks\""), "{}", e);
        let e = install_ranks("cl100k_base", rank_file::wrap(&cl100k[1..])).unwrap_err();
        assert!(e.to_string().contains("does not match this build"), "{}", e);
    }
}

fn summarize(names: &[String]) -> String {
    if names.len() <= 8 {
        names.join(", ")
    } else {
        format!("{}, … ({} in all)", names[..8].join(", "), names.len())
    }
}
