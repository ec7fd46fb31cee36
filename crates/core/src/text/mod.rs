//! Text input: BOM-aware lossy decoding, binary detection, and (off wasm) bounded file reads.
//!
//! Everything that turns caller bytes into a `String` goes through here so that the size limit,
//! the binary check and the decoding rules are the same for files and for in-memory buffers.

mod binary;
mod bounds;
mod decode;
// pub(crate) so the rest of the crate can reach its open and OS errors for its own files.
#[cfg(not(target_family = "wasm"))]
pub(crate) mod read;

pub use binary::is_binary;
pub use bounds::{check_path, check_read, open_failed, read_cap, FileType, MAX_READ_BYTES};
pub use decode::{decode_text, Decoded, SourceEncoding};
#[cfg(not(target_family = "wasm"))]
pub use read::read_file_bounded;

use crate::error::{Error, Measured, Result, Subject};

/// Checks `bytes` against `max_bytes` and the binary rule of [`is_binary`], then decodes it with
/// [`decode_text`]. Errors name the bytes [`Subject::Input`]; [`Error::in_file`] names a file
/// instead.
///
/// Errors: [`Error::TooLarge`] when `bytes` is longer than `max_bytes`; [`Error::Binary`] when
/// [`is_binary`] says so.
pub fn text_from_bytes(bytes: &[u8], max_bytes: usize) -> Result<String> {
    if bytes.len() > max_bytes {
        return Err(Error::TooLarge {
            subject: Subject::Input,
            size: bytes.len() as u64,
            max_bytes,
            measured: Measured::Read,
        });
    }
    if let Some(offset) = binary::binary_nul_offset(bytes) {
        return Err(Error::Binary { subject: Subject::Input, offset });
    }
    Ok(decode_text(bytes).text)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::Code;

    #[test]
    fn size_limit_is_inclusive() {
        assert_eq!(text_from_bytes(b"12345", 5).expect("at limit"), "12345");
        let err = text_from_bytes(b"123456", 5).expect_err("over limit");
        assert_eq!(err.kind(), Code::FileTooLarge);
        assert_eq!(err.to_string(), "input is larger than max_bytes 5 (read 6 bytes)");
    }

    #[test]
    fn nul_bytes_are_binary() {
        let err = text_from_bytes(b"abc\0def", 100).expect_err("binary").in_file("/tmp/x.bin");
        assert_eq!(err.kind(), Code::BinaryFile);
        assert_eq!(err.to_string(), "'/tmp/x.bin' looks binary (NUL byte at offset 3); ironlung only reads text");
    }

    #[test]
    fn size_is_checked_before_content() {
        let err = text_from_bytes(b"\0\0\0\0", 2).expect_err("too large");
        assert_eq!(err.kind(), Code::FileTooLarge);
    }

    #[test]
    fn utf16_with_bom_is_text_despite_nuls() {
        let bytes = [0xFF, 0xFE, b'h', 0, b'i', 0];
        assert_eq!(text_from_bytes(&bytes, 100).expect("utf-16"), "hi");
    }

    #[test]
    fn bom_is_stripped_and_invalid_utf8_replaced() {
        assert_eq!(text_from_bytes(b"\xEF\xBB\xBFok", 100).expect("bom"), "ok");
        assert_eq!(text_from_bytes(b"a\xFFb", 100).expect("lossy"), "a\u{FFFD}b");
    }
}
