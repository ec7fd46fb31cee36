//! Byte offsets into UTF-8 text as JS string indices (UTF-16 units).

/// Converts ascending byte offsets of one text into UTF-16 offsets in one walk along it.
pub struct Utf16Offsets<'t> {
    chars: std::str::Chars<'t>,
    byte: usize,
    unit: usize,
}

impl<'t> Utf16Offsets<'t> {
    /// A walker at the start of `text`.
    pub fn new(text: &'t str) -> Self {
        Utf16Offsets { chars: text.chars(), byte: 0, unit: 0 }
    }

    /// The UTF-16 offset of byte offset `byte`, a character boundary no smaller than the one
    /// asked before.
    pub fn at(&mut self, byte: usize) -> usize {
        debug_assert!(byte >= self.byte, "offsets must ascend");
        while self.byte < byte {
            let Some(c) = self.chars.next() else { break };
            self.byte += c.len_utf8();
            self.unit += c.len_utf16();
        }
        self.unit
    }
}

/// The UTF-16 offset of byte offset `byte` of `text` (a character boundary).
pub fn utf16_offset(text: &str, byte: usize) -> usize {
    Utf16Offsets::new(text).at(byte)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn offsets_match_js_indices() {
        let text = "a😀中\r\nb";
        let mut w = Utf16Offsets::new(text);
        let got: Vec<usize> = [0, 1, 5, 5, 8, 10, 11].iter().map(|&b| w.at(b)).collect();
        assert_eq!(got, vec![0, 1, 3, 3, 4, 6, 7]);
        for (b, _) in text.char_indices() {
            assert_eq!(utf16_offset(text, b), text[..b].encode_utf16().count());
        }
    }
}
