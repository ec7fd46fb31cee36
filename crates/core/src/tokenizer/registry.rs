//! Which encodings there are, by name and by model, and the one shared instance of each.

use super::{models, ranks, Encoding};
use crate::error::{Error, Result};
use std::sync::OnceLock;

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
/// [installed](super::install_ranks) yet: `ERR_NOT_INITIALIZED`.
pub fn encoding(name: EncodingName) -> Result<&'static Encoding> {
    static CELLS: [OnceLock<Encoding>; 6] = [const { OnceLock::new() }; 6];
    let cell = &CELLS[name as usize];
    if let Some(e) = cell.get() {
        return Ok(e);
    }
    let built = Encoding::build(name, ranks::vocab(name)?);
    Ok(cell.get_or_init(|| built))
}
