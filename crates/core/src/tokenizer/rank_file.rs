//! The file a rank table ships in: a WebAssembly module with no code and one custom section,
//! `ironlung.ranks`, that holds the table's bytes.
//!
//! Why a wasm module: edge runtimes (Vercel Edge, Next.js edge routes, Cloudflare Workers)
//! may have no URL to fetch a file from, but every one of their bundlers carries a `.wasm`
//! import (`?module`, or wrangler's CompiledWasm rule) and hands over a compiled module,
//! whose section JS reads with `WebAssembly.Module.customSections`. Where a runtime fetches
//! or reads the file instead, [`unwrap`] finds the same bytes without compiling anything.

/// The custom section's name.
pub const SECTION: &str = "ironlung.ranks";

const MAGIC: &[u8; 8] = b"\0asm\x01\0\0\0";

/// `payload` as a code-less wasm module whose only section is the custom section [`SECTION`].
pub fn wrap(payload: &[u8]) -> Vec<u8> {
    let mut body = Vec::with_capacity(payload.len() + 24);
    leb128(&mut body, SECTION.len());
    body.extend_from_slice(SECTION.as_bytes());
    body.extend_from_slice(payload);
    let mut out = Vec::with_capacity(body.len() + 16);
    out.extend_from_slice(MAGIC);
    out.push(0); // custom section
    leb128(&mut out, body.len());
    out.extend_from_slice(&body);
    out
}

/// Whether `bytes` begin like a wasm module (a wrapped table, not a bare one).
pub fn is_wrapped(bytes: &[u8]) -> bool {
    bytes.starts_with(&MAGIC[..4])
}

/// Where the payload sits in a file [`wrap`] made, or `None` if `bytes` is not exactly one.
pub fn unwrap(bytes: &[u8]) -> Option<std::ops::Range<usize>> {
    let rest = bytes.strip_prefix(MAGIC)?;
    let (&id, rest) = rest.split_first()?;
    let (size, rest) = read_leb128(rest)?;
    if id != 0 || size != rest.len() {
        return None;
    }
    let (name_len, rest) = read_leb128(rest)?;
    if rest.get(..name_len)? != SECTION.as_bytes() {
        return None;
    }
    Some(bytes.len() - (rest.len() - name_len)..bytes.len())
}

fn leb128(out: &mut Vec<u8>, mut n: usize) {
    loop {
        let byte = (n & 0x7f) as u8;
        n >>= 7;
        if n == 0 {
            out.push(byte);
            return;
        }
        out.push(byte | 0x80);
    }
}

/// An unsigned LEB128 of at most 5 bytes (wasm's u32), and what follows it.
fn read_leb128(bytes: &[u8]) -> Option<(usize, &[u8])> {
    let mut n: u64 = 0;
    for (i, &b) in bytes.iter().enumerate().take(5) {
        n |= u64::from(b & 0x7f) << (7 * i);
        if b & 0x80 == 0 {
            return Some((usize::try_from(u32::try_from(n).ok()?).ok()?, &bytes[i + 1..]));
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips_every_size_class() {
        for len in [0, 1, 100, 127 - SECTION.len() - 1, 128, 16_384, 601_032] {
            let payload: Vec<u8> = (0..len).map(|i| (i * 7 % 251) as u8).collect();
            let file = wrap(&payload);
            assert!(is_wrapped(&file));
            assert_eq!(&file[unwrap(&file).expect("wrapped")], &payload[..], "len {len}");
        }
    }

    #[test]
    fn the_file_is_a_valid_module_as_wasm_spells_it() {
        // Header, custom section id 0, size 17 = 1 + 14 + 2, name length 14, name, payload.
        let file = wrap(b"hi");
        let mut want = b"\0asm\x01\0\0\0\0\x11\x0e".to_vec();
        want.extend_from_slice(b"ironlung.ranksh");
        want.push(b'i');
        assert_eq!(file, want);
    }

    #[test]
    fn rejects_anything_else() {
        let good = wrap(b"payload");
        assert_eq!(unwrap(b"payload"), None);
        assert_eq!(unwrap(&good[..good.len() - 1]), None, "truncated");
        let mut longer = good.clone();
        longer.push(0);
        assert_eq!(unwrap(&longer), None, "trailing bytes");
        let mut renamed = good.clone();
        renamed[11] = b'X';
        assert_eq!(unwrap(&renamed), None, "another section name");
        let mut code = good.clone();
        code[8] = 1;
        assert_eq!(unwrap(&code), None, "not a custom section");
        assert_eq!(unwrap(b"\0asm\x01\0\0\0\0\xff\xff\xff\xff\xff"), None, "overlong size");
    }
}
