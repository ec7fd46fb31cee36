//! zstd's error codes in ironlung's own words.
//!
//! zstd's error strings are compiled out of the wasm build (its messages read "Error strings
//! stripped"), so both backends describe an error from its code, which zstd documents as
//! stable (`zstd_errors.h`), and give the same message.

/// The corruption zstd's `result` reports, in the frame at byte `offset` when it is known.
pub(crate) fn corrupt(result: usize, offset: Option<u64>) -> crate::error::Error {
    let what = describe(result);
    crate::error::Error::corrupt(match offset {
        Some(at) => format!("zstd data is truncated or corrupt: {what} (frame at byte offset {at})"),
        None => format!("zstd data is truncated or corrupt: {what}"),
    })
}

/// The zstd error code carried by a function result (`-code` as a `size_t`), e.g. 20 for
/// `ZSTD_error_corruption_detected`.
pub fn code_of(result: usize) -> usize {
    result.wrapping_neg()
}

/// `ZSTD_error_frameParameter_windowTooLarge`.
pub const WINDOW_TOO_LARGE: usize = 16;
/// `ZSTD_error_dictionary_wrong`.
pub const DICTIONARY_WRONG: usize = 32;
/// `ZSTD_error_memory_allocation`.
pub const MEMORY_ALLOCATION: usize = 64;

/// zstd's `ZSTD_error_prefix_unknown`, in these words.
pub const UNKNOWN_FRAME: &str = "unknown frame descriptor (the bytes do not start a zstd frame)";

/// What went wrong, for the zstd function result `result`.
pub fn describe(result: usize) -> String {
    let text = match code_of(result) {
        1 => "zstd failed (an unspecified error)",
        10 => UNKNOWN_FRAME,
        12 => "the frame was made by an unsupported zstd version",
        14 => "the frame uses an unsupported parameter",
        WINDOW_TOO_LARGE => "the frame needs a larger decoding window than allowed",
        20 => "a block is corrupted",
        22 => "the content checksum does not match",
        24 => "a literals header is invalid",
        30 => "the dictionary is corrupted",
        DICTIONARY_WRONG => "the frame was compressed with a dictionary, and none (or another) was given",
        44 | 46 | 48 => "an entropy table is invalid",
        MEMORY_ALLOCATION => "zstd could not allocate memory",
        70 => "the frame decodes to more than its header declares",
        72 => "the data ends inside a frame",
        40..=42 => "a zstd parameter is out of range",
        code => return format!("zstd error {code}"),
    };
    text.to_string()
}

#[cfg(test)]
mod tests {
    use super::*;
    use zstd::zstd_safe;

    /// The codes named here are the ones the linked zstd reports (its names, from native
    /// builds, where the strings are compiled in).
    #[test]
    fn codes_match_zstds_own_names() {
        for (code, name) in [
            (10, "Unknown frame descriptor"),
            (16, "Frame requires too much memory for decoding"),
            (20, "Data corruption detected"),
            (22, "Restored data doesn't match checksum"),
            (64, "Allocation error : not enough memory"),
            (72, "Src size is incorrect"),
        ] {
            assert_eq!(zstd_safe::get_error_name(code_of(code)), name, "code {code}");
        }
        assert_eq!(describe(code_of(22)), "the content checksum does not match");
        assert_eq!(describe(code_of(999)), "zstd error 999");
    }
}
