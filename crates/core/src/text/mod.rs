//! Text input: BOM-aware lossy decoding, binary detection, and (off wasm) bounded file reads.
//!
//! Everything that turns caller bytes into a `String` goes through here so that the size limit,
//! the binary check and the decoding rules are the same for files and for in-memory buffers.

mod binary;
mod decode;
// pub(crate) so the rest of the crate can reach `read::os_error` for its own file errors.
#[cfg(not(target_family = "wasm"))]
pub(crate) mod read;

pub use binary::is_binary;
pub use decode::{decode_text, Decoded, SourceEncoding};
#[cfg(not(target_family = "wasm"))]
pub use read::read_file_bounded;

use crate::error::{Code, Error, Result};

/// The default limit on input size: 1 MiB.
pub const DEFAULT_MAX_BYTES: usize = 1024 * 1024;

/// Checks `bytes` against `max_bytes` and the binary rule of [`is_binary`], then decodes it with
/// [`decode_text`].
///
/// `what` names the input in error messages, quoted as the caller wants it shown (for example
/// `"'/tmp/x.log'"` or `"input"`).
///
/// Errors: [`Code::FileTooLarge`] when `bytes` is longer than `max_bytes`; [`Code::BinaryFile`]
/// when [`is_binary`] says so.
pub fn text_from_bytes(bytes: &[u8], max_bytes: usize, what: &str) -> Result<String> {
    if bytes.len() > max_bytes {
        return Err(Error::new(
            Code::FileTooLarge,
            format!("{what} is larger than maxBytes {max_bytes} (read {} bytes)", bytes.len()),
        ));
    }
    if let Some(offset) = binary::binary_nul_offset(bytes) {
        return Err(Error::new(
            Code::BinaryFile,
            format!("{what} looks binary (NUL byte at offset {offset}); ironlung only reads text"),
        ));
    }
    Ok(decode_text(bytes).text)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn size_limit_is_inclusive() {
        assert_eq!(text_from_bytes(b"12345", 5, "input").expect("at limit"), "12345");
        let err = text_from_bytes(b"123456", 5, "input").expect_err("over limit");
        assert_eq!(err.kind(), Code::FileTooLarge);
        assert_eq!(err.message(), "input is larger than maxBytes 5 (read 6 bytes)");
    }

    #[test]
    fn nul_bytes_are_binary() {
        let err = text_from_bytes(b"abc\0def", 100, "'/tmp/x.bin'").expect_err("binary");
        assert_eq!(err.kind(), Code::BinaryFile);
        assert_eq!(err.message(), "'/tmp/x.bin' looks binary (NUL byte at offset 3); ironlung only reads text");
    }

    #[test]
    fn size_is_checked_before_content() {
        let err = text_from_bytes(b"\0\0\0\0", 2, "input").expect_err("too large");
        assert_eq!(err.kind(), Code::FileTooLarge);
    }

    #[test]
    fn utf16_with_bom_is_text_despite_nuls() {
        let bytes = [0xFF, 0xFE, b'h', 0, b'i', 0];
        assert_eq!(text_from_bytes(&bytes, 100, "input").expect("utf-16"), "hi");
    }

    #[test]
    fn bom_is_stripped_and_invalid_utf8_replaced() {
        assert_eq!(text_from_bytes(b"\xEF\xBB\xBFok", 100, "input").expect("bom"), "ok");
        assert_eq!(text_from_bytes(b"a\xFFb", 100, "input").expect("lossy"), "a\u{FFFD}b");
    }
}
