//! `zdict_train`: zstd's dictionary trainer on any samples, both ways ironlung trains.

use crate::Input;
use ironlung_core::compress::{
    compress_with, decompress_with, train_dictionary_with, Dictionary, Training, MIN_DICTIONARY_BYTES,
};
use ironlung_core::{Code, Error};

/// Samples cut from the input at lengths it names, a dictionary size and a way of training:
/// zstd's trainer has crashed the process on inputs near its limits (facebook/zstd#3599,
/// #4499, #4600), so training ends in a dictionary or in `TrainingFailed`, never a signal or
/// another error. A dictionary is at most the size asked for, names itself, and round-trips a
/// sample.
pub fn zdict_train(data: &[u8]) {
    let mut input = Input::new(data);
    let flags = input.byte();
    let training = if flags & 1 == 0 { Training::Quick } else { Training::Searched };
    let max_bytes = MIN_DICTIONARY_BYTES + usize::from(input.u16()) % 8192;
    // Samples: a length byte each (0 makes the next sample the rest), as long as input lasts;
    // bit 1 repeats the sample set, so that small inputs can reach the trainer's minimum.
    let mut samples: Vec<&[u8]> = Vec::new();
    while !input.is_empty() && samples.len() < 2000 {
        let len = usize::from(input.byte());
        samples.push(if len == 0 { input.take(usize::MAX) } else { input.take(len) });
    }
    if flags & 2 != 0 {
        let copy = samples.clone();
        for _ in 0..(usize::from(flags >> 2) % 8) {
            samples.extend_from_slice(&copy);
        }
    }
    match train_dictionary_with(&samples, max_bytes, training) {
        Ok(dict) => {
            assert!(dict.len() <= max_bytes, "{} bytes for max {max_bytes}", dict.len());
            let d = Dictionary::new(&dict, 3).expect("a trained dictionary loads");
            assert_ne!(d.id(), 0, "a trained dictionary names itself");
            let sample = samples.iter().max_by_key(|s| s.len()).copied().unwrap_or_default();
            let packed = compress_with(sample, &d).expect("compress with it");
            assert_eq!(decompress_with(&packed, sample.len(), Some(&d)).expect("decompress with it"), sample);
        }
        Err(e) => {
            assert!(matches!(e, Error::TrainingFailed { .. }), "training error {e:?}");
            assert_eq!(e.kind(), Code::InvalidArg, "{e}");
        }
    }
}
