//! zstd dictionaries and frame info, as the JS API passes and takes them: samples joined
//! into one buffer with their sizes (one crossing into either binding), a dictionary given
//! prepared (`ZstdDictionary`) or as bytes, and frame info as an array of numbers.

use crate::{JsError, Result};
use ironlung_core::compress::{self as zstd, Dictionary, Training, DEFAULT_LEVEL};

/// `trainDictionary` (with [`Training::Searched`]; the session log's `'auto'` dictionary with
/// [`Training::Quick`]): a dictionary of at most `max_bytes` from the samples `joined` holds
/// one after another, `sizes[i]` bytes each.
pub fn train_dictionary(joined: &[u8], sizes: &[u32], max_bytes: f64, training: Training) -> Result<Vec<u8>> {
    let mut samples = Vec::with_capacity(sizes.len());
    let mut rest = joined;
    for &size in sizes {
        let Some((sample, after)) = rest.split_at_checked(size as usize) else {
            return Err(JsError::invalid_arg(format!(
                "trainDictionary: sample sizes add up to more than the {} bytes given",
                joined.len()
            )));
        };
        samples.push(sample);
        rest = after;
    }
    if !rest.is_empty() {
        return Err(JsError::invalid_arg(format!(
            "trainDictionary: {} bytes given beyond the sample sizes",
            rest.len()
        )));
    }
    // Checked here, as a number: on wasm a usize would cut 2^53 to 2^32 - 1 first.
    if !(max_bytes >= zstd::MIN_DICTIONARY_BYTES as f64 && max_bytes <= zstd::MAX_DICTIONARY_BYTES as f64) {
        return Err(ironlung_core::Error::DictionarySize {
            max_bytes: max_bytes as u64,
            min: zstd::MIN_DICTIONARY_BYTES,
            max: zstd::MAX_DICTIONARY_BYTES,
        }
        .into());
    }
    Ok(zstd::train_dictionary_with(&samples, max_bytes as usize, training)?)
}

/// `new ZstdDictionary(bytes, { level })`.
pub fn prepare_dictionary(bytes: &[u8], level: i32) -> Result<Dictionary> {
    Ok(Dictionary::new(bytes, level)?)
}

/// `compress` with a prepared dictionary. `level` is the call's own, when it gave one: a
/// prepared dictionary compresses at the level it was prepared at, and no other.
pub fn compress_with(data: &[u8], dictionary: &Dictionary, level: Option<i32>) -> Result<Vec<u8>> {
    check_level(dictionary, level)?;
    Ok(zstd::compress_with(data, dictionary)?)
}

/// `ERR_INVALID_ARG` for a call's `level` that is not the prepared dictionary's.
pub(crate) fn check_level(dictionary: &Dictionary, level: Option<i32>) -> Result<()> {
    match level.filter(|&l| l != dictionary.level()) {
        Some(level) => Err(JsError::invalid_arg(format!(
            "level {level} was given with a ZstdDictionary prepared at level {}: a ZstdDictionary's level \
             is fixed when it is prepared; leave level out, or prepare one with {{ level: {level} }}",
            dictionary.level()
        ))),
        None => Ok(()),
    }
}

/// `compress` with a dictionary's bytes, prepared for this call at `level`.
pub fn compress_with_bytes(data: &[u8], dictionary: &[u8], level: i32) -> Result<Vec<u8>> {
    compress_with(data, &prepare_dictionary(dictionary, level)?, None)
}

/// `decompress` with a prepared dictionary.
pub fn decompress_with(data: &[u8], max_output_bytes: f64, dictionary: &Dictionary) -> Result<Vec<u8>> {
    crate::one_shot(max_output_bytes, |cap| zstd::decompress_with(data, cap, Some(dictionary)))
}

/// `decompress` with a dictionary's bytes, prepared for this call (the level plays no part
/// in decompressing).
pub fn decompress_with_bytes(data: &[u8], max_output_bytes: f64, dictionary: &[u8]) -> Result<Vec<u8>> {
    decompress_with(data, max_output_bytes, &prepare_dictionary(dictionary, DEFAULT_LEVEL)?)
}

/// `frameInfo`, in the order the JS side unpacks it: content size, window size, dictionary
/// id, has checksum (1 or 0), frames; a size or id the frames do not declare is -1. Sizes
/// past 2^53 lose precision, as every JS number does.
pub fn frame_info(data: &[u8]) -> Result<Vec<f64>> {
    let info = zstd::frame_info(data)?;
    Ok(vec![
        info.content_size.map_or(-1.0, |n| n as f64),
        info.window_size as f64,
        info.dictionary_id.map_or(-1.0, f64::from),
        f64::from(u8::from(info.has_checksum)),
        info.frames as f64,
    ])
}

#[cfg(test)]
mod tests {
    use super::*;

    fn records() -> (Vec<u8>, Vec<u32>) {
        let samples: Vec<String> =
            (0..300).map(|i| format!(r#"{{"tool":"read_file","path":"src/m{}.rs","ok":true}}"#, i % 40)).collect();
        (samples.concat().into_bytes(), samples.iter().map(|s| s.len() as u32).collect())
    }

    #[test]
    fn trains_from_joined_samples() {
        let (joined, sizes) = records();
        let dict = train_dictionary(&joined, &sizes, 2048.0, Training::Searched).unwrap();
        let prepared = prepare_dictionary(&dict, 3).unwrap();
        let packed = compress_with_bytes(b"{\"tool\":\"read_file\"}", &dict, 3).unwrap();
        assert_eq!(packed, compress_with(b"{\"tool\":\"read_file\"}", &prepared, None).unwrap());
        assert_eq!(decompress_with_bytes(&packed, 100.0, &dict).unwrap(), b"{\"tool\":\"read_file\"}");
        let info = frame_info(&packed).unwrap();
        assert_eq!(info, [20.0, 20.0, f64::from(prepared.id()), 1.0, 1.0]);

        let e = train_dictionary(&joined, &[1, 2], 2048.0, Training::Searched).unwrap_err();
        assert!(e.message.contains("beyond the sample sizes"), "{e}");
        let e = train_dictionary(b"abc", &[4], 2048.0, Training::Quick).unwrap_err();
        assert!(e.message.contains("add up to more"), "{e}");
        let e = train_dictionary(&joined, &sizes, 100.0, Training::Quick).unwrap_err();
        assert_eq!(
            e.to_string(),
            "ERR_INVALID_ARG: maxBytes 100 is too small for a dictionary; zstd writes at least 256 bytes"
        );
    }

    #[test]
    fn a_prepared_level_is_fixed() {
        let (joined, sizes) = records();
        let dict =
            prepare_dictionary(&train_dictionary(&joined, &sizes, 2048.0, Training::Searched).unwrap(), 3).unwrap();
        assert!(compress_with(b"x", &dict, Some(3)).is_ok());
        let e = compress_with(b"x", &dict, Some(7)).unwrap_err();
        assert_eq!(e.code, "ERR_INVALID_ARG");
        assert!(e.message.starts_with("level 7 was given with a ZstdDictionary prepared at level 3"), "{e}");
    }

    #[test]
    fn frame_info_without_sizes_or_ids() {
        let info = frame_info(&zstd::compress(b"", 3).unwrap()).unwrap();
        assert_eq!(info, [0.0, 0.0, -1.0, 1.0, 1.0]);
        assert_eq!(frame_info(b"nope").unwrap_err().code, "ERR_CORRUPT_DATA");
    }
}
