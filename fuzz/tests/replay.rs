//! Replays every input of `corpus/<target>/` and `regressions/<target>/` through its check,
//! on stable Rust and without libFuzzer, so `npm test` holds every crash ever found.
use std::path::Path;

fn replay(target: &str, check: fn(&[u8])) {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut n = 0;
    for dir in ["corpus", "regressions"] {
        let Ok(entries) = std::fs::read_dir(root.join(dir).join(target)) else { continue };
        for entry in entries {
            let path = entry.unwrap().path();
            let data = std::fs::read(&path).unwrap();
            let outcome = std::panic::catch_unwind(|| check(&data));
            assert!(outcome.is_ok(), "{target}: {} fails its check", path.display());
            n += 1;
        }
    }
    assert!(n > 0, "{target}: no seed corpus");
    eprintln!("{target}: {n} inputs replayed");
}

/// One test per target, named after it.
macro_rules! replay_tests {
    ($($target:ident),*) => {$(
        #[test]
        fn $target() {
            replay(stringify!($target), ironlung_fuzz::$target);
        }
    )*};
}

replay_tests!(
    zstd_decompress,
    text_decode,
    token_decode,
    tokenizer_differential,
    pretokenize_pieces,
    log_damage,
    log_seek,
    zstd_stream,
    zdict_train
);
