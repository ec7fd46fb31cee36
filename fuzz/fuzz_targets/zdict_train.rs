#![no_main]
libfuzzer_sys::fuzz_target!(|data: &[u8]| ironlung_fuzz::zdict_train(data));
