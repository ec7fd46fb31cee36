//! zstd dictionaries: trained from samples, and prepared once for reuse across calls.
//!
//! Small records (a tool call, an event of a few hundred bytes) give zstd too little to find
//! repeats in; a dictionary trained on records like them supplies the repeats up front. A
//! [`Dictionary`] holds zstd's prepared tables for both directions, so that each call with it
//! skips the work of loading it.

use crate::error::{Error, Result};
use std::sync::Arc;
use zstd::zstd_safe::{self, zstd_sys};

/// The dictionary size [`train_dictionary`] aims for when not told otherwise: 110 KiB, the
/// zstd CLI's default.
pub const DEFAULT_DICTIONARY_BYTES: usize = 112_640;

/// The smallest dictionary zstd's trainer writes (`ZDICT_DICTSIZE_MIN`).
pub const MIN_DICTIONARY_BYTES: usize = 256;

/// The largest dictionary [`train_dictionary`] makes: 32 MiB, the most the zstd CLI loads
/// (its `DICTSIZE_MAX`), far past the ~100 KiB where dictionaries stop paying.
pub const MAX_DICTIONARY_BYTES: usize = 32 << 20;

/// [`Training::Quick`]'s segment size, in bytes.
const QUICK_SEGMENT: u32 = 300;

/// The largest input a dictionary of a double-fast level is used in place for (see
/// [`Dictionary::refer`]).
const REFER_UP_TO: usize = 128 << 10;

/// The fewest samples zstd's trainer accepts: it trains on the first three quarters of
/// them, which must be at least 5, and tests on the rest.
pub const MIN_SAMPLES: usize = 7;

/// A zstd dictionary prepared for compressing (at one level) and for decompressing.
///
/// It is immutable, `Send + Sync`, and cheap to clone (the prepared tables are shared), so
/// one dictionary serves any number of calls, streams and threads.
#[derive(Clone)]
pub struct Dictionary(Arc<Prepared>);

struct Prepared {
    id: u32,
    level: i32,
    len: usize,
    /// Inputs up to this many bytes use the prepared tables in place ([`Dictionary::refer`]).
    refer_up_to: usize,
    cdict: zstd_safe::CDict<'static>,
    ddict: zstd_safe::DDict<'static>,
}

impl Dictionary {
    /// Prepares `bytes` for compressing at `level` and for decompressing.
    ///
    /// `bytes` is a zstd dictionary (as [`train_dictionary`] or `zstd --train` write), or any
    /// other bytes, used as raw content: frames made with such a dictionary cannot name it
    /// (its [`id`](Self::id) is 0), so a mismatch with them cannot be detected.
    ///
    /// Errors: [`Error::LevelOutOfRange`]; [`Error::EmptyDictionary`] for no bytes;
    /// [`Error::Corrupt`] for a zstd dictionary whose tables do not load.
    pub fn new(bytes: &[u8], level: i32) -> Result<Dictionary> {
        super::check_level(level)?;
        if bytes.is_empty() {
            return Err(Error::EmptyDictionary);
        }
        let id = zstd_safe::get_dict_id_from_dict(bytes).map_or(0, |id| id.get());
        let corrupt = || {
            Error::corrupt(format!(
                "the dictionary (id {id}, {} bytes) is not a valid zstd dictionary: its entropy tables do not load",
                bytes.len()
            ))
        };
        let cdict = zstd_safe::CDict::try_create(bytes, level).ok_or_else(corrupt)?;
        let ddict = zstd_safe::DDict::try_create(bytes).ok_or_else(corrupt)?;
        // The parameters zstd prepared the tables with (the same row of its table as the
        // CDict's: no source size, this dictionary's).
        // SAFETY: ZSTD_getCParams only reads its arguments.
        let strategy = unsafe { zstd_sys::ZSTD_getCParams(level, 0, bytes.len()) }.strategy;
        let refer_up_to = if strategy == zstd_sys::ZSTD_strategy::ZSTD_dfast { REFER_UP_TO } else { 0 };
        Ok(Dictionary(Arc::new(Prepared { id, level, len: bytes.len(), refer_up_to, cdict, ddict })))
    }

    /// The id that frames made with this dictionary carry, or 0 for a raw-content one.
    pub fn id(&self) -> u32 {
        self.0.id
    }

    /// The level it compresses at.
    pub fn level(&self) -> i32 {
        self.0.level
    }

    /// The size in bytes of the dictionary it was prepared from.
    pub fn len(&self) -> usize {
        self.0.len
    }

    /// The bytes its prepared tables hold (zstd's own count): what a host that
    /// garbage-collects the object holding it can report as held outside its heap.
    pub fn memory(&self) -> usize {
        self.0.cdict.sizeof() + self.0.ddict.sizeof()
    }

    /// Whether it was prepared from no bytes (never: [`Dictionary::new`] refuses them).
    pub fn is_empty(&self) -> bool {
        self.0.len == 0
    }

    pub(crate) fn cdict(&self) -> &zstd_safe::CDict<'static> {
        &self.0.cdict
    }

    /// Makes `cctx`, just reset, compress `len` bytes with this dictionary.
    ///
    /// For an input over a cutoff (16 KiB at the double-fast levels: 3, the default, and
    /// 4), zstd copies the prepared tables into the context first, which at those levels are
    /// 768 KiB: a cost like that of compressing a few records. Up to `REFER_UP_TO` the
    /// tables are used where they are instead; past it, and at the other levels, copying is
    /// as fast or faster.
    pub(crate) fn refer(&self, cctx: &mut zstd_safe::CCtx<'static>, len: usize) -> zstd_safe::SafeResult {
        cctx.ref_cdict(self.cdict())?;
        self.prefer_for(cctx, len)
    }

    /// Sets how `cctx`, which refers to this dictionary, uses its tables for a frame of `len`
    /// bytes (see [`refer`](Self::refer)). Frames of unknown size use them in place anyway.
    pub(crate) fn prefer_for(&self, cctx: &mut zstd_safe::CCtx<'static>, len: usize) -> zstd_safe::SafeResult {
        use zstd_safe::DictAttachPref::{DefaultAttach, ForceAttach};
        let preference = if len <= self.0.refer_up_to { ForceAttach } else { DefaultAttach };
        cctx.set_parameter(zstd_safe::CParameter::ForceAttachDict(preference))
    }

    pub(crate) fn ddict(&self) -> &zstd_safe::DDict<'static> {
        &self.0.ddict
    }
}

impl std::fmt::Debug for Dictionary {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Dictionary")
            .field("id", &self.0.id)
            .field("level", &self.0.level)
            .field("len", &self.0.len)
            .finish()
    }
}

/// How [`train_dictionary_with`] looks for a dictionary.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Training {
    /// zstd's own default, as `zstd --train` runs it (`ZDICT_trainFromBuffer`): fastCover at
    /// four segment sizes, trained on three quarters of the samples, keeping the one that
    /// compresses the last quarter best.
    #[default]
    Searched,
    /// fastCover once, at one segment size (300 bytes; 8-byte d-mers; a table of 2^18
    /// counts, against 2^20), on all the samples, with nothing held out to score it: less
    /// work and a smaller table than [`Searched`](Self::Searched), for a trainer something
    /// waits on (a session log's `'auto'` dictionary, trained between two writes).
    /// bench/history.md compares the two.
    Quick,
}

/// Trains a zstd dictionary of at most `max_bytes` from `samples`, with zstd's own trainer
/// ([`Training::Searched`], as `zstd --train` runs it). The result is a standard zstd
/// dictionary: the zstd CLI takes it with `-D`.
///
/// Give it many samples like the data to come (hundreds or more; zstd suggests about 100
/// times `max_bytes` of them in all).
///
/// Errors: [`Error::DictionarySize`] when `max_bytes` is under [`MIN_DICTIONARY_BYTES`] or
/// over [`MAX_DICTIONARY_BYTES`];
/// [`Error::TrainingFailed`] when zstd cannot train from the samples (fewer than
/// [`MIN_SAMPLES`], or too little data).
pub fn train_dictionary<S: AsRef<[u8]>>(samples: &[S], max_bytes: usize) -> Result<Vec<u8>> {
    train_dictionary_with(samples, max_bytes, Training::Searched)
}

/// [`train_dictionary`], searching as `training` says.
///
/// Errors: as [`train_dictionary`]'s.
pub fn train_dictionary_with<S: AsRef<[u8]>>(samples: &[S], max_bytes: usize, training: Training) -> Result<Vec<u8>> {
    if !(MIN_DICTIONARY_BYTES..=MAX_DICTIONARY_BYTES).contains(&max_bytes) {
        return Err(Error::DictionarySize {
            max_bytes: max_bytes as u64,
            min: MIN_DICTIONARY_BYTES,
            max: MAX_DICTIONARY_BYTES,
        });
    }
    let total: usize = samples.iter().map(|s| s.as_ref().len()).sum();
    let failed = |reason: String| Error::TrainingFailed { samples: samples.len(), total_bytes: total as u64, reason };
    if samples.len() < MIN_SAMPLES {
        return Err(failed(format!("zstd needs at least {MIN_SAMPLES} samples")));
    }
    // zstd's trainer divides by zero (facebook/zstd#3599) or reads past the samples (#4499)
    // instead of returning an error when the three quarters it trains on hold fewer bytes
    // than one 8-byte d-mer: refused here (for Training::Quick, which trains on all of them,
    // the check is stricter than it needs to be). The padding keeps its other reads near the
    // end (#4600) inside this buffer.
    let first_three_quarters: usize = samples[..samples.len() * 3 / 4].iter().map(|s| s.as_ref().len()).sum();
    if first_three_quarters < 8 {
        return Err(failed("the samples hold too little data to train from".to_string()));
    }
    const PAD: usize = 16;
    let mut joined = Vec::new();
    joined.try_reserve_exact(total + PAD).map_err(|_| Error::no_memory(format!("{total} bytes of samples")))?;
    let mut sizes = Vec::with_capacity(samples.len());
    for s in samples {
        joined.extend_from_slice(s.as_ref());
        sizes.push(s.as_ref().len());
    }
    joined.extend([0; PAD]);
    let mut dict: Vec<u8> = Vec::new();
    dict.try_reserve_exact(max_bytes).map_err(|_| Error::no_memory(format!("a {max_bytes}-byte dictionary")))?;
    let n = u32::try_from(sizes.len()).map_err(|_| failed(format!("zstd takes at most {} samples", u32::MAX)))?;
    // zstd_safe's wrapper insists that the buffer end where the samples do: called directly,
    // so that the padding stays.
    // SAFETY: `dict` has room for `max_bytes` bytes; `joined` holds the `n` samples whose
    // lengths are `sizes` (and the padding after them).
    let written = match training {
        // SAFETY: as above.
        Training::Searched => unsafe {
            zstd_sys::ZDICT_trainFromBuffer(
                dict.as_mut_ptr().cast(),
                max_bytes,
                joined.as_ptr().cast(),
                sizes.as_ptr(),
                n,
            )
        },
        Training::Quick => {
            // SAFETY: a plain C struct, all of whose fields are numbers; zero is zstd's "default".
            let mut p: zstd_sys::ZDICT_fastCover_params_t = unsafe { std::mem::zeroed() };
            // k at most the dictionary's size, as fastCover requires.
            p.k = QUICK_SEGMENT.min(max_bytes as u32);
            p.d = 8;
            p.f = 18;
            p.accel = 1;
            // Train on every sample (and measure on them: only one dictionary is made).
            p.splitPoint = 1.0;
            p.zParams.compressionLevel = zstd_sys::ZSTD_CLEVEL_DEFAULT as i32;
            // SAFETY: as above.
            unsafe {
                zstd_sys::ZDICT_trainFromBuffer_fastCover(
                    dict.as_mut_ptr().cast(),
                    max_bytes,
                    joined.as_ptr().cast(),
                    sizes.as_ptr(),
                    n,
                    p,
                )
            }
        }
    };
    // SAFETY: a plain function of its argument.
    if unsafe { zstd_sys::ZDICT_isError(written) } != 0 {
        return Err(failed(match super::reason::code_of(written) {
            // srcSize_wrong: too few samples, or too little in them.
            72 => "the samples hold too little data to train from".to_string(),
            _ => super::reason::describe(written),
        }));
    }
    // SAFETY: zstd wrote `written` bytes (at most `max_bytes`, the capacity) into `dict`.
    unsafe { dict.set_len(written.min(max_bytes)) };
    Ok(dict)
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    /// JSON records of the kind an agent logs: shared keys, varying values.
    pub(crate) fn records(n: usize) -> Vec<Vec<u8>> {
        let tools = ["read_file", "run_shell", "search", "write_file", "list_dir"];
        (0..n)
            .map(|i| {
                format!(
                    r#"{{"type":"tool_call","id":"call_{i:06}","tool":"{}","arguments":{{"path":"src/module_{}.rs","limit":{}}},"status":"ok","duration_ms":{}}}"#,
                    tools[i % tools.len()],
                    i * 7 % 31,
                    i * 13 % 500,
                    i * 37 % 1000
                )
                .into_bytes()
            })
            .collect()
    }

    #[test]
    fn trains_a_dictionary_zstd_can_name() {
        let samples = records(2000);
        let dict = train_dictionary(&samples, 4096).unwrap();
        assert!(dict.len() <= 4096 && dict.len() >= MIN_DICTIONARY_BYTES, "{}", dict.len());
        let prepared = Dictionary::new(&dict, 3).unwrap();
        assert_ne!(prepared.id(), 0, "a trained dictionary has an id");
        assert_eq!(prepared.id(), zstd_safe::get_dict_id_from_dict(&dict).unwrap().get());
        assert_eq!((prepared.level(), prepared.len()), (3, dict.len()));
        assert!(prepared.memory() > dict.len(), "the tables hold the content and more: {}", prepared.memory());
    }

    #[test]
    fn refuses_what_cannot_train() {
        assert_eq!(
            train_dictionary(&records(100), 100).unwrap_err(),
            Error::DictionarySize { max_bytes: 100, min: MIN_DICTIONARY_BYTES, max: MAX_DICTIONARY_BYTES }
        );
        let e = train_dictionary(&records(3), 4096).unwrap_err();
        assert!(matches!(e, Error::TrainingFailed { samples: 3, .. }), "{e:?}");
        assert_eq!(e.code(), "ERR_INVALID_ARG");
        let tiny: Vec<&[u8]> = vec![b"a"; 10];
        assert!(matches!(train_dictionary(&tiny, 4096).unwrap_err(), Error::TrainingFailed { samples: 10, .. }));
        // Around the edge where zstd's own trainer used to crash the process: every split of
        // a few bytes into a few samples ends in an error or a dictionary, never a signal.
        for training in [Training::Searched, Training::Quick] {
            for n in MIN_SAMPLES..16 {
                for len in 1..4 {
                    let samples: Vec<Vec<u8>> = (0..n).map(|i| vec![b'a' + (i % 26) as u8; len]).collect();
                    match train_dictionary_with(&samples, 1024, training) {
                        Ok(d) => assert!(d.len() <= 1024),
                        Err(e) => assert!(matches!(e, Error::TrainingFailed { .. }), "{training:?} {n} x {len}: {e:?}"),
                    }
                }
            }
            assert!(matches!(
                train_dictionary_with(&records(3), 4096, training).unwrap_err(),
                Error::TrainingFailed { samples: 3, .. }
            ));
        }
    }

    /// The bytes `records` take compressed one by one at level 3 with `dict`.
    fn compressed_with(dict: &[u8], records: &[Vec<u8>]) -> usize {
        let d = Dictionary::new(dict, 3).unwrap();
        records.iter().map(|r| crate::compress::compress_with(r, &d).unwrap().len()).sum()
    }

    #[test]
    fn quick_training_makes_a_dictionary_as_good_on_records_like_its_samples() {
        let all = records(3000);
        let (samples, later) = all.split_at(2000);
        let searched = train_dictionary_with(samples, 4096, Training::Searched).unwrap();
        let quick = train_dictionary_with(samples, 4096, Training::Quick).unwrap();
        assert_ne!(quick, searched);
        assert!(quick.len() <= 4096 && quick.len() >= MIN_DICTIONARY_BYTES, "{}", quick.len());
        assert_ne!(Dictionary::new(&quick, 3).unwrap().id(), 0, "a standard zstd dictionary");
        let plain: usize = later.iter().map(|r| crate::compress::compress(r, 3).unwrap().len()).sum();
        let (q, s) = (compressed_with(&quick, later), compressed_with(&searched, later));
        assert!(q * 2 < plain, "quick {q} bytes against {plain} with no dictionary");
        assert!((q as f64) < s as f64 * 1.05, "quick {q} bytes against searched {s}");
        // The segment size never passes the dictionary's, which fastCover refuses.
        let small = train_dictionary_with(samples, MIN_DICTIONARY_BYTES, Training::Quick).unwrap();
        assert!(small.len() <= MIN_DICTIONARY_BYTES);
    }

    #[test]
    fn refers_to_the_tables_in_place_at_double_fast_levels_up_to_a_size() {
        let dict = train_dictionary(&records(2000), 4096).unwrap();
        let refer_up_to = |level| Dictionary::new(&dict, level).unwrap().0.refer_up_to;
        // For a dictionary this size zstd's level 3 is double-fast, 1 fast, 9 lazy.
        assert_eq!((refer_up_to(3), refer_up_to(1), refer_up_to(9)), (REFER_UP_TO, 0, 0));
        // Frames on both sides of zstd's own cutoff and of ours decode to what they hold.
        let d = Dictionary::new(&dict, 3).unwrap();
        let text: Vec<u8> = records(3000).concat();
        for len in [(16 << 10) - 1, (16 << 10) + 1, REFER_UP_TO, REFER_UP_TO + 1] {
            let frame = crate::compress::compress_with(&text[..len], &d).unwrap();
            assert_eq!(crate::compress::decompress_with(&frame, len, Some(&d)).unwrap(), &text[..len], "{len}");
            // A stream's frame of a pledged size, then one of unknown size.
            let mut e = crate::compress::Encoder::with_dictionary(&d, true).unwrap();
            let mut frames = Vec::new();
            e.pledge(len as u64).unwrap();
            e.write(&text[..len], &mut frames).unwrap();
            e.finish(&mut frames).unwrap();
            e.write(&text[..len], &mut frames).unwrap();
            e.finish(&mut frames).unwrap();
            assert_eq!(
                crate::compress::decompress_with(&frames, 2 * len, Some(&d)).unwrap(),
                [&text[..len], &text[..len]].concat(),
                "{len}"
            );
        }
    }

    #[test]
    fn raw_content_and_corrupt_dictionaries() {
        let raw = Dictionary::new(b"any bytes serve as raw content", 3).unwrap();
        assert_eq!(raw.id(), 0);
        assert_eq!(Dictionary::new(b"", 3).unwrap_err(), Error::EmptyDictionary);
        // The zstd dictionary magic and an id, then tables that are not tables.
        let mut bad = 0xEC30_A437u32.to_le_bytes().to_vec();
        bad.extend(77u32.to_le_bytes());
        bad.extend([0xFF; 64]);
        let e = Dictionary::new(&bad, 3).unwrap_err();
        assert_eq!(e.code(), "ERR_CORRUPT_DATA");
        assert!(e.to_string().contains("id 77"), "{e}");
        assert!(matches!(Dictionary::new(b"x", 99).unwrap_err(), Error::LevelOutOfRange { level: 99, .. }));
    }
}
