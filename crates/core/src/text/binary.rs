//! Deciding whether a buffer is binary rather than text.

use super::decode::{sniff_bom, SourceEncoding};

/// Whether `bytes` looks binary, by this rule:
///
/// - an empty buffer is text (`false`);
/// - a buffer starting with a UTF-16 or UTF-32 byte-order mark (`FF FE`, `FE FF`, `FF FE 00 00`,
///   `00 00 FE FF`) is text (`false`), because NUL bytes are normal in those encodings;
/// - otherwise (no BOM, or the UTF-8 BOM) it is binary (`true`) exactly when a NUL byte (`0x00`)
///   occurs anywhere in it.
///
/// No other byte values and no amount of invalid UTF-8 make a buffer binary; such input is
/// decoded lossily instead.
pub fn is_binary(bytes: &[u8]) -> bool {
    binary_nul_offset(bytes).is_some()
}

/// The offset of the NUL byte that makes `bytes` binary under [`is_binary`]'s rule, if any.
pub(crate) fn binary_nul_offset(bytes: &[u8]) -> Option<usize> {
    match sniff_bom(bytes).0 {
        SourceEncoding::Utf8 | SourceEncoding::Utf8Bom => memchr::memchr(0, bytes),
        SourceEncoding::Utf16Le | SourceEncoding::Utf16Be | SourceEncoding::Utf32Le | SourceEncoding::Utf32Be => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn empty_is_text() {
        assert!(!is_binary(b""));
    }

    #[test]
    fn nul_anywhere_is_binary() {
        assert!(is_binary(b"\0"));
        assert!(is_binary(b"\0plain"));
        assert!(is_binary(b"plain\0"));
        let mut big = vec![b'a'; 100_000];
        big[99_999] = 0;
        assert!(is_binary(&big));
        assert_eq!(binary_nul_offset(&big), Some(99_999));
        assert_eq!(binary_nul_offset(b"ab\0c\0"), Some(2));
    }

    #[test]
    fn text_without_nul_is_text_even_if_invalid_utf8() {
        assert!(!is_binary(b"plain text\n"));
        assert!(!is_binary(b"\xFF\x80\xC3 not utf-8 but no NUL"));
    }

    #[test]
    fn wide_boms_make_nuls_text() {
        assert!(!is_binary(&[0xFF, 0xFE, b'a', 0]));
        assert!(!is_binary(&[0xFE, 0xFF, 0, b'a']));
        assert!(!is_binary(&[0xFF, 0xFE, 0, 0, b'a', 0, 0, 0]));
        assert!(!is_binary(&[0, 0, 0xFE, 0xFF, 0, 0, 0, b'a']));
    }

    #[test]
    fn utf8_bom_does_not_excuse_nul() {
        assert!(is_binary(&[0xEF, 0xBB, 0xBF, b'a', 0]));
        assert_eq!(binary_nul_offset(&[0xEF, 0xBB, 0xBF, b'a', 0]), Some(4));
    }

    #[test]
    fn half_a_wide_bom_is_not_a_bom() {
        // 00 00 FE without the FF is not the UTF-32BE BOM, so its NULs count.
        assert!(is_binary(&[0, 0, 0xFE]));
    }
}
