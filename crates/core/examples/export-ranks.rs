//! Writes the rank tables this build embeds into a directory, one `<table>.wasm` file each
//! (the table wrapped as a code-less wasm module, see `tokenizer::rank_file`), for the wasm
//! package, which loads each table only when its encoding is first used.
use ironlung_core::tokenizer::{embedded_rank_tables, rank_file};

fn main() {
    let dir = std::path::PathBuf::from(std::env::args().nth(1).expect("usage: export-ranks DIR"));
    std::fs::create_dir_all(&dir).unwrap();
    for (table, bytes) in embedded_rank_tables() {
        std::fs::write(dir.join(format!("{table}.wasm")), rank_file::wrap(bytes)).unwrap();
    }
}
