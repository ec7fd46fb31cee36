//! Which encoding an OpenAI model name uses.
//!
//! Follows tiktoken's `model.py` tables (exact names first, then the longest matching
//! prefix, so that `gpt-4o-2024-08-06` resolves through `gpt-4o-` and not `gpt-4-`), with
//! fine-tune names (`ft:gpt-4o-mini-2024-07-18:org::id`) and provider prefixes
//! (`openai/gpt-4o`) reduced to their base model first.

use super::EncodingName::{self, *};

const EXACT: &[(&str, EncodingName)] = &[
    // reasoning
    ("o1", O200kBase),
    ("o3", O200kBase),
    ("o4-mini", O200kBase),
    // chat
    ("gpt-5", O200kBase),
    ("gpt-4.1", O200kBase),
    ("gpt-4.5", O200kBase),
    ("gpt-4o", O200kBase),
    ("chatgpt-4o-latest", O200kBase),
    ("codex-mini-latest", O200kBase),
    ("computer-use-preview", O200kBase),
    ("gpt-realtime", O200kBase),
    ("gpt-audio", O200kBase),
    ("gpt-4", Cl100kBase),
    ("gpt-3.5-turbo", Cl100kBase),
    ("gpt-3.5", Cl100kBase),
    ("gpt-35-turbo", Cl100kBase),
    // base
    ("davinci-002", Cl100kBase),
    ("babbage-002", Cl100kBase),
    // embeddings
    ("text-embedding-ada-002", Cl100kBase),
    ("text-embedding-3-small", Cl100kBase),
    ("text-embedding-3-large", Cl100kBase),
    // deprecated text and code models
    ("text-davinci-003", P50kBase),
    ("text-davinci-002", P50kBase),
    ("text-davinci-001", R50kBase),
    ("text-curie-001", R50kBase),
    ("text-babbage-001", R50kBase),
    ("text-ada-001", R50kBase),
    ("davinci", R50kBase),
    ("curie", R50kBase),
    ("babbage", R50kBase),
    ("ada", R50kBase),
    ("code-davinci-002", P50kBase),
    ("code-davinci-001", P50kBase),
    ("code-cushman-002", P50kBase),
    ("code-cushman-001", P50kBase),
    ("davinci-codex", P50kBase),
    ("cushman-codex", P50kBase),
    ("text-davinci-edit-001", P50kEdit),
    ("code-davinci-edit-001", P50kEdit),
    ("text-similarity-davinci-001", R50kBase),
    ("text-similarity-curie-001", R50kBase),
    ("text-similarity-babbage-001", R50kBase),
    ("text-similarity-ada-001", R50kBase),
    ("text-search-davinci-doc-001", R50kBase),
    ("text-search-curie-doc-001", R50kBase),
    ("text-search-babbage-doc-001", R50kBase),
    ("text-search-ada-doc-001", R50kBase),
    ("code-search-babbage-code-001", R50kBase),
    ("code-search-ada-code-001", R50kBase),
    // open weights
    ("gpt2", R50kBase),
    ("gpt-2", R50kBase),
];

/// Prefixes, each followed in real names by a version, date or variant suffix.
const PREFIX: &[(&str, EncodingName)] = &[
    ("o1-", O200kBase),
    ("o3-", O200kBase),
    ("o4-mini-", O200kBase),
    ("gpt-5-", O200kBase),
    ("gpt-5.", O200kBase),
    ("gpt-4.5-", O200kBase),
    ("gpt-4.1-", O200kBase),
    ("chatgpt-4o-", O200kBase),
    ("gpt-4o-", O200kBase),
    ("gpt-realtime-", O200kBase),
    ("gpt-audio-", O200kBase),
    ("gpt-oss-", O200kHarmony),
    ("gpt-4-", Cl100kBase),
    ("gpt-3.5-turbo-", Cl100kBase),
    ("gpt-35-turbo-", Cl100kBase),
];

/// The encoding of `model`, or `None` if the name is not recognised.
pub fn encoding_name_for_model(model: &str) -> Option<EncodingName> {
    let mut m = model;
    if let Some(rest) = m.strip_prefix("openai/") {
        m = rest;
    }
    if let Some(rest) = m.strip_prefix("ft:") {
        m = rest.split(':').next().unwrap_or(rest);
    }
    if let Some(&(_, e)) = EXACT.iter().find(|(name, _)| *name == m) {
        return Some(e);
    }
    PREFIX.iter().filter(|(p, _)| m.starts_with(p)).max_by_key(|(p, _)| p.len()).map(|&(_, e)| e)
}

/// A short list of known families, for error messages.
pub const KNOWN_FAMILIES: &str = "gpt-5*, gpt-4.1*, gpt-4.5*, gpt-4o*, o1*, o3*, o4-mini*, \
     gpt-oss-*, gpt-4*, gpt-3.5-turbo*, text-embedding-3-*, text-embedding-ada-002, \
     davinci-002, babbage-002, text-davinci-00*, code-davinci-*, gpt2";

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn resolves_current_and_dated_names() {
        let cases = [
            ("gpt-4o", O200kBase),
            ("gpt-4o-2024-08-06", O200kBase),
            ("gpt-4o-mini", O200kBase),
            ("gpt-4.1-nano-2025-04-14", O200kBase),
            ("gpt-5", O200kBase),
            ("gpt-5-mini-2025-08-07", O200kBase),
            ("gpt-5.1", O200kBase),
            ("o1-preview", O200kBase),
            ("o3-mini-2025-01-31", O200kBase),
            ("o4-mini", O200kBase),
            ("chatgpt-4o-latest", O200kBase),
            ("gpt-oss-120b", O200kHarmony),
            ("gpt-4", Cl100kBase),
            ("gpt-4-0613", Cl100kBase),
            ("gpt-4-turbo-2024-04-09", Cl100kBase),
            ("gpt-3.5-turbo-0125", Cl100kBase),
            ("gpt-35-turbo-16k", Cl100kBase),
            ("text-embedding-3-small", Cl100kBase),
            ("text-davinci-003", P50kBase),
            ("code-davinci-edit-001", P50kEdit),
            ("davinci", R50kBase),
            ("gpt2", R50kBase),
            ("ft:gpt-4o-mini-2024-07-18:acme::abc123", O200kBase),
            ("ft:gpt-3.5-turbo-0613:acme::x", Cl100kBase),
            ("openai/gpt-4o", O200kBase),
        ];
        for (model, want) in cases {
            assert_eq!(encoding_name_for_model(model), Some(want), "{model}");
        }
    }

    #[test]
    fn rejects_unknown_names() {
        for model in ["", "gpt", "gpt-4o ", "llama-3", "claude-3-opus", "gpt-6x", "o2"] {
            assert_eq!(encoding_name_for_model(model), None, "{model:?}");
        }
    }
}
