//! One-shot zstd: a whole buffer in, a whole buffer out, with thread-local contexts reused
//! between calls.

use super::dictionary::Dictionary;
use super::frame::frames;
use super::stream::Decoder;
use super::{check_level, reason, window_error, WINDOW_LOG_MAX};
use crate::error::{Code, Error, OutputSize, Result};
use zstd::zstd_safe;

/// Compresses `data` into a single zstd frame at `level`.
///
/// `level` must lie within [`level_range`](super::level_range); `0` selects zstd's default.
/// The frame header records the content size, which lets [`decompress`] check it against its
/// cap before decoding, and the frame ends in a content checksum that [`decompress`] verifies.
pub fn compress(data: &[u8], level: i32) -> Result<Vec<u8>> {
    check_level(level)?;
    compress_one(data, |cctx| cctx.set_parameter(zstd_safe::CParameter::CompressionLevel(level)))
}

/// [`compress`] with `dictionary`, at the dictionary's level. The frame names the
/// dictionary's id, so that decompressing it with another is an error, not garbage.
pub fn compress_with(data: &[u8], dictionary: &Dictionary) -> Result<Vec<u8>> {
    // The context keeps a pointer to the dictionary past this call; every call resets the
    // context (and so drops that pointer) before it compresses.
    compress_one(data, |cctx| dictionary.refer(cctx, data.len()))
}

fn compress_one(
    data: &[u8],
    setup: impl FnOnce(&mut zstd_safe::CCtx<'static>) -> zstd_safe::SafeResult,
) -> Result<Vec<u8>> {
    // ZSTD_compressBound reports an error code (a huge number) for inputs beyond zstd's
    // maximum; try_reserve turns that, and a genuine allocation failure, into an error
    // instead of an abort.
    let bound = zstd_safe::compress_bound(data.len());
    let mut out = Vec::new();
    out.try_reserve_exact(bound)
        .map_err(|_| Error::no_memory(format!("{bound} bytes to compress {} bytes", data.len())))?;
    // A content checksum (4 bytes a frame) makes decompress detect corruption anywhere in
    // the payload, not only in block headers: flipped bits must be an error, never
    // silently different output. One-shot compress2 also records the content size.
    let internal =
        |code: usize| Error::Internal { reason: format!("zstd failed to compress: {}", reason::describe(code)) };
    with_reused(&CCTX, zstd_safe::CCtx::try_create, zstd_safe::CCtx::sizeof, |cctx| {
        let Some(cctx) = cctx else {
            return Err(Error::no_memory("a zstd compressor"));
        };
        cctx.reset(zstd_safe::ResetDirective::SessionAndParameters).map_err(internal)?;
        setup(cctx).map_err(internal)?;
        cctx.set_parameter(zstd_safe::CParameter::ChecksumFlag(true)).map_err(internal)?;
        cctx.compress2(&mut out, data).map_err(internal)
    })?;
    Ok(out)
}

// One zstd context of each kind per thread, reused: a context's workspace is over glibc's
// mmap threshold, so creating one per call maps and unmaps it every time, which costs more
// than compressing a small record. A context that grew past KEEP_CONTEXT (high levels,
// large windows) is dropped after its call, so what stays held is small.
thread_local! {
    static CCTX: std::cell::RefCell<Option<zstd_safe::CCtx<'static>>> = const { std::cell::RefCell::new(None) };
    static DCTX: std::cell::RefCell<Option<zstd_safe::DCtx<'static>>> = const { std::cell::RefCell::new(None) };
}

/// The largest context kept for the next call.
const KEEP_CONTEXT: usize = 4 << 20;

/// Runs `f` with this thread's context from `cell` (made by `create` if there is none, or if
/// it is in use further up the stack), and keeps it afterwards if `size` says it is small.
fn with_reused<C, T>(
    cell: &'static std::thread::LocalKey<std::cell::RefCell<Option<C>>>,
    create: fn() -> Option<C>,
    size: fn(&C) -> usize,
    f: impl FnOnce(Option<&mut C>) -> T,
) -> T {
    let mut ctx = cell.with(|c| c.try_borrow_mut().ok().and_then(|mut c| c.take())).or_else(create);
    let out = f(ctx.as_mut());
    if let Some(ctx) = ctx.filter(|c| size(c) <= KEEP_CONTEXT) {
        cell.with(|c| {
            if let Ok(mut c) = c.try_borrow_mut() {
                *c = Some(ctx);
            }
        });
    }
    out
}

/// Decompresses a sequence of zstd frames (skippable frames allowed), refusing to produce more
/// than `max_output_bytes`.
///
/// Errors:
/// - [`Error::OutputTooLarge`] when the frames declare, or turn out to produce, more than
///   `max_output_bytes`. Declared sizes are checked before any output is allocated.
/// - [`Error::DictionaryMismatch`] for a frame that names a dictionary: use
///   [`decompress_with`].
/// - [`Error::Corrupt`] (or [`Error::WindowTooLarge`]) for empty input, invalid or truncated
///   frames, bytes after the last frame that are not themselves a frame, and headers
///   declaring more output than their blocks could possibly hold. Frames without a declared
///   size whose window exceeds `max(128 MiB, max_output_bytes)` are refused here too, as
///   zstd's own decoder would.
pub fn decompress(data: &[u8], max_output_bytes: usize) -> Result<Vec<u8>> {
    decompress_with(data, max_output_bytes, None)
}

/// [`decompress`] with `dictionary` for the frames that name it. A frame that names another
/// dictionary (or any, when `dictionary` is `None`) is [`Error::DictionaryMismatch`], with
/// both ids.
pub fn decompress_with(data: &[u8], max_output_bytes: usize, dictionary: Option<&Dictionary>) -> Result<Vec<u8>> {
    match declared_size(data, max_output_bytes, dictionary)? {
        Some(total) => {
            let mut out = Vec::new();
            out.try_reserve_exact(total).map_err(|_| out_of_memory(total))?;
            decode_declared(data, &mut out, total, dictionary)?;
            Ok(out)
        }
        None => decompress_in_chunks(data, max_output_bytes, dictionary, zstd_safe::DCtx::out_size()),
    }
}

/// The bytes `data` decompresses to, when every frame declares its size: found from the
/// frame headers alone, after every check [`decompress_with`] makes before it allocates
/// (the frames' structure, the dictionary they name, `max_output_bytes`). `None` when some
/// frame does not declare its size: then only [`decompress_with`] can tell.
///
/// With [`decompress_into`], a caller decodes into memory of its own, such as a buffer a
/// garbage collector owns.
pub fn declared_size(data: &[u8], max_output_bytes: usize, dictionary: Option<&Dictionary>) -> Result<Option<usize>> {
    if data.is_empty() {
        return Err(Error::corrupt("input is empty; expected a zstd frame".to_string()));
    }
    let declared = scan_frames(data, dictionary)?;
    if declared.known_total > max_output_bytes as u64 {
        return Err(Error::OutputTooLarge {
            size: declared.known_total,
            max_output_bytes: max_output_bytes as u64,
            known: if declared.all_known { OutputSize::Declared } else { OutputSize::AtLeast },
        });
    }
    // known_total <= max_output_bytes, a usize.
    Ok(declared.all_known.then_some(declared.known_total as usize))
}

/// Decompresses `data`, whose frames declare `out.len()` bytes in all ([`declared_size`]),
/// into `out`. Frames that decode to another size are [`Error::Corrupt`].
pub fn decompress_into(data: &[u8], out: &mut [u8], dictionary: Option<&Dictionary>) -> Result<()> {
    let total = out.len();
    decode_declared(data, out, total, dictionary)
}

/// What the frame headers promise about the output.
struct Declared {
    /// Sum of the content sizes that frames declare (skippable frames count as 0).
    known_total: u64,
    /// Whether every frame declared its size.
    all_known: bool,
}

/// Walks the input frame by frame without decoding any block, so that structure problems
/// (garbage, truncation, trailing bytes, another dictionary) are found before any output
/// is allocated.
fn scan_frames(data: &[u8], dictionary: Option<&Dictionary>) -> Result<Declared> {
    let mut declared = Declared { known_total: 0, all_known: true };
    let given = dictionary.map(Dictionary::id);
    for frame in frames(data) {
        let frame = frame?;
        let h = frame.header;
        if h.skippable.is_some() {
            continue;
        }
        // Before any decoding: wasm32's zstd would refuse such a window as corruption.
        if h.window_too_large() {
            return Err(window_error(Some(h.window_size), WINDOW_LOG_MAX, usize::MAX));
        }
        h.check_dictionary(frame.offset as u64, given)?;
        match h.content_size {
            Some(size) => {
                let most = max_frame_output(frame.len);
                if size > most {
                    return Err(Error::corrupt(format!(
                        "zstd data is corrupt: the frame at byte offset {} declares {size} bytes, more than \
                         its {} bytes can hold (at most {most})",
                        frame.offset, frame.len
                    )));
                }
                declared.known_total = declared.known_total.saturating_add(size);
            }
            None => declared.all_known = false,
        }
    }
    Ok(declared)
}

/// The most a frame of `frame_len` bytes can decode to. Every block costs at least its 3-byte
/// header and yields at most 128 KiB, so a header declaring more is lying; refusing it keeps a
/// few bytes of input from reserving up to the whole cap.
fn max_frame_output(frame_len: usize) -> u64 {
    const BLOCK_HEADER: u64 = 3;
    const BLOCK_SIZE_MAX: u64 = 128 * 1024;
    (frame_len as u64 / BLOCK_HEADER).saturating_mul(BLOCK_SIZE_MAX)
}

/// Decodes input whose frames all declared their sizes, `total` bytes, into `out` (a `Vec`'s
/// spare capacity, or a slice).
fn decode_declared<C: zstd_safe::WriteBuf + ?Sized>(
    data: &[u8],
    out: &mut C,
    total: usize,
    dictionary: Option<&Dictionary>,
) -> Result<()> {
    // A header that under-declares its content makes zstd run out of room (or notice the
    // mismatch) and fail, so a lying header cannot push output past the checked total.
    let written = with_reused(&DCTX, zstd_safe::DCtx::try_create, zstd_safe::DCtx::sizeof, |dctx| {
        let Some(dctx) = dctx else {
            return Err(Error::no_memory("a zstd decoder"));
        };
        // A call that failed may have left the context mid-frame.
        let _ = dctx.reset(zstd_safe::ResetDirective::SessionOnly);
        match dictionary {
            Some(d) => dctx.decompress_using_ddict(out, data, d.ddict()),
            None => dctx.decompress(out, data),
        }
        .map_err(|code| failing_frame(data, dictionary, code))
    })?;
    if written != total {
        return Err(Error::corrupt(format!(
            "zstd data is corrupt: frames declare {total} bytes but decode to {written}"
        )));
    }
    Ok(())
}

/// The error for input that failed to decode in one call with zstd's `code`, naming the
/// frame at fault, which that call does not say. With one frame of content it is that one.
/// With more, the streaming [`Decoder`] decodes the input again into a small buffer it
/// throws away, so the memory is one window (every frame here declared its size, and a
/// window is never larger than its frame's content); only corruption it finds is taken, and
/// without any (the caller's buffer fell short, or memory ran out) the error names no frame.
fn failing_frame(data: &[u8], dictionary: Option<&Dictionary>, code: usize) -> Error {
    let unplaced = || reason::corrupt(code, None);
    let mut content = frames(data).filter_map(|f| f.ok()).filter(|f| f.header.skippable.is_none());
    let (Some(first), second) = (content.next(), content.next()) else { return unplaced() };
    if second.is_none() {
        return reason::corrupt(code, Some(first.offset as u64));
    }
    let Ok(mut decoder) = Decoder::new(u64::MAX, dictionary) else { return unplaced() };
    let mut scratch = vec![0; zstd_safe::DCtx::out_size()];
    let mut input = data;
    let found = loop {
        match decoder.decode(input, &mut scratch) {
            Err(e) => break Some(e),
            Ok(p) if p.consumed == 0 && p.produced == 0 => break decoder.finish().err(),
            Ok(p) => input = &input[p.consumed..],
        }
    };
    match found {
        Some(e) if matches!(e.kind(), Code::CorruptData | Code::DictionaryMismatch) => e,
        _ => unplaced(),
    }
}

/// Decodes input where some frame did not declare its size, through the streaming
/// [`Decoder`] in pieces of `chunk_len` (exposed so tests can force zstd to hold output
/// back between calls), stopping as soon as the output would pass `cap`.
fn decompress_in_chunks(data: &[u8], cap: usize, dictionary: Option<&Dictionary>, chunk_len: usize) -> Result<Vec<u8>> {
    let mut decoder = Decoder::new(cap as u64, dictionary)?;
    let chunk_len = chunk_len.max(1);
    let mut chunk = Vec::new();
    chunk.try_reserve_exact(chunk_len).map_err(|_| out_of_memory(chunk_len))?;
    chunk.resize(chunk_len, 0);
    let mut out: Vec<u8> = Vec::new();
    let mut input = data;
    loop {
        let p = decoder.decode(input, &mut chunk)?;
        input = &input[p.consumed..];
        reserve_within_cap(&mut out, p.produced, cap)?;
        out.extend_from_slice(&chunk[..p.produced]);
        if p.consumed == 0 && p.produced == 0 {
            break;
        }
    }
    decoder.finish()?;
    Ok(out)
}

/// Grows `out` geometrically like `Vec` would, but never beyond `cap`, so the buffer held stays
/// within the caller's limit.
fn reserve_within_cap(out: &mut Vec<u8>, additional: usize, cap: usize) -> Result<()> {
    let needed = out.len() + additional;
    if needed <= out.capacity() {
        return Ok(());
    }
    let target = out.capacity().saturating_mul(2).max(needed).min(cap);
    out.try_reserve_exact(target - out.len()).map_err(|_| out_of_memory(target))
}

fn out_of_memory(bytes: usize) -> Error {
    Error::no_memory(format!("{bytes} bytes for decompressed output"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::compress::frame::{starts_like_frame, SKIPPABLE_MAGIC_BASE, ZSTD_MAGIC};
    use crate::compress::{level_range, DEFAULT_LEVEL, DEFAULT_MAX_OUTPUT_BYTES};
    use crate::error::Code;
    use std::io::Write;
    use std::time::{Duration, Instant};

    /// Deterministic bytes that compress poorly (xorshift), so sizes are realistic.
    fn noise(len: usize) -> Vec<u8> {
        let mut state: u64 = 0x9E37_79B9_7F4A_7C15;
        (0..len)
            .map(|_| {
                state ^= state << 13;
                state ^= state >> 7;
                state ^= state << 17;
                (state >> 24) as u8
            })
            .collect()
    }

    fn streaming_frame(data: &[u8]) -> Vec<u8> {
        let mut enc = zstd::stream::Encoder::new(Vec::new(), 3).expect("encoder");
        enc.write_all(data).expect("write");
        enc.finish().expect("finish")
    }

    /// A hand-built frame of `blocks` RLE blocks of 128 KiB zeros whose header declares
    /// `declared` bytes. With `declared == blocks * 128 KiB` it is a valid frame; it lets a test
    /// hold a gigabyte-sized frame in a few kilobytes.
    fn rle_frame(blocks: usize, declared: u64) -> Vec<u8> {
        const BLOCK: u32 = 128 * 1024;
        let mut frame = ZSTD_MAGIC.to_le_bytes().to_vec();
        // Frame header descriptor: 8-byte content size, not single-segment, no checksum.
        frame.push(0b1100_0000);
        // Window descriptor: exponent 7 -> 2^(10+7) = 128 KiB.
        frame.push(7 << 3);
        frame.extend_from_slice(&declared.to_le_bytes());
        for i in 0..blocks {
            let last = u32::from(i + 1 == blocks);
            let header = (BLOCK << 3) | (1 << 1) | last; // block type 1 = RLE
            frame.extend_from_slice(&header.to_le_bytes()[..3]);
            frame.push(0);
        }
        frame
    }

    fn round_trip(data: &[u8], level: i32) {
        let packed = compress(data, level).expect("compress");
        assert_eq!(
            zstd_safe::get_frame_content_size(&packed).ok(),
            Some(Some(data.len() as u64)),
            "bulk frames must declare their size"
        );
        let unpacked = decompress(&packed, data.len()).expect("decompress");
        assert_eq!(unpacked, data);
    }

    #[test]
    fn level_range_is_zstds() {
        assert_eq!(level_range(), (zstd_safe::min_c_level(), zstd_safe::max_c_level()));
        assert!(level_range().0 < 0 && level_range().1 >= 19);
    }

    #[test]
    fn round_trips_at_various_levels() {
        let (min, max) = level_range();
        let text = "the quick brown fox jumps over the lazy dog\n".repeat(200).into_bytes();
        round_trip(b"", DEFAULT_LEVEL);
        round_trip(&text, DEFAULT_LEVEL);
        round_trip(&text, 0);
        round_trip(&text, -5);
        round_trip(&text, max);
        round_trip(&text, min);
        round_trip(&noise(1024 * 1024), DEFAULT_LEVEL);
    }

    #[test]
    fn out_of_range_levels_are_invalid_args() {
        let (min, max) = level_range();
        for level in [max + 1, min - 1] {
            let err = compress(b"x", level).expect_err("level must be rejected");
            assert_eq!(err.kind(), Code::InvalidArg);
            assert!(err.to_string().contains(&format!("compression level {level} ")));
        }
        let err = compress(b"x", 23).expect_err("23 is out of range");
        assert_eq!(
            err.to_string(),
            format!("compression level 23 is out of range; zstd levels run from {min} to {max} (default 3)")
        );
        assert_eq!(compress(b"x", i32::MIN).map_err(|e| e.kind()), Err(Code::InvalidArg));
    }

    #[test]
    fn cap_is_inclusive_for_declared_sizes() {
        let data = noise(10_000);
        let packed = compress(&data, DEFAULT_LEVEL).expect("compress");
        assert_eq!(decompress(&packed, 10_000).expect("exact cap"), data);
        let err = decompress(&packed, 9_999).expect_err("one byte over");
        assert_eq!(err.kind(), Code::OutputTooLarge);
        assert_eq!(err.to_string(), "decompressed size 10000 bytes exceeds max_output_bytes 9999");
    }

    #[test]
    fn cap_is_inclusive_for_streaming_frames() {
        let data = noise(300_000);
        let packed = streaming_frame(&data);
        assert_eq!(
            zstd_safe::get_frame_content_size(&packed).ok(),
            Some(None),
            "the test needs a frame without a declared size"
        );
        assert_eq!(decompress(&packed, 300_000).expect("exact cap"), data);
        let err = decompress(&packed, 299_999).expect_err("one byte over");
        assert_eq!(err.kind(), Code::OutputTooLarge);
        assert!(err.to_string().contains("max_output_bytes 299999"), "{}", err);
        let err = decompress(&packed, 1000).expect_err("far over");
        assert_eq!(err.kind(), Code::OutputTooLarge);
    }

    #[test]
    fn large_windows_follow_the_cap() {
        let mut enc = zstd::stream::Encoder::new(Vec::new(), 3).expect("encoder");
        enc.window_log(28).expect("window log");
        enc.write_all(b"small data, huge window").expect("write");
        let packed = enc.finish().expect("finish");
        assert!(zstd_safe::get_frame_content_size(&packed).ok() == Some(None));
        // A 256 MiB window is within the default cap, so it decodes...
        let out = decompress(&packed, DEFAULT_MAX_OUTPUT_BYTES).expect("within default cap");
        assert_eq!(out, b"small data, huge window");
        // ...but a small cap keeps zstd's 128 MiB window limit.
        let err = decompress(&packed, 1000).expect_err("window over the limit");
        assert_eq!(err.kind(), Code::CorruptData);
        assert!(
            err.to_string().starts_with(
                "zstd data needs a decoding window of 268435456 bytes, larger than 134217728 bytes, \
                 the most allowed with max_output_bytes 1000"
            ),
            "{}",
            err.to_string()
        );
    }

    /// One window limit on every backend: a frame asking for more than 1 GiB is refused from
    /// its header (0.1 decoded a 2 GiB window natively and called it corrupt on wasm), while
    /// frame_info, which decodes nothing, reports the window it declares.
    #[test]
    fn windows_over_1_gib_are_refused_from_the_header() {
        let frame = |log: u32| {
            let mut enc = zstd::stream::Encoder::new(Vec::new(), 1).expect("encoder");
            enc.long_distance_matching(true).expect("ldm");
            enc.window_log(log).expect("window log");
            enc.write_all(b"a small frame with a large window").expect("write");
            enc.finish().expect("finish")
        };
        assert_eq!(crate::compress::frame_info(&frame(30)).unwrap().window_size, 1 << 30);
        let info = crate::compress::frame_info(&frame(31)).expect("a header is read whatever its window");
        assert_eq!((info.window_size, info.frames), (1 << 31, 1));
        let two = [frame(31), frame(30)].concat();
        assert_eq!(crate::compress::frame_info(&two).unwrap().frames, 2, "the walk finds where the frame ends");
        let err = crate::compress::frame_info(&frame(31)[..20]).expect_err("truncated");
        assert!(err.to_string().starts_with("zstd data is truncated or corrupt"), "{err}");
        let err = decompress(&frame(31), usize::MAX).expect_err("over 1 GiB");
        assert_eq!(err.kind(), Code::CorruptData);
        assert!(
            err.to_string().contains("of 2147483648 bytes, larger than 1073741824 bytes, the most ironlung allows"),
            "{}",
            err.to_string()
        );
    }

    #[test]
    fn streaming_empty_frame_decodes() {
        let packed = streaming_frame(b"");
        assert_eq!(decompress(&packed, 0).expect("empty"), b"");
    }

    #[test]
    fn streaming_output_buffer_stays_within_cap() {
        // The growth policy must not over-reserve past the cap.
        let mut out = Vec::new();
        reserve_within_cap(&mut out, 100, 150).expect("reserve");
        out.extend_from_slice(&[0; 100]);
        reserve_within_cap(&mut out, 50, 150).expect("reserve");
        assert!(out.capacity() >= 150);
        assert!(out.capacity() < 200, "capacity {} overshoots the cap", out.capacity());
    }

    #[test]
    fn crafted_rle_frame_is_valid() {
        // Proves the bomb below is a genuine frame, not merely something zstd rejects.
        let frame = rle_frame(4, 4 * 128 * 1024);
        let out = decompress(&frame, 4 * 128 * 1024).expect("valid frame");
        assert_eq!(out.len(), 512 * 1024);
        assert!(out.iter().all(|&b| b == 0));
    }

    #[test]
    fn gigabyte_bomb_is_refused_from_its_header() {
        let frame = rle_frame(8192, 1 << 30);
        assert!(frame.len() < 40 * 1024);
        let started = Instant::now();
        let err = decompress(&frame, 1024 * 1024).expect_err("bomb");
        assert_eq!(err.kind(), Code::OutputTooLarge);
        assert_eq!(err.to_string(), "decompressed size 1073741824 bytes exceeds max_output_bytes 1048576");
        assert!(started.elapsed() < Duration::from_secs(2));

        // This header lies by one byte: decoding it would report corruption, so OutputTooLarge
        // shows the refusal came from the header, before any decoding.
        let liar = rle_frame(8192, (1 << 30) + 1);
        let err = decompress(&liar, 1024 * 1024).expect_err("bomb");
        assert_eq!(err.kind(), Code::OutputTooLarge);
        assert!(err.to_string().contains("1073741825"), "{}", err);
    }

    #[test]
    fn implausible_declared_sizes_are_corrupt() {
        // One 128 KiB block cannot make 4 MiB: refused without reserving the 4 MiB.
        let liar = rle_frame(1, 4 * 1024 * 1024);
        let err = decompress(&liar, 1 << 30).expect_err("liar");
        assert_eq!(err.kind(), Code::CorruptData);
        assert!(err.to_string().contains("declares 4194304 bytes"), "{}", err);
        // A plausible lie gets past the header check but not past the decoder.
        for declared in [100_000, 200_000] {
            let err = decompress(&rle_frame(1, declared), 1 << 20).expect_err("liar");
            assert_eq!(err.kind(), Code::CorruptData, "{declared}");
        }
        // The bound itself must never reject a real frame.
        let frame = rle_frame(3, 3 * 128 * 1024);
        assert_eq!(max_frame_output(frame.len()), (frame.len() as u64 / 3) * 128 * 1024);
        assert!(max_frame_output(frame.len()) >= 3 * 128 * 1024);
    }

    #[test]
    fn compressed_zeros_bomb_is_refused() {
        let zeros = vec![0u8; 64 * 1024 * 1024];
        let packed = compress(&zeros, 1).expect("compress");
        drop(zeros);
        assert!(packed.len() < 64 * 1024);
        let err = decompress(&packed, 1024 * 1024).expect_err("bomb");
        assert_eq!(err.kind(), Code::OutputTooLarge);
        assert!(err.to_string().contains("67108864"), "{}", err);
    }

    #[test]
    fn every_truncation_is_corrupt() {
        let text = "truncate me, please; every prefix must fail\n".repeat(20).into_bytes();
        for packed in [compress(&text, DEFAULT_LEVEL).expect("compress"), streaming_frame(&text)] {
            for len in 1..packed.len() {
                let err =
                    decompress(&packed[..len], usize::MAX).expect_err("a strict prefix of a frame must not decode");
                assert_eq!(err.kind(), Code::CorruptData, "prefix length {len}: {err}");
            }
            let err = decompress(&packed[..packed.len() - 1], usize::MAX).expect_err("last byte");
            assert!(err.to_string().contains("truncated"), "{}", err);
        }
    }

    #[test]
    fn streaming_decoder_alone_rejects_truncation() {
        // scan_frames normally catches truncation first; the decoder loop must not rely on it.
        let text = "streamed and then cut short\n".repeat(40).into_bytes();
        let packed = streaming_frame(&text);
        for len in 1..packed.len() {
            let err = decompress_in_chunks(&packed[..len], usize::MAX, None, zstd_safe::DCtx::out_size())
                .expect_err("prefix");
            assert_eq!(err.kind(), Code::CorruptData, "prefix length {len}");
        }
        assert_eq!(decompress_in_chunks(&packed, text.len(), None, zstd_safe::DCtx::out_size()).expect("whole"), text);
        for len in (1..packed.len()).step_by(7) {
            let err = decompress_in_chunks(&packed[..len], usize::MAX, None, 7).expect_err("prefix");
            assert_eq!(err.kind(), Code::CorruptData, "prefix length {len}, small chunks");
        }
    }

    #[test]
    fn streaming_output_is_drained_after_input_runs_out() {
        // A few hundred bytes of input expand to many output chunks after the last input byte
        // has been consumed.
        let zeros = vec![0u8; 3 * 1024 * 1024 + 17];
        let packed = streaming_frame(&zeros);
        assert!(packed.len() < 1024);
        assert_eq!(decompress(&packed, zeros.len()).expect("zeros"), zeros);
        // With chunks smaller than a block, zstd keeps decoded output buffered after the input
        // is used up; all of it must still come out, and the cap must hold across chunks.
        for chunk_len in [1, 1000, 4096] {
            let out = decompress_in_chunks(&packed, zeros.len(), None, chunk_len).expect("small chunks");
            assert!(out == zeros, "chunk length {chunk_len}: got {} bytes", out.len());
            let err = decompress_in_chunks(&packed, zeros.len() - 1, None, chunk_len).expect_err("cap");
            assert_eq!(err.kind(), Code::OutputTooLarge, "chunk length {chunk_len}");
        }
    }

    #[test]
    fn corruption_names_its_frame() {
        let good = compress(b"a first frame of content", 3).unwrap();
        let mut bad = compress(&b"the second frame, whose checksum fails ".repeat(20), 3).unwrap();
        let last = bad.len() - 1;
        bad[last] ^= 1;
        let skippable = [&SKIPPABLE_MAGIC_BASE.to_le_bytes()[..], &[2, 0, 0, 0, 7, 7]].concat();
        for (data, at) in [
            ([&good[..], &bad[..]].concat(), good.len()),
            ([&skippable[..], &bad[..]].concat(), skippable.len()),
            ([&skippable[..], &good[..], &skippable[..], &bad[..]].concat(), 2 * skippable.len() + good.len()),
        ] {
            let err = decompress(&data, usize::MAX).expect_err("a checksum that fails");
            assert_eq!(err.kind(), Code::CorruptData);
            assert!(err.to_string().ends_with(&format!("(frame at byte offset {at})")), "{err}");
        }
    }

    #[test]
    fn declared_size_then_decompress_into_a_slice() {
        let text = "declared, then decoded in place\n".repeat(5000).into_bytes();
        let two = [compress(&text, 3).unwrap(), compress(b"tail", 19).unwrap()].concat();
        let total = declared_size(&two, usize::MAX, None).unwrap().expect("both frames declare");
        assert_eq!(total, text.len() + 4);
        let mut out = vec![0u8; total];
        decompress_into(&two, &mut out, None).unwrap();
        assert_eq!(&out[..text.len()], &text[..]);
        assert_eq!(&out[text.len()..], b"tail");
        assert_eq!(declared_size(&streaming_frame(b"no size"), usize::MAX, None).unwrap(), None);
        assert_eq!(declared_size(&two, total - 1, None).unwrap_err().kind(), Code::OutputTooLarge);
        let mut short = vec![0u8; total - 1];
        assert_eq!(decompress_into(&two, &mut short, None).unwrap_err().kind(), Code::CorruptData);
    }

    #[test]
    fn empty_input_is_corrupt() {
        let err = decompress(b"", 100).expect_err("empty");
        assert_eq!(err.kind(), Code::CorruptData);
        assert_eq!(err.to_string(), "input is empty; expected a zstd frame");
    }

    #[test]
    fn garbage_is_corrupt() {
        for garbage in [&b"hello world, not zstd"[..], b"\0", b"\x28\xb5\x2f", b"\xff\xff\xff\xff\xff"] {
            let err = decompress(garbage, 1000).expect_err("garbage");
            assert_eq!(err.kind(), Code::CorruptData, "{garbage:?}");
        }
        // A valid magic number followed by nonsense.
        let mut fake = ZSTD_MAGIC.to_le_bytes().to_vec();
        fake.extend_from_slice(&[0xff; 20]);
        assert_eq!(decompress(&fake, 1000).map_err(|e| e.kind()), Err(Code::CorruptData));
    }

    #[test]
    fn trailing_garbage_is_corrupt() {
        let mut packed = compress(b"payload", DEFAULT_LEVEL).expect("compress");
        let frame_len = packed.len();
        packed.extend_from_slice(b"junk");
        let err = decompress(&packed, 1000).expect_err("trailing garbage");
        assert_eq!(err.kind(), Code::CorruptData);
        assert_eq!(
            err.to_string(),
            format!("zstd data has 4 bytes of trailing garbage after the last frame (at byte offset {frame_len})")
        );
        packed.truncate(frame_len + 1);
        assert_eq!(decompress(&packed, 1000).map_err(|e| e.kind()), Err(Code::CorruptData));
        // The start of a second frame's magic number is a truncated frame, not garbage.
        packed.truncate(frame_len);
        packed.extend_from_slice(&ZSTD_MAGIC.to_le_bytes()[..3]);
        let err = decompress(&packed, 1000).expect_err("cut magic");
        assert!(err.to_string().starts_with("zstd data is truncated or corrupt"), "{err}");
        assert!(starts_like_frame(&[0x5F, 0x2A]) && !starts_like_frame(&[0x5F, 0x2B]));
        assert!(!starts_like_frame(b""));

        let mut streamed = streaming_frame(b"payload");
        streamed.push(0);
        assert_eq!(decompress(&streamed, 1000).map_err(|e| e.kind()), Err(Code::CorruptData));
    }

    #[test]
    fn concatenated_frames_concatenate() {
        let mut packed = compress(b"first frame, ", DEFAULT_LEVEL).expect("compress");
        packed.extend(compress(b"second frame", 19).expect("compress"));
        let out = decompress(&packed, 100).expect("two bulk frames");
        assert_eq!(out, b"first frame, second frame");
        let err = decompress(&packed, 24).expect_err("sum exceeds cap");
        assert_eq!(err.to_string(), "decompressed size 25 bytes exceeds max_output_bytes 24");

        // Mixed declared and undeclared sizes take the streaming path.
        packed.extend(streaming_frame(b", third"));
        let out = decompress(&packed, 100).expect("mixed frames");
        assert_eq!(out, b"first frame, second frame, third");
        let err = decompress(&packed, 20).expect_err("known part exceeds cap");
        assert_eq!(err.to_string(), "decompressed size at least 25 bytes exceeds max_output_bytes 20");
        let err = decompress(&packed, 30).expect_err("streamed part exceeds cap");
        assert_eq!(err.kind(), Code::OutputTooLarge);
    }

    #[test]
    fn skippable_frames_are_ignored() {
        let mut skippable = (SKIPPABLE_MAGIC_BASE + 3).to_le_bytes().to_vec();
        skippable.extend_from_slice(&5u32.to_le_bytes());
        skippable.extend_from_slice(b"meta!");

        let mut packed = skippable.clone();
        packed.extend(compress(b"data", DEFAULT_LEVEL).expect("compress"));
        packed.extend_from_slice(&skippable);
        assert_eq!(decompress(&packed, 4).expect("bulk with skippable"), b"data");

        let mut streamed = skippable.clone();
        streamed.extend(streaming_frame(b"data"));
        assert_eq!(decompress(&streamed, 4).expect("stream with skippable"), b"data");

        assert_eq!(decompress(&skippable, 0).expect("only skippable"), b"");
        let err = decompress(&skippable[..skippable.len() - 1], 0).expect_err("cut skippable");
        assert_eq!(err.kind(), Code::CorruptData);
    }
}
