//! OpenAI BPE encodings, byte-identical to tiktoken.
//!
//! [`get_encoding`] and [`encoding_for_model`] return a shared `&'static Encoding`; each
//! encoding (its rank table, special tokens and pre-tokenizer) is built on first use and
//! kept for the life of the process.

mod bpe;
mod budget;
mod cache;
mod chunk;
mod models;
mod pretokenize;
mod special;
mod truncate;
mod vocab;

use crate::error::{Code, Error, Result};
use pretokenize::{Family, Pretokenizer};
use special::Specials;
use std::sync::OnceLock;
use vocab::Vocab;

pub use budget::{Cut, Truncated, Within, DEFAULT_MIDDLE_MARKER};
pub use chunk::{Boundary, ChunkSpan};
pub use vocab::Rank;

/// The encodings ironlung knows, in the order of their numeric ids.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum EncodingName {
    R50kBase,
    P50kBase,
    P50kEdit,
    Cl100kBase,
    O200kBase,
    O200kHarmony,
}

const ALL: [EncodingName; 6] = [
    EncodingName::R50kBase,
    EncodingName::P50kBase,
    EncodingName::P50kEdit,
    EncodingName::Cl100kBase,
    EncodingName::O200kBase,
    EncodingName::O200kHarmony,
];

impl EncodingName {
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
        ALL.iter().copied().find(|e| e.as_str() == name).ok_or_else(|| {
            Error::new(
                Code::UnknownEncoding,
                format!("unknown encoding {name:?}; known encodings: {}", list_encodings().join(", ")),
            )
        })
    }

    /// The numeric id used by the bindings (index into [`list_encodings`]).
    pub fn id(self) -> u32 {
        ALL.iter().position(|&e| e == self).unwrap() as u32
    }
}

/// The names of all supported encodings.
pub fn list_encodings() -> Vec<&'static str> {
    ALL.iter().map(|e| e.as_str()).collect()
}

/// The shared encoding called `name` (`"cl100k_base"`, ...).
pub fn get_encoding(name: &str) -> Result<&'static Encoding> {
    Ok(encoding(EncodingName::parse(name)?))
}

/// The shared encoding used by OpenAI model `model` (`"gpt-4o-2024-08-06"`, ...).
pub fn encoding_for_model(model: &str) -> Result<&'static Encoding> {
    Ok(encoding(encoding_name_for_model(model)?))
}

/// The name of the encoding used by `model`, without building the encoding.
pub fn encoding_name_for_model(model: &str) -> Result<EncodingName> {
    match models::encoding_name_for_model(model) {
        Some(e) => Ok(e),
        None => Err(Error::new(
            Code::UnknownModel,
            format!(
                "unknown model {model:?}; known model families: {}; or pick an encoding with getEncoding()",
                models::KNOWN_FAMILIES
            ),
        )),
    }
}

/// The encoding with numeric id `id` (its index in [`list_encodings`]).
pub fn encoding_by_id(id: u32) -> Result<&'static Encoding> {
    ALL.get(id as usize).map(|&e| encoding(e)).ok_or_else(|| {
        Error::invalid_arg(format!("encoding id {id} is out of range 0..{}", ALL.len()))
    })
}

/// The shared encoding `name`, built on first use.
pub fn encoding(name: EncodingName) -> &'static Encoding {
    static CELLS: [OnceLock<Encoding>; 6] = [const { OnceLock::new() }; 6];
    CELLS[name.id() as usize].get_or_init(|| Encoding::build(name))
}

fn vocab(file: usize) -> &'static Vocab {
    static TABLES: [&[u8]; 4] = [
        include_bytes!(concat!(env!("OUT_DIR"), "/r50k_base.ranks")),
        include_bytes!(concat!(env!("OUT_DIR"), "/p50k_base.ranks")),
        include_bytes!(concat!(env!("OUT_DIR"), "/cl100k_base.ranks")),
        include_bytes!(concat!(env!("OUT_DIR"), "/o200k_base.ranks")),
    ];
    static CELLS: [OnceLock<Vocab>; 4] = [const { OnceLock::new() }; 4];
    CELLS[file].get_or_init(|| Vocab::parse(file, TABLES[file]))
}

fn pretokenizer(family: Family) -> &'static Pretokenizer {
    static CELLS: [OnceLock<Pretokenizer>; 3] = [const { OnceLock::new() }; 3];
    let i = family as usize;
    CELLS[i].get_or_init(|| Pretokenizer::new(family))
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
    pub fn none() -> SpecialSet {
        SpecialSet::Only(Vec::new())
    }
}

/// One OpenAI encoding: a vocabulary, its special tokens and its pre-tokenizer.
pub struct Encoding {
    name: EncodingName,
    vocab: &'static Vocab,
    specials: Specials,
    pre: &'static Pretokenizer,
}

const ENDOFTEXT: &str = "<|endoftext|>";
const FIM_PREFIX: &str = "<|fim_prefix|>";
const FIM_MIDDLE: &str = "<|fim_middle|>";
const FIM_SUFFIX: &str = "<|fim_suffix|>";
const ENDOFPROMPT: &str = "<|endofprompt|>";

impl Encoding {
    fn build(name: EncodingName) -> Encoding {
        use EncodingName::*;
        let s = |t: &str, r: Rank| (t.to_string(), r);
        let (file, family, specials) = match name {
            R50kBase => (0, Family::Gpt2, vec![s(ENDOFTEXT, 50256)]),
            P50kBase => (1, Family::Gpt2, vec![s(ENDOFTEXT, 50256)]),
            P50kEdit => (
                1,
                Family::Gpt2,
                vec![
                    s(ENDOFTEXT, 50256),
                    s(FIM_PREFIX, 50281),
                    s(FIM_MIDDLE, 50282),
                    s(FIM_SUFFIX, 50283),
                ],
            ),
            Cl100kBase => (
                2,
                Family::Cl100k,
                vec![
                    s(ENDOFTEXT, 100257),
                    s(FIM_PREFIX, 100258),
                    s(FIM_MIDDLE, 100259),
                    s(FIM_SUFFIX, 100260),
                    s(ENDOFPROMPT, 100276),
                ],
            ),
            O200kBase => (3, Family::O200k, vec![s(ENDOFTEXT, 199999), s(ENDOFPROMPT, 200018)]),
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
                (3, Family::O200k, v)
            }
        };
        Encoding { name, vocab: vocab(file), specials: Specials::new(specials), pre: pretokenizer(family) }
    }

    /// The encoding's name, e.g. `"cl100k_base"`.
    pub fn name(&self) -> &'static str {
        self.name.as_str()
    }

    /// The numeric id used by the bindings (index into [`list_encodings`]).
    pub fn id(&self) -> u32 {
        self.name.id()
    }

    /// One past the largest token id, special tokens included.
    pub fn n_vocab(&self) -> u32 {
        let ordinary = self.vocab.len() as u32;
        self.specials.max_rank().map_or(ordinary, |r| ordinary.max(r + 1))
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
        for (a, b) in self.pre.pieces(text) {
            bpe::encode_piece(self.vocab, &bytes[a..b], out);
        }
    }

    /// The number of tokens [`Encoding::encode_ordinary`] would return, without the array.
    pub fn count(&self, text: &str) -> usize {
        let bytes = text.as_bytes();
        self.pre.pieces(text).map(|(a, b)| bpe::count_piece(self.vocab, &bytes[a..b])).sum()
    }

    /// [`Encoding::count`] using up to `threads` threads: pre-tokenization runs once, in
    /// order, and the pieces are then counted in parallel. The pieces are exactly those of a
    /// sequential count, so the result is identical by construction.
    #[cfg(not(target_family = "wasm"))]
    pub fn count_parallel(&self, text: &str, threads: usize) -> usize {
        if threads <= 1 || text.len() < 1 << 16 {
            return self.count(text);
        }
        let pieces: Vec<(usize, usize)> = self.pre.pieces(text).collect();
        let bytes = text.as_bytes();
        let per = pieces.len().div_ceil(threads);
        std::thread::scope(|scope| {
            let jobs: Vec<_> = pieces
                .chunks(per)
                .map(|part| {
                    scope.spawn(move || part.iter().map(|&(a, b)| bpe::count_piece(self.vocab, &bytes[a..b])).sum::<usize>())
                })
                .collect();
            jobs.into_iter().map(|j| j.join().unwrap_or_else(|p| std::panic::resume_unwind(p))).sum()
        })
    }

    /// Tokens of `text` with tiktoken's special-token rules: special-token text that is
    /// disallowed is an `ERR_DISALLOWED_SPECIAL` error; allowed ones become their ids; the
    /// rest is ordinary text. `disallowed = All` means "every special not allowed".
    pub fn encode(&self, text: &str, allowed: &SpecialSet, disallowed: &SpecialSet) -> Result<Vec<Rank>> {
        self.check_names(allowed, "allowedSpecial")?;
        self.check_names(disallowed, "disallowedSpecial")?;
        let is_allowed = |t: &str| match allowed {
            SpecialSet::All => true,
            SpecialSet::Only(v) => v.iter().any(|a| a == t),
        };
        let is_disallowed = |t: &str| match disallowed {
            SpecialSet::All => !is_allowed(t),
            SpecialSet::Only(v) => v.iter().any(|d| d == t),
        };
        let mut at = 0;
        while let Some((a, b, _)) = self.specials.find(text, at) {
            let token = &text[a..b];
            if is_disallowed(token) {
                let index = text[..a].encode_utf16().count();
                return Err(Error::new(
                    Code::DisallowedSpecial,
                    format!(
                        "text contains the special token {token:?} at index {index}, which is disallowed; \
                         pass {{ allowedSpecial: [{token:?}] }} (or 'all') to encode it as a special token, \
                         or {{ disallowedSpecial: [] }} to encode it as ordinary text"
                    ),
                ));
            }
            at = a + 1;
        }
        let mut out = Vec::with_capacity(text.len() / 4 + 1);
        let (mut seg, mut at) = (0, 0);
        while let Some((a, b, rank)) = self.specials.find(text, at) {
            if is_allowed(&text[a..b]) {
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

    fn check_names(&self, set: &SpecialSet, option: &str) -> Result<()> {
        if let SpecialSet::Only(names) = set {
            if let Some(bad) = names.iter().find(|n| self.specials.rank(n).is_none()) {
                return Err(Error::invalid_arg(format!(
                    "{option} contains {bad:?}, which is not a special token of {}; its special tokens are {}",
                    self.name(),
                    summarize(self.specials.names())
                )));
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
                return Err(Error::new(
                    Code::InvalidToken,
                    format!(
                        "token {t} at index {i} is not a token of {} (ids run from 0 to {})",
                        self.name(),
                        self.n_vocab() - 1
                    ),
                ));
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
    /// character boundary. See [`truncate`] for how "longest" is established.
    pub fn truncate<'t>(&self, text: &'t str, max_tokens: usize) -> &'t str {
        truncate::truncate_prefix(self, text, max_tokens)
    }
}

fn summarize(names: &[String]) -> String {
    if names.len() <= 8 {
        names.join(", ")
    } else {
        format!("{}, … ({} in all)", names[..8].join(", "), names.len())
    }
}
