//! Errors as the JS side receives them: ironlung's code, and a message worded with the JS
//! API's names (`maxBytes`, `allowedSpecial`, `loadEncoding`) and string offsets in UTF-16
//! units, where the core's own message uses the Rust names and byte offsets.

use ironlung_core::error::{Measured, OutputSize, SpecialList};
use ironlung_core::Error;
use std::fmt::{self, Write};

/// An error for JS: ironlung's stable code and a message that names the value and the limit
/// at fault. A binding throws it as an error whose message is `"CODE: message"` (its
/// [`Display`](fmt::Display)); `js/errors.mjs` turns the prefix into `error.code`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct JsError {
    /// The stable code, e.g. `"ERR_FILE_TOO_LARGE"` or `"ENOENT"`.
    pub code: &'static str,
    /// The message, without the code.
    pub message: String,
}

impl JsError {
    /// An `ERR_INVALID_ARG` error.
    pub(crate) fn invalid_arg(message: String) -> JsError {
        JsError { code: "ERR_INVALID_ARG", message }
    }

    /// `e` from a call on `text`: byte offsets into `text` are given as UTF-16 indexes.
    #[cold]
    #[inline(never)]
    pub(crate) fn in_text(e: Error, text: &str) -> JsError {
        JsError { code: e.code(), message: render(&e, Some(text)) }
    }
}

impl From<Error> for JsError {
    // Out of line: every export converts errors, and one copy of this keeps the wasm small.
    #[cold]
    #[inline(never)]
    fn from(e: Error) -> Self {
        JsError { code: e.code(), message: render(&e, None) }
    }
}

impl fmt::Display for JsError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.code, self.message)
    }
}

impl std::error::Error for JsError {}

/// The UTF-16 index of byte `offset` of `text`, or the byte offset itself when the text is
/// not at hand (which no export that reports offsets does).
fn index(text: Option<&str>, offset: usize) -> usize {
    text.and_then(|t| t.get(..offset)).map_or(offset, |t| t.encode_utf16().count())
}

/// The message for JS: the core's where it names nothing the JS API spells otherwise.
fn render(e: &Error, text: Option<&str>) -> String {
    let mut m = String::new();
    let _ = match e {
        Error::TooLarge { subject, size, max_bytes, measured: Measured::Stat } => {
            write!(m, "{subject} is {size} bytes, larger than maxBytes {max_bytes}")
        }
        Error::TooLarge { subject, size, max_bytes, measured: Measured::Read } => {
            write!(m, "{subject} is larger than maxBytes {max_bytes} (read {size} bytes)")
        }
        Error::OverReadLimit { path, size } => write!(
            m,
            "'{path}' is {size} bytes, more than the {} bytes (2 GiB - 1) ironlung reads from one file \
             whatever maxBytes says; read it in parts",
            ironlung_core::text::MAX_READ_BYTES
        ),
        Error::UnknownModel { model } => write!(
            m,
            "unknown model {model:?}; known model families: {}; or pick an encoding with getEncoding()",
            ironlung_core::tokenizer::KNOWN_FAMILIES
        ),
        Error::RanksNotLoaded { encoding, table } => write!(
            m,
            "the rank data of {encoding} ({table}.wasm) is not loaded yet; call `await loadEncoding({:?})` first",
            encoding.as_str()
        ),
        Error::DisallowedSpecial { token, offset } => write!(
            m,
            "text contains the special token {token:?} at index {}, which is disallowed; \
             pass {{ allowedSpecial: [{token:?}] }} (or 'all') to encode it as a special token, \
             or {{ disallowedSpecial: [] }} to encode it as ordinary text",
            index(text, *offset)
        ),
        Error::NotASpecialToken { list, name, encoding, specials } => {
            let option = match list {
                SpecialList::Allowed => "allowedSpecial",
                SpecialList::Disallowed => "disallowedSpecial",
            };
            write!(m, "{option} contains {name:?}, which is not a special token of {encoding}; its special tokens are {specials}")
        }
        Error::ZeroMaxTokens => write!(m, "maxTokens must be at least 1, got 0"),
        Error::OverlapTooLarge { overlap, max_tokens } => {
            write!(m, "overlap {overlap} must be smaller than maxTokens {max_tokens}")
        }
        Error::CharTooLarge { character, offset, tokens, max_tokens } => write!(
            m,
            "maxTokens {max_tokens} is too small: the character {character:?} at index {} counts {tokens} tokens on its own",
            index(text, *offset)
        ),
        Error::MarkerTooLong { marker, tokens, max_tokens } => {
            write!(m, "the marker {marker:?} counts {tokens} tokens, more than maxTokens {max_tokens}")
        }
        Error::OutputTooLarge { size, max_output_bytes, known } => match known {
            OutputSize::Declared => write!(m, "decompressed size {size} bytes exceeds maxOutputBytes {max_output_bytes}"),
            OutputSize::AtLeast => {
                write!(m, "decompressed size at least {size} bytes exceeds maxOutputBytes {max_output_bytes}")
            }
            OutputSize::Decoded => write!(
                m,
                "decompressed size exceeds maxOutputBytes {max_output_bytes} (the data does not declare \
                 its size; stopped after decoding {size} bytes)"
            ),
        },
        Error::WindowTooLarge { window, limit, max_output_bytes: Some(cap) } => write!(
            m,
            "zstd data needs a decoding window {}, the most allowed with maxOutputBytes {cap}; a larger \
             maxOutputBytes allows up to 1 GiB",
            ironlung_core::WindowNeed(*window, *limit)
        ),
        Error::DictionarySize { max_bytes, min, max } => {
            ironlung_core::error::dictionary_size(&mut m, "maxBytes", *max_bytes, *min, *max)
        }
        other => write!(m, "{other}"),
    };
    m
}

#[cfg(test)]
mod tests {
    use super::*;
    use ironlung_core::error::Subject;

    #[test]
    fn offsets_are_utf16_indexes_where_the_text_is_known() {
        let e = Error::DisallowedSpecial { token: "<|endoftext|>".into(), offset: "é😀".len() };
        assert!(JsError::in_text(e.clone(), "é😀<|endoftext|>").message.contains("at index 3,"));
        assert!(JsError::from(e).message.contains("at index 6,"));
    }

    #[test]
    fn messages_name_the_js_options() {
        let e =
            Error::TooLarge { subject: Subject::File("/f".into()), size: 11, max_bytes: 10, measured: Measured::Read };
        assert_eq!(JsError::from(e).to_string(), "ERR_FILE_TOO_LARGE: '/f' is larger than maxBytes 10 (read 11 bytes)");
        let e = JsError::from(Error::OutputTooLarge { size: 25, max_output_bytes: 24, known: OutputSize::Declared });
        assert_eq!(e.to_string(), "ERR_OUTPUT_TOO_LARGE: decompressed size 25 bytes exceeds maxOutputBytes 24");
        let e = JsError::from(Error::ZeroMaxTokens);
        assert_eq!((e.code, e.message.as_str()), ("ERR_INVALID_ARG", "maxTokens must be at least 1, got 0"));
    }
}
