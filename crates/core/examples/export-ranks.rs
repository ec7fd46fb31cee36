//! Writes the rank tables this build embeds into a directory, one `<table>.bin` file each,
//! for the wasm package, which loads each table only when its encoding is first used.
fn main() {
    let dir = std::path::PathBuf::from(std::env::args().nth(1).expect("usage: export-ranks DIR"));
    std::fs::create_dir_all(&dir).unwrap();
    for (table, bytes) in ironlung_core::tokenizer::embedded_rank_tables() {
        std::fs::write(dir.join(format!("{table}.bin")), bytes).unwrap();
    }
}
