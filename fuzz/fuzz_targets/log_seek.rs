#![no_main]
libfuzzer_sys::fuzz_target!(|data: &[u8]| ironlung_fuzz::log_seek(data));
