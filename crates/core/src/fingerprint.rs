//! FNV-1a, 64-bit: a dependency-free fingerprint of the rank tables. `build.rs` includes
//! this same file to record the fingerprints that `install_ranks` checks.

/// The FNV-1a 64-bit hash of `data`.
pub fn fnv1a(data: &[u8]) -> u64 {
    let mut h: u64 = 0xcbf29ce484222325;
    for &b in data {
        h ^= b as u64;
        h = h.wrapping_mul(0x100000001b3);
    }
    h
}
