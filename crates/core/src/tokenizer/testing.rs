//! Test texts shared by the pre-tokenizer's tests.

/// `count` random texts of up to `max_atoms` atoms each, drawn from `atoms`; with
/// `subset = Some((k, n))`, every `k`th text draws from `atoms[..n]` only. The seed is fixed
/// so that a failure reproduces.
pub fn random_texts(
    atoms: &[&str],
    seed: u64,
    count: usize,
    max_atoms: u64,
    subset: Option<(usize, usize)>,
) -> Vec<String> {
    let mut x = seed;
    let mut next = || {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        x
    };
    (0..count)
        .map(|i| {
            let n = (next() % max_atoms) as usize;
            let from = match subset {
                Some((k, first)) if i % k == 0 => &atoms[..first],
                _ => atoms,
            };
            (0..n).map(|_| from[(next() % from.len() as u64) as usize]).collect()
        })
        .collect()
}
