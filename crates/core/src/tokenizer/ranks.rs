//! The rank tables: embedded in the build, or installed at run time and checked against
//! the hash this build was made with; and each table's vocabulary, parsed on first use.

use super::vocab::Vocab;
use super::{rank_file, EncodingName};
use crate::error::{Error, Result};
use std::sync::OnceLock;

/// The rank table an encoding uses: `p50k_edit` shares `p50k_base`'s, `o200k_harmony`
/// shares `o200k_base`'s.
pub fn rank_table(name: EncodingName) -> &'static str {
    RANK_TABLES[table_index(name)]
}

/// The rank tables the encodings use, as [`rank_table`] and [`install_ranks`] name them.
pub const RANK_TABLES: [&str; 4] = ["r50k_base", "p50k_base", "cl100k_base", "o200k_base"];

fn table_index(name: EncodingName) -> usize {
    use EncodingName::*;
    match name {
        R50kBase => 0,
        P50kBase | P50kEdit => 1,
        Cl100kBase => 2,
        O200kBase | O200kHarmony => 3,
    }
}

mod expected {
    include!(concat!(env!("OUT_DIR"), "/rank_hashes.rs"));
}

/// Rank tables handed over at run time (where they are not embedded).
static INSTALLED: [OnceLock<&'static [u8]>; 4] = [const { OnceLock::new() }; 4];

#[cfg(feature = "embed-ranks")]
fn embedded(file: usize) -> Option<&'static [u8]> {
    static TABLES: [&[u8]; 4] = [
        include_bytes!(concat!(env!("OUT_DIR"), "/r50k_base.ranks")),
        include_bytes!(concat!(env!("OUT_DIR"), "/p50k_base.ranks")),
        include_bytes!(concat!(env!("OUT_DIR"), "/cl100k_base.ranks")),
        include_bytes!(concat!(env!("OUT_DIR"), "/o200k_base.ranks")),
    ];
    Some(TABLES[file])
}

#[cfg(not(feature = "embed-ranks"))]
fn embedded(_file: usize) -> Option<&'static [u8]> {
    None
}

/// The embedded rank tables, by name (for exporting them to the wasm package).
#[cfg(feature = "embed-ranks")]
pub fn embedded_rank_tables() -> impl Iterator<Item = (&'static str, &'static [u8])> {
    (0..4).filter_map(|f| Some((RANK_TABLES[f], embedded(f)?)))
}

/// The bytes of rank table `file`: embedded, or installed at run time.
fn table_bytes(file: usize) -> Option<&'static [u8]> {
    embedded(file).or_else(|| INSTALLED[file].get().copied())
}

/// Whether the rank data of `name` is at hand (always, where it is embedded).
pub fn ranks_available(name: EncodingName) -> bool {
    table_bytes(table_index(name)).is_some()
}

/// Hands over the rank table `table` (as [`rank_table`] names it), e.g. fetched by a browser:
/// the file `<table>.wasm` as shipped (see [`rank_file`]), or the bare table inside it.
/// The bytes must be exactly the table this build was made with: a hash of them is checked,
/// so a stale or truncated download is `ERR_CORRUPT_DATA`, never wrong tokens. Installing
/// a table twice is harmless.
pub fn install_ranks(table: &str, mut data: Vec<u8>) -> Result<()> {
    let Some(file) = RANK_TABLES.iter().position(|t| *t == table) else {
        return Err(Error::UnknownRankTable { table: table.to_string() });
    };
    if rank_file::is_wrapped(&data) {
        let Some(payload) = rank_file::unwrap(&data) else {
            return Err(Error::CorruptRanks {
                table: table.to_string(),
                reason: format!(
                    "the rank file for {table} ({} bytes) is a wasm module but not one holding a rank table: \
                     expected exactly one custom section named {:?}",
                    data.len(),
                    rank_file::SECTION
                ),
            });
        };
        data.drain(..payload.start);
    }
    let got = crate::fingerprint::fnv1a(&data);
    if got != expected::HASHES[file] || data.len() != expected::LENGTHS[file] {
        return Err(Error::CorruptRanks {
            table: table.to_string(),
            reason: format!(
                "rank data for {table} does not match this build: {} bytes with hash {got:016x}, expected {} bytes with hash {:016x}",
                data.len(),
                expected::LENGTHS[file],
                expected::HASHES[file]
            ),
        });
    }
    if INSTALLED[file].get().is_none() {
        let _ = INSTALLED[file].set(Box::leak(data.into_boxed_slice()));
    }
    Ok(())
}

pub(super) fn vocab(name: EncodingName) -> Result<&'static Vocab> {
    static CELLS: [OnceLock<Vocab>; 4] = [const { OnceLock::new() }; 4];
    let file = table_index(name);
    if let Some(v) = CELLS[file].get() {
        return Ok(v);
    }
    let Some(table) = table_bytes(file) else {
        return Err(Error::RanksNotLoaded { encoding: name, table: RANK_TABLES[file] });
    };
    Ok(CELLS[file].get_or_init(|| Vocab::parse(file, table)))
}

#[cfg(all(test, feature = "embed-ranks"))]
mod install_tests {
    use super::*;
    use crate::tokenizer::{rank_file, EncodingName};

    #[test]
    fn installs_only_the_matching_table() {
        let (_, cl100k) = embedded_rank_tables().find(|(t, _)| *t == "cl100k_base").unwrap();
        assert!(install_ranks("cl100k_base", cl100k.to_vec()).is_ok());
        let e = install_ranks("cl100k_base", cl100k[..cl100k.len() - 1].to_vec()).unwrap_err();
        assert_eq!(e.code(), "ERR_CORRUPT_DATA");
        assert!(e.to_string().contains("does not match this build"), "{}", e);
        let e = install_ranks("o200k_base", cl100k.to_vec()).unwrap_err();
        assert_eq!(e.code(), "ERR_CORRUPT_DATA");
        assert_eq!(install_ranks("cl100k", vec![]).unwrap_err().code(), "ERR_INVALID_ARG");
        assert_eq!(rank_table(EncodingName::O200kHarmony), "o200k_base");
        assert!(ranks_available(EncodingName::P50kEdit));
    }

    #[test]
    fn accepts_the_shipped_file_and_names_a_foreign_module() {
        let (_, cl100k) = embedded_rank_tables().find(|(t, _)| *t == "cl100k_base").unwrap();
        assert!(install_ranks("cl100k_base", rank_file::wrap(cl100k)).is_ok());
        let mut truncated = rank_file::wrap(cl100k);
        truncated.pop();
        let e = install_ranks("cl100k_base", truncated).unwrap_err();
        assert_eq!(e.code(), "ERR_CORRUPT_DATA");
        assert!(e.to_string().contains("custom section named \"ironlung.ranks\""), "{}", e);
        let e = install_ranks("cl100k_base", rank_file::wrap(&cl100k[1..])).unwrap_err();
        assert!(e.to_string().contains("does not match this build"), "{}", e);
    }
}
