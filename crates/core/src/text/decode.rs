//! BOM sniffing and lossy decoding of UTF-8, UTF-16 and UTF-32 into a `String`.

use std::borrow::Cow;

/// The encoding [`decode_text`] found, named after the byte-order mark that announced it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum SourceEncoding {
    /// UTF-8 without a BOM (also the fallback when no BOM is present).
    Utf8,
    /// UTF-8 with the `EF BB BF` BOM.
    Utf8Bom,
    /// UTF-16 little-endian (`FF FE`).
    Utf16Le,
    /// UTF-16 big-endian (`FE FF`).
    Utf16Be,
    /// UTF-32 little-endian (`FF FE 00 00`).
    Utf32Le,
    /// UTF-32 big-endian (`00 00 FE FF`).
    Utf32Be,
}

impl SourceEncoding {
    /// The stable lower-case name: `"utf-8"`, `"utf-8-bom"`, `"utf-16le"`, `"utf-16be"`,
    /// `"utf-32le"` or `"utf-32be"`.
    pub fn as_str(self) -> &'static str {
        match self {
            SourceEncoding::Utf8 => "utf-8",
            SourceEncoding::Utf8Bom => "utf-8-bom",
            SourceEncoding::Utf16Le => "utf-16le",
            SourceEncoding::Utf16Be => "utf-16be",
            SourceEncoding::Utf32Le => "utf-32le",
            SourceEncoding::Utf32Be => "utf-32be",
        }
    }
}

/// The result of [`decode_text`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Decoded {
    /// The decoded text, without the BOM.
    pub text: String,
    /// The encoding the BOM announced, or [`SourceEncoding::Utf8`] without one.
    pub encoding: SourceEncoding,
    /// Whether any invalid sequence was replaced by U+FFFD.
    pub lossy: bool,
}

/// Finds the byte-order mark at the start of `bytes`: the encoding and the BOM's length.
pub(crate) fn sniff_bom(bytes: &[u8]) -> (SourceEncoding, usize) {
    // UTF-32LE must be tested before UTF-16LE: its BOM begins with the UTF-16LE one.
    if bytes.starts_with(&[0xFF, 0xFE, 0x00, 0x00]) {
        (SourceEncoding::Utf32Le, 4)
    } else if bytes.starts_with(&[0x00, 0x00, 0xFE, 0xFF]) {
        (SourceEncoding::Utf32Be, 4)
    } else if bytes.starts_with(&[0xFF, 0xFE]) {
        (SourceEncoding::Utf16Le, 2)
    } else if bytes.starts_with(&[0xFE, 0xFF]) {
        (SourceEncoding::Utf16Be, 2)
    } else if bytes.starts_with(&[0xEF, 0xBB, 0xBF]) {
        (SourceEncoding::Utf8Bom, 3)
    } else {
        (SourceEncoding::Utf8, 0)
    }
}

/// Decodes `bytes` as text, choosing the encoding from a leading BOM (UTF-8 without one).
///
/// The BOM is not part of the result. Nothing fails: invalid input becomes U+FFFD and sets
/// [`Decoded::lossy`]. UTF-8 follows `String::from_utf8_lossy` exactly; in UTF-16 each unpaired
/// surrogate and a trailing odd byte become U+FFFD; in UTF-32 each value above U+10FFFF or in
/// the surrogate range, and a trailing partial unit of 1-3 bytes, become U+FFFD.
pub fn decode_text(bytes: &[u8]) -> Decoded {
    let (encoding, bom_len) = sniff_bom(bytes);
    let body = &bytes[bom_len..];
    let (text, lossy) = match encoding {
        SourceEncoding::Utf8 | SourceEncoding::Utf8Bom => decode_utf8(body),
        SourceEncoding::Utf16Le => decode_utf16(body, u16::from_le_bytes),
        SourceEncoding::Utf16Be => decode_utf16(body, u16::from_be_bytes),
        SourceEncoding::Utf32Le => decode_utf32(body, u32::from_le_bytes),
        SourceEncoding::Utf32Be => decode_utf32(body, u32::from_be_bytes),
    };
    Decoded { text, encoding, lossy }
}

fn decode_utf8(body: &[u8]) -> (String, bool) {
    // from_utf8_lossy borrows when the input is valid, so valid input is validated once and
    // copied once, into the returned String.
    match String::from_utf8_lossy(body) {
        Cow::Borrowed(valid) => (valid.to_owned(), false),
        Cow::Owned(replaced) => (replaced, true),
    }
}

fn decode_utf16(body: &[u8], unit: fn([u8; 2]) -> u16) -> (String, bool) {
    let pairs = body.chunks_exact(2);
    let odd_byte = !pairs.remainder().is_empty();
    let mut lossy = odd_byte;
    // Exact for ASCII-heavy text, the common case; other text grows the string as needed.
    let mut text = String::with_capacity(body.len() / 2);
    let units = pairs.map(|pair| unit([pair[0], pair[1]]));
    for decoded in char::decode_utf16(units) {
        text.push(decoded.unwrap_or_else(|_| {
            lossy = true;
            char::REPLACEMENT_CHARACTER
        }));
    }
    if odd_byte {
        text.push(char::REPLACEMENT_CHARACTER);
    }
    (text, lossy)
}

fn decode_utf32(body: &[u8], unit: fn([u8; 4]) -> u32) -> (String, bool) {
    let quads = body.chunks_exact(4);
    let partial = !quads.remainder().is_empty();
    let mut lossy = partial;
    let mut text = String::with_capacity(body.len() / 4);
    for quad in quads {
        let value = unit([quad[0], quad[1], quad[2], quad[3]]);
        // char::from_u32 rejects exactly the surrogates and values above U+10FFFF.
        text.push(char::from_u32(value).unwrap_or_else(|| {
            lossy = true;
            char::REPLACEMENT_CHARACTER
        }));
    }
    if partial {
        text.push(char::REPLACEMENT_CHARACTER);
    }
    (text, lossy)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn utf16le(s: &str) -> Vec<u8> {
        let mut out = vec![0xFF, 0xFE];
        s.encode_utf16().for_each(|u| out.extend_from_slice(&u.to_le_bytes()));
        out
    }

    fn utf16be(s: &str) -> Vec<u8> {
        let mut out = vec![0xFE, 0xFF];
        s.encode_utf16().for_each(|u| out.extend_from_slice(&u.to_be_bytes()));
        out
    }

    fn utf32le(s: &str) -> Vec<u8> {
        let mut out = vec![0xFF, 0xFE, 0, 0];
        s.chars().for_each(|c| out.extend_from_slice(&u32::from(c).to_le_bytes()));
        out
    }

    fn utf32be(s: &str) -> Vec<u8> {
        let mut out = vec![0, 0, 0xFE, 0xFF];
        s.chars().for_each(|c| out.extend_from_slice(&u32::from(c).to_be_bytes()));
        out
    }

    const SAMPLE: &str = "héllo, wörld — 𝄞 emoji 😀 and CJK 漢字\n";

    #[test]
    fn encoding_names() {
        let names: Vec<_> = [
            SourceEncoding::Utf8,
            SourceEncoding::Utf8Bom,
            SourceEncoding::Utf16Le,
            SourceEncoding::Utf16Be,
            SourceEncoding::Utf32Le,
            SourceEncoding::Utf32Be,
        ]
        .iter()
        .map(|e| e.as_str())
        .collect();
        assert_eq!(names, ["utf-8", "utf-8-bom", "utf-16le", "utf-16be", "utf-32le", "utf-32be"]);
    }

    #[test]
    fn each_bom_is_detected_and_stripped() {
        let mut utf8_bom = vec![0xEF, 0xBB, 0xBF];
        utf8_bom.extend_from_slice(SAMPLE.as_bytes());
        let cases = [
            (SAMPLE.as_bytes().to_vec(), SourceEncoding::Utf8),
            (utf8_bom, SourceEncoding::Utf8Bom),
            (utf16le(SAMPLE), SourceEncoding::Utf16Le),
            (utf16be(SAMPLE), SourceEncoding::Utf16Be),
            (utf32le(SAMPLE), SourceEncoding::Utf32Le),
            (utf32be(SAMPLE), SourceEncoding::Utf32Be),
        ];
        for (bytes, encoding) in cases {
            let decoded = decode_text(&bytes);
            assert_eq!(decoded, Decoded { text: SAMPLE.to_string(), encoding, lossy: false }, "{}", encoding.as_str());
        }
    }

    #[test]
    fn bare_boms_decode_to_empty() {
        for bom in [&[0xEF, 0xBB, 0xBF][..], &[0xFF, 0xFE], &[0xFE, 0xFF], &[0xFF, 0xFE, 0, 0], &[0, 0, 0xFE, 0xFF]] {
            let decoded = decode_text(bom);
            assert_eq!(decoded.text, "", "{bom:?}");
            assert!(!decoded.lossy);
        }
        assert_eq!(decode_text(b"").encoding, SourceEncoding::Utf8);
    }

    #[test]
    fn utf32le_bom_wins_over_utf16le() {
        // FF FE 00 00 could be UTF-16LE "U+0000"; the UTF-32 reading is the one chosen.
        let decoded = decode_text(&[0xFF, 0xFE, 0, 0, 0x41, 0, 0, 0]);
        assert_eq!(decoded.encoding, SourceEncoding::Utf32Le);
        assert_eq!(decoded.text, "A");
        // Only three bytes of it: UTF-16LE followed by a lone trailing byte.
        let decoded = decode_text(&[0xFF, 0xFE, 0]);
        assert_eq!(decoded.encoding, SourceEncoding::Utf16Le);
        assert_eq!(decoded.text, "\u{FFFD}");
        assert!(decoded.lossy);
    }

    #[test]
    fn invalid_utf8_matches_from_utf8_lossy() {
        let cases: [&[u8]; 6] = [
            b"a\xFFb",
            b"\xC3",
            b"\xE2\x82",
            b"\xF0\x9F\x98",
            b"\xED\xA0\x80 surrogate",
            b"\xC0\x80 overlong \xF4\x90\x80\x80 too big",
        ];
        for bytes in cases {
            let decoded = decode_text(bytes);
            assert_eq!(decoded.text, String::from_utf8_lossy(bytes), "{bytes:?}");
            assert!(decoded.lossy, "{bytes:?}");
            assert_eq!(decoded.encoding, SourceEncoding::Utf8);
        }
        let mut with_bom = vec![0xEF, 0xBB, 0xBF];
        with_bom.extend_from_slice(b"x\x80y");
        let decoded = decode_text(&with_bom);
        assert_eq!((decoded.text.as_str(), decoded.lossy), ("x\u{FFFD}y", true));
        assert_eq!(decoded.encoding, SourceEncoding::Utf8Bom);
    }

    #[test]
    fn utf16_unpaired_surrogates_and_odd_byte() {
        // 'a', lone high surrogate, 'b', lone low surrogate, then a stray byte.
        let bytes = [0xFF, 0xFE, b'a', 0, 0x00, 0xD8, b'b', 0, 0x00, 0xDC, b'c'];
        let decoded = decode_text(&bytes);
        assert_eq!(decoded.text, "a\u{FFFD}b\u{FFFD}\u{FFFD}");
        assert!(decoded.lossy);
        // High surrogate at the very end.
        let decoded = decode_text(&[0xFE, 0xFF, 0, b'x', 0xD8, 0x3D]);
        assert_eq!((decoded.text.as_str(), decoded.lossy), ("x\u{FFFD}", true));
        // A valid pair stays one character.
        let decoded = decode_text(&[0xFE, 0xFF, 0xD8, 0x3D, 0xDE, 0x00]);
        assert_eq!((decoded.text.as_str(), decoded.lossy), ("😀", false));
    }

    #[test]
    fn utf32_invalid_values_and_partial_unit() {
        let mut bytes = vec![0xFF, 0xFE, 0, 0];
        for value in [0x41u32, 0x11_0000, 0xD800, 0xFFFF_FFFF, 0x1F600] {
            bytes.extend_from_slice(&value.to_le_bytes());
        }
        let decoded = decode_text(&bytes);
        assert_eq!(decoded.text, "A\u{FFFD}\u{FFFD}\u{FFFD}😀");
        assert!(decoded.lossy);
        for extra in 1..=3 {
            let mut cut = vec![0, 0, 0xFE, 0xFF, 0, 0, 0, 0x42];
            cut.extend(std::iter::repeat_n(0u8, extra));
            let decoded = decode_text(&cut);
            assert_eq!((decoded.text.as_str(), decoded.lossy), ("B\u{FFFD}", true), "{extra}");
        }
    }
}
