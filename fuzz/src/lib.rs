//! The fuzz targets' checks, one function each: `fuzz_targets/*.rs` hand them libFuzzer's
//! input, and `tests/replay.rs` hands them every file of the corpora and of the regressions,
//! so `cargo test` (stable, no libFuzzer) replays all of it. Each check panics on a broken
//! invariant; an error ironlung returns is fine as long as its code is one the API states.

use ironlung_core::compress::{compress, decompress, frame_info};
use ironlung_core::text::{is_binary, text_from_bytes};
use ironlung_core::tokenizer::{encoding, Boundary, Cut, Encoding, EncodingName};
use ironlung_core::Code;
use std::sync::OnceLock;

mod log;
mod seek;
mod stream;
mod train;

pub use log::log_damage;
pub use seek::log_seek;
pub use stream::zstd_stream;
pub use train::zdict_train;

const ENCODINGS: [EncodingName; 3] = [EncodingName::R50kBase, EncodingName::Cl100kBase, EncodingName::O200kBase];

fn enc(name: EncodingName) -> &'static Encoding {
    encoding(name).expect("embedded encoding")
}

/// The first byte picks a variant; the rest is the input.
fn split(data: &[u8]) -> (u8, &[u8]) {
    match data.split_first() {
        Some((&b, rest)) => (b, rest),
        None => (0, data),
    }
}

/// Reads the parameters of a check from the front of its input: a byte, or 0 once it runs out.
pub(crate) struct Input<'a> {
    data: &'a [u8],
}

impl<'a> Input<'a> {
    pub(crate) fn new(data: &'a [u8]) -> Input<'a> {
        Input { data }
    }

    pub(crate) fn is_empty(&self) -> bool {
        self.data.is_empty()
    }

    pub(crate) fn byte(&mut self) -> u8 {
        self.take(1).first().copied().unwrap_or(0)
    }

    pub(crate) fn u16(&mut self) -> u16 {
        u16::from_le_bytes([self.byte(), self.byte()])
    }

    pub(crate) fn u32(&mut self) -> u32 {
        u32::from_le_bytes([self.byte(), self.byte(), self.byte(), self.byte()])
    }

    /// Up to `n` bytes: fewer at the input's end.
    pub(crate) fn take(&mut self, n: usize) -> &'a [u8] {
        let (head, rest) = self.data.split_at(n.min(self.data.len()));
        self.data = rest;
        head
    }

    /// What is left.
    pub(crate) fn rest(self) -> &'a [u8] {
        self.data
    }
}

/// A zstd dictionary trained once per process on synthetic JSON records, for the checks
/// that write or read with one.
pub(crate) fn dictionary_bytes() -> &'static [u8] {
    static DICT: OnceLock<Vec<u8>> = OnceLock::new();
    DICT.get_or_init(|| {
        let samples: Vec<String> = (0..300)
            .map(|i| {
                format!(
                    r#"{{"type":"tool_output","i":{i},"tool":"read_file","path":"src/m{}.rs","text":"{}"}}"#,
                    i % 37,
                    "line of output ".repeat(i % 23)
                )
            })
            .collect();
        ironlung_core::compress::train_dictionary(&samples, 4096).expect("train the fuzz dictionary")
    })
}

/// zstd decompress with a cap: the output never exceeds the cap; whatever decodes equals the
/// reference decoder's output; errors carry the stated codes (a frame naming a dictionary,
/// given none, is a dictionary mismatch); compress round-trips.
pub fn zstd_decompress(data: &[u8]) {
    let (pick, rest) = split(data);
    let cap = [0, 1, 100, 4096, 1 << 20, 64 << 20][pick as usize % 6];
    match decompress(rest, cap) {
        Ok(out) => {
            assert!(out.len() <= cap, "{} bytes out with cap {cap}", out.len());
            let reference = zstd::stream::decode_all(rest)
                .ok()
                .or_else(|| zstd_streamed(rest))
                .expect("ironlung decoded what zstd refuses");
            assert_eq!(out, reference, "ironlung and zstd decode differently");
        }
        Err(e) => assert!(
            matches!(
                e.kind(),
                Code::CorruptData | Code::OutputTooLarge | Code::DictionaryMismatch | Code::Os("ENOMEM")
            ),
            "decompress error {:?}: {e}",
            e.kind()
        ),
    }
    let level = [-5, 1, 3, 9][pick as usize % 4];
    let packed = compress(rest, level).expect("compress");
    assert_eq!(decompress(&packed, rest.len()).expect("round trip"), rest);
    // frame_info walks a frame with a window over 2^30 by its block headers itself: where
    // zstd's own walk (on 64 bits, up to 2^31) finds every frame, both count the same.
    if let Some(zstd_frames) = zstd_frame_count(rest) {
        let info = frame_info(rest).expect("frame_info refused what zstd walks");
        assert_eq!(info.frames, zstd_frames, "frame_info and zstd find different frames");
    }
}

/// The number of frames zstd's ZSTD_findFrameCompressedSize finds in `data`, or `None` where
/// it refuses a frame or the bytes are empty.
fn zstd_frame_count(mut data: &[u8]) -> Option<usize> {
    let mut n = 0;
    while !data.is_empty() {
        let len = zstd::zstd_safe::find_frame_compressed_size(data).ok().filter(|&l| l > 0 && l <= data.len())?;
        data = &data[len..];
        n += 1;
    }
    (n > 0).then_some(n)
}

/// zstd's own streaming decoder fed one byte at a time, as pieces of a stream reach it: its
/// output, or `None` where it fails or stops inside a frame. `decode_all` hands zstd the whole
/// input, and for a frame that declares its size zstd then decodes it in one pass, which
/// refuses some degenerate frames its streaming path accepts (an RLE block of size 0 without
/// its byte: fuzz/regressions/zstd_decompress/crash-4be232b5...). ironlung's streaming
/// decoder is zstd's streaming path, so that is its reference there.
fn zstd_streamed(data: &[u8]) -> Option<Vec<u8>> {
    use zstd::zstd_safe::{DCtx, DParameter, InBuffer, OutBuffer};
    let mut dctx = DCtx::try_create()?;
    dctx.set_parameter(DParameter::WindowLogMax(30)).ok()?;
    let mut out = Vec::new();
    let mut buf = vec![0u8; 1 << 17];
    let mut hint = 0;
    for i in 0..data.len() {
        let mut input = InBuffer::around(&data[i..=i]);
        loop {
            let mut output = OutBuffer::around(&mut buf[..]);
            hint = dctx.decompress_stream(&mut output, &mut input).ok()?;
            let made = output.pos();
            out.extend_from_slice(&buf[..made]);
            if input.pos() == 1 && made < buf.len() {
                break;
            }
            if input.pos() == 0 && made == 0 {
                return None; // no progress: never the case while zstd works
            }
        }
    }
    (hint == 0 && !data.is_empty()).then_some(out)
}

/// Text decoding and binary detection: the size cap holds, binary input is refused exactly
/// when `is_binary` says so, and valid UTF-8 without a byte-order mark decodes to itself.
pub fn text_decode(data: &[u8]) {
    let (pick, rest) = split(data);
    let max = if pick % 4 == 0 { rest.len().saturating_sub(1) } else { rest.len() };
    let got = text_from_bytes(rest, max);
    if rest.len() > max {
        assert_eq!(got.expect_err("over the cap").kind(), Code::FileTooLarge);
        return;
    }
    match got {
        Ok(text) => {
            assert!(!is_binary(rest), "decoded input that is_binary calls binary");
            if let Ok(s) = std::str::from_utf8(rest) {
                if !s.starts_with('\u{feff}') {
                    assert_eq!(text, s);
                }
            }
        }
        Err(e) => {
            assert_eq!(e.kind(), Code::BinaryFile, "{}", e);
            assert!(is_binary(rest));
        }
    }
}

/// Token decode: ids from the input (4 bytes each, some out of range) decode to the
/// concatenation of their tokens' bytes, or fail with ERR_INVALID_TOKEN; the bytes of
/// `encode(text)` decode back to `text`.
pub fn token_decode(data: &[u8]) {
    let (pick, rest) = split(data);
    let e = enc(ENCODINGS[pick as usize % 3]);
    let ids: Vec<u32> =
        rest.chunks_exact(4).map(|c| u32::from_le_bytes(c.try_into().unwrap()) % (e.n_vocab() + 16)).collect();
    match e.decode_bytes(&ids) {
        Ok(bytes) => {
            let each: Vec<u8> = ids.iter().flat_map(|&t| e.decode_bytes(&[t]).expect("one valid id")).collect();
            assert_eq!(bytes, each);
        }
        Err(err) => assert_eq!(err.kind(), Code::InvalidToken, "{}", err),
    }
    let text = String::from_utf8_lossy(rest);
    assert_eq!(e.decode_bytes(&e.encode_ordinary(&text)).expect("own tokens"), text.as_bytes());
}

fn reference(name: EncodingName) -> &'static tiktoken_rs::CoreBPE {
    static REFS: [OnceLock<tiktoken_rs::CoreBPE>; 3] = [OnceLock::new(), OnceLock::new(), OnceLock::new()];
    let i = ENCODINGS.iter().position(|&n| n == name).unwrap();
    REFS[i].get_or_init(|| {
        match name {
            EncodingName::R50kBase => tiktoken_rs::r50k_base(),
            EncodingName::Cl100kBase => tiktoken_rs::cl100k_base(),
            _ => tiktoken_rs::o200k_base(),
        }
        .expect("tiktoken-rs table")
    })
}

/// count, encode, truncate and chunk against tiktoken-rs and their own invariants: tokens
/// equal tiktoken's; count is the number of tokens; a truncation fits its budget and is a
/// prefix (or a suffix); chunks fit, tile the text in order, and join to it.
pub fn tokenizer_differential(data: &[u8]) {
    let (pick, rest) = split(data);
    let name = ENCODINGS[pick as usize % 3];
    let e = enc(name);
    let text = String::from_utf8_lossy(rest);
    let ours = e.encode_ordinary(&text);
    assert_eq!(ours, reference(name).encode_ordinary(&text), "{name:?} tokens differ from tiktoken's on {text:?}");
    assert_eq!(e.count(&text), ours.len());
    let budget = 1 + pick as usize % 17;
    let head = e.truncate(&text, budget);
    assert!(text.starts_with(head) && e.count(head) <= budget);
    let tail = e.truncate_with(&text, budget, Cut::Start, None).expect("truncate from the start");
    assert!(text.ends_with(&tail.text) && tail.tokens <= budget && e.count(&tail.text) == tail.tokens);
    let boundary = [Boundary::Token, Boundary::Line, Boundary::Paragraph][pick as usize % 3];
    match e.chunk(&text, budget, 0, boundary) {
        Ok(spans) => {
            let mut at = 0;
            for s in &spans {
                assert_eq!(s.start, at, "chunks tile the text");
                assert!(s.end > s.start && s.tokens <= budget && e.count(&text[s.start..s.end]) == s.tokens);
                at = s.end;
            }
            assert_eq!(at, text.len());
        }
        // A single character may count more tokens than a small budget.
        Err(err) => assert_eq!(err.kind(), Code::InvalidArg, "{}", err),
    }
}

/// The pre-tokenizer's pieces equal the matches of tiktoken's regex for each family.
pub fn pretokenize_pieces(data: &[u8]) {
    static PATTERNS: OnceLock<[fancy_regex::Regex; 3]> = OnceLock::new();
    let patterns = PATTERNS.get_or_init(|| PATTERN_SOURCES.map(|p| fancy_regex::Regex::new(p).expect("pattern")));
    let (pick, rest) = split(data);
    let i = pick as usize % 3;
    let text = String::from_utf8_lossy(rest);
    let want: Vec<(usize, usize)> =
        patterns[i].find_iter(&*text).map(|m| m.expect("regex ran")).map(|m| (m.start(), m.end())).collect();
    assert_eq!(enc(ENCODINGS[i]).pieces(&text), want, "{:?} pieces of {text:?}", ENCODINGS[i]);
}

/// tiktoken's patterns (as tiktoken-rs 0.12 gives them): r50k_base and p50k_base, cl100k_base,
/// o200k_base.
const PATTERN_SOURCES: [&str; 3] = [
    r"'(?:[sdmt]|ll|ve|re)| ?\p{L}++| ?\p{N}++| ?[^\s\p{L}\p{N}]++|\s++$|\s+(?!\S)|\s",
    r"'(?i:[sdmt]|ll|ve|re)|[^\r\n\p{L}\p{N}]?+\p{L}++|\p{N}{1,3}+| ?[^\s\p{L}\p{N}]++[\r\n]*+|\s++$|\s*[\r\n]|\s+(?!\S)|\s",
    concat!(
        r"[^\r\n\p{L}\p{N}]?[\p{Lu}\p{Lt}\p{Lm}\p{Lo}\p{M}]*[\p{Ll}\p{Lm}\p{Lo}\p{M}]+(?i:'s|'t|'re|'ve|'m|'ll|'d)?",
        r"|[^\r\n\p{L}\p{N}]?[\p{Lu}\p{Lt}\p{Lm}\p{Lo}\p{M}]+[\p{Ll}\p{Lm}\p{Lo}\p{M}]*(?i:'s|'t|'re|'ve|'m|'ll|'d)?",
        r"|\p{N}{1,3}| ?[^\s\p{L}\p{N}]+[\r\n/]*|\s*[\r\n]+|\s+(?!\S)|\s+"
    ),
];
