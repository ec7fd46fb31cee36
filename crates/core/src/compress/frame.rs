//! zstd frame headers, read without decoding (RFC 8878, section 3.1): what a frame declares
//! about its content size, window, dictionary and checksum, and where each frame of a
//! sequence begins and ends.

use super::{reason, WINDOW_LOG_MAX};
use crate::error::{Error, Result};
use zstd::zstd_safe;

/// Magic number opening every zstd frame (little-endian on the wire).
pub(crate) const ZSTD_MAGIC: u32 = 0xFD2F_B528;
/// Skippable frames use sixteen magic numbers, `0x184D2A50..=0x184D2A5F`.
pub(crate) const SKIPPABLE_MAGIC_BASE: u32 = 0x184D_2A50;
/// The longest frame header: magic, descriptor, window, a 4-byte dictionary id and an
/// 8-byte content size.
pub(crate) const MAX_HEADER: usize = 18;

/// What a frame's header declares.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct FrameHeader {
    /// The bytes of the header itself (the magic number included).
    pub header_len: usize,
    /// `Some(n)` for a skippable frame, whose `n` bytes of payload carry no content.
    pub skippable: Option<u32>,
    /// The content size, when the frame declares it.
    pub content_size: Option<u64>,
    /// The decoding window the frame needs, in bytes (its content size for a
    /// single-segment frame; 0 for a skippable one).
    pub window_size: u64,
    /// The id of the dictionary the frame was compressed with, when it names one.
    pub dictionary_id: Option<u32>,
    /// Whether the frame ends in a checksum of its content.
    pub has_checksum: bool,
    /// Whether the frame is one segment, whose window is its whole content.
    pub single_segment: bool,
}

impl FrameHeader {
    /// Whether the frame asks for a decoding window past the 1 GiB ironlung decodes on every
    /// backend (a single-segment frame's window is its content, which the caps bound).
    pub(crate) fn window_too_large(&self) -> bool {
        !self.single_segment && self.window_size > 1 << WINDOW_LOG_MAX
    }

    /// [`Error::DictionaryMismatch`] if the frame (at byte `offset`) names a dictionary other
    /// than `given`, the id of the one at hand (`None`: none is).
    pub(crate) fn check_dictionary(&self, offset: u64, given: Option<u32>) -> Result<()> {
        match self.dictionary_id.filter(|&id| Some(id) != given) {
            Some(frame) => Err(Error::DictionaryMismatch { offset, frame, given }),
            None => Ok(()),
        }
    }
}

/// The result of reading a header from the first bytes of a frame.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Header {
    /// The whole header.
    Complete(FrameHeader),
    /// The header is this many bytes long (at least), more than were given.
    NeedMore(usize),
    /// The bytes do not start a frame.
    NotAFrame,
    /// A zstd frame whose descriptor sets the reserved bit, which no zstd accepts.
    Reserved,
}

/// Reads the header at the start of `bytes`.
pub(crate) fn parse(bytes: &[u8]) -> Header {
    let Some(magic) = bytes.get(..4) else {
        return if bytes.is_empty() || starts_like_frame(bytes) { Header::NeedMore(4) } else { Header::NotAFrame };
    };
    let magic = u32::from_le_bytes(magic.try_into().unwrap());
    if magic & 0xFFFF_FFF0 == SKIPPABLE_MAGIC_BASE {
        let Some(size) = bytes.get(4..8) else { return Header::NeedMore(8) };
        return Header::Complete(FrameHeader {
            header_len: 8,
            skippable: Some(u32::from_le_bytes(size.try_into().unwrap())),
            content_size: None,
            window_size: 0,
            dictionary_id: None,
            has_checksum: false,
            single_segment: false,
        });
    }
    if magic != ZSTD_MAGIC {
        return Header::NotAFrame;
    }
    let Some(&descriptor) = bytes.get(4) else { return Header::NeedMore(5) };
    if descriptor & 0x08 != 0 {
        return Header::Reserved;
    }
    let single_segment = descriptor & 0x20 != 0;
    let dict_len = [0, 1, 2, 4][usize::from(descriptor & 3)];
    let fcs_len = match descriptor >> 6 {
        0 => usize::from(single_segment),
        1 => 2,
        2 => 4,
        _ => 8,
    };
    let window_at = 5;
    let dict_at = window_at + usize::from(!single_segment);
    let fcs_at = dict_at + dict_len;
    let header_len = fcs_at + fcs_len;
    if bytes.len() < header_len {
        return Header::NeedMore(header_len);
    }
    let le = |at: usize, len: usize| bytes[at..at + len].iter().rev().fold(0u64, |v, &b| (v << 8) | u64::from(b));
    let content_size = match fcs_len {
        0 => None,
        2 => Some(le(fcs_at, 2) + 256),
        n => Some(le(fcs_at, n)),
    };
    let window_size = if single_segment {
        content_size.unwrap_or(0)
    } else {
        let w = bytes[window_at];
        let base = 1u64 << (10 + (w >> 3));
        base + (base / 8) * u64::from(w & 7)
    };
    let dictionary_id = Some(le(dict_at, dict_len) as u32).filter(|&id| id != 0);
    Header::Complete(FrameHeader {
        header_len,
        skippable: None,
        content_size,
        window_size,
        dictionary_id,
        has_checksum: descriptor & 0x04 != 0,
        single_segment,
    })
}

/// Whether `rest` begins with (or, when shorter than 4 bytes, is the start of) a zstd or
/// skippable frame's magic number.
pub(crate) fn starts_like_frame(rest: &[u8]) -> bool {
    let n = rest.len().min(4);
    let zstd = ZSTD_MAGIC.to_le_bytes();
    let skippable = SKIPPABLE_MAGIC_BASE.to_le_bytes();
    n > 0 && (rest[..n] == zstd[..n] || (rest[0] & 0xF0 == skippable[0] && rest[1..n] == skippable[1..n]))
}

/// The error for bytes at `offset` that are not a complete frame: a frame that starts
/// properly but cannot be completed is truncated or corrupt; anything else after the first
/// frame is trailing garbage. `rest_len` is the number of bytes from `offset` on, when known.
pub(crate) fn not_a_frame(rest: &[u8], offset: u64, reason: &str, rest_len: Option<usize>) -> Error {
    if starts_like_frame(rest) {
        Error::corrupt(format!("zstd data is truncated or corrupt: {reason} (frame at byte offset {offset})"))
    } else if offset == 0 {
        Error::corrupt(format!("input is not zstd data: {reason}"))
    } else if let Some(len) = rest_len {
        Error::corrupt(format!(
            "zstd data has {len} bytes of trailing garbage after the last frame (at byte offset {offset})"
        ))
    } else {
        Error::corrupt(format!("zstd data has trailing garbage after the last frame (at byte offset {offset})"))
    }
}

/// One frame of a sequence, as [`frames`] finds it.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Frame {
    /// Its byte offset in the sequence.
    pub offset: usize,
    /// Its length in bytes, header to checksum.
    pub len: usize,
    /// Its header.
    pub header: FrameHeader,
}

/// The frames of `data`, each checked to be complete (every block header read, none
/// decoded). Stops at the first error, which says where and why.
pub(crate) fn frames(data: &[u8]) -> impl Iterator<Item = Result<Frame>> + '_ {
    let mut pos = 0usize;
    let mut failed = false;
    std::iter::from_fn(move || {
        if failed || pos >= data.len() {
            return None;
        }
        let rest = &data[pos..];
        let frame = read_frame(rest, pos);
        match &frame {
            Ok(f) => pos += f.len,
            Err(_) => failed = true,
        }
        Some(frame)
    })
}

fn read_frame(rest: &[u8], pos: usize) -> Result<Frame> {
    // zstd's own walk refuses a window past what it decodes (2^30 bytes on wasm32, 2^31
    // elsewhere) as an error that reads as corruption; a header reader reports any window,
    // so such a frame is walked here, the same on both backends. Decoding refuses it.
    let len = match parse(rest) {
        Header::Complete(h) if h.skippable.is_none() && h.window_too_large() => walk_blocks(rest, &h)
            .ok_or_else(|| not_a_frame(rest, pos as u64, "a block runs past the end of the data", Some(rest.len())))?,
        _ => zstd_safe::find_frame_compressed_size(rest)
            .map_err(|code| not_a_frame(rest, pos as u64, &reason::describe(code), Some(rest.len())))?,
    };
    // A zero-length frame cannot exist; refusing it also guarantees progress.
    if len == 0 || len > rest.len() {
        return Err(Error::corrupt(format!(
            "zstd data is truncated or corrupt: frame at byte offset {pos} has an impossible length"
        )));
    }
    match parse(&rest[..len]) {
        Header::Complete(header) => Ok(Frame { offset: pos, len, header }),
        _ => Err(Error::corrupt(format!(
            "zstd data is truncated or corrupt: the header of the frame at byte offset {pos} is invalid"
        ))),
    }
}

/// The length of the zstd frame at the start of `rest`, whose header is `h`: its blocks'
/// headers walked (RFC 8878, 3.1.1.2), then the checksum; `None` if a block header is
/// reserved or the frame runs past `rest`.
fn walk_blocks(rest: &[u8], h: &FrameHeader) -> Option<usize> {
    let mut at = h.header_len;
    loop {
        let b = rest.get(at..at + 3)?;
        let word = u32::from(b[0]) | u32::from(b[1]) << 8 | u32::from(b[2]) << 16;
        let (last, kind, size) = (word & 1 == 1, (word >> 1) & 3, (word >> 3) as usize);
        let stored = match kind {
            1 => 1, // RLE: one byte, repeated
            3 => return None,
            _ => size,
        };
        at = at.checked_add(3 + stored)?;
        if at > rest.len() {
            return None;
        }
        if last {
            break;
        }
    }
    let end = at + if h.has_checksum { 4 } else { 0 };
    (end <= rest.len()).then_some(end)
}

/// What the frames of a zstd sequence declare, read by [`frame_info`] without decoding.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct FrameInfo {
    /// The content size of all the frames together, when every zstd frame declares its own.
    pub content_size: Option<u64>,
    /// The largest decoding window any frame needs, in bytes.
    pub window_size: u64,
    /// The dictionary id named by the first frame that names one.
    pub dictionary_id: Option<u32>,
    /// Whether every zstd frame ends in a content checksum: false where there is none, as in
    /// a sequence of skippable frames only, which holds nothing to check.
    pub has_checksum: bool,
    /// The number of frames, skippable frames included.
    pub frames: usize,
}

/// Reads every frame header of `data` and checks that each frame is complete, without
/// decoding a block.
///
/// Errors: [`Error::Corrupt`] for empty input, bytes that are not a frame, a truncated
/// frame, or trailing bytes after the last frame, with the byte offset.
pub fn frame_info(data: &[u8]) -> Result<FrameInfo> {
    if data.is_empty() {
        return Err(Error::corrupt("input is empty; expected a zstd frame".to_string()));
    }
    let mut info =
        FrameInfo { content_size: Some(0), window_size: 0, dictionary_id: None, has_checksum: true, frames: 0 };
    let mut zstd_frames = 0usize;
    for frame in frames(data) {
        let h = frame?.header;
        info.frames += 1;
        if h.skippable.is_some() {
            continue;
        }
        zstd_frames += 1;
        info.content_size = info.content_size.zip(h.content_size).map(|(a, b)| a.saturating_add(b));
        info.window_size = info.window_size.max(h.window_size);
        info.dictionary_id = info.dictionary_id.or(h.dictionary_id);
        info.has_checksum &= h.has_checksum;
    }
    info.has_checksum &= zstd_frames > 0;
    Ok(info)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;

    fn header(data: &[u8]) -> FrameHeader {
        match parse(data) {
            Header::Complete(h) => h,
            other => panic!("expected a header, got {other:?}"),
        }
    }

    #[test]
    fn headers_agree_with_zstds_own_readers() {
        let text = b"a header is read without decoding; ".repeat(500);
        let one_shot = crate::compress::compress(&text, 3).unwrap();
        let mut enc = zstd::stream::Encoder::new(Vec::new(), 19).unwrap();
        enc.write_all(&text).unwrap();
        let streamed = enc.finish().unwrap();
        for frame in [&one_shot[..], &streamed[..]] {
            let h = header(frame);
            assert_eq!(h.content_size, zstd_safe::get_frame_content_size(frame).unwrap());
            assert_eq!(h.dictionary_id, zstd_safe::get_dict_id_from_frame(frame).map(|id| id.get()));
            assert!(h.header_len <= MAX_HEADER);
            for cut in 0..h.header_len {
                assert!(matches!(parse(&frame[..cut]), Header::NeedMore(n) if n > cut), "cut {cut}");
            }
        }
        assert!(header(&one_shot).has_checksum);
        assert_eq!(header(&one_shot).window_size, text.len() as u64, "single segment: the content size");
        assert_eq!(header(&streamed).content_size, None);
        assert!(header(&streamed).window_size >= 1 << 10);
    }

    #[test]
    fn every_content_size_field_width() {
        // Descriptor FCS flags 1, 2, 3 with a window descriptor; flag 0 single-segment.
        let mut f = ZSTD_MAGIC.to_le_bytes().to_vec();
        f.extend([0b0100_0000, 7 << 3, 0x10, 0x00]);
        assert_eq!(header(&f).content_size, Some(0x10 + 256));
        assert_eq!(header(&f).window_size, 128 << 10);
        let mut f = ZSTD_MAGIC.to_le_bytes().to_vec();
        f.extend([0b1000_0011, 0, 0x78, 0x56, 0x34, 0x12, 1, 0, 0, 0]);
        let h = header(&f);
        assert_eq!((h.content_size, h.dictionary_id, h.window_size), (Some(1), Some(0x1234_5678), 1 << 10));
        let mut f = ZSTD_MAGIC.to_le_bytes().to_vec();
        f.extend([0b1110_0101, 0xAB, 0, 0, 0, 0, 0, 0, 0, 1]);
        let h = header(&f);
        assert_eq!((h.content_size, h.dictionary_id, h.has_checksum), (Some(1 << 56), Some(0xAB), true));
        assert_eq!(h.window_size, 1 << 56, "single segment");
        let mut f = ZSTD_MAGIC.to_le_bytes().to_vec();
        f.push(0x08);
        assert_eq!(parse(&f), Header::Reserved);
    }

    #[test]
    fn skippable_frames_and_strangers() {
        let mut f = (SKIPPABLE_MAGIC_BASE + 7).to_le_bytes().to_vec();
        assert_eq!(parse(&f), Header::NeedMore(8));
        f.extend(5u32.to_le_bytes());
        assert_eq!(header(&f).skippable, Some(5));
        assert_eq!(parse(b"PK\x03\x04"), Header::NotAFrame);
        assert_eq!(parse(b"\x28\xb5"), Header::NeedMore(4));
        assert_eq!(parse(b"\x28\xb6"), Header::NotAFrame);
    }

    #[test]
    fn frame_info_sums_a_sequence() {
        let a = crate::compress::compress(b"first frame", 3).unwrap();
        let mut enc = zstd::stream::Encoder::new(Vec::new(), 3).unwrap();
        enc.include_checksum(false).unwrap();
        enc.write_all(b"second").unwrap();
        let b = enc.finish().unwrap();
        let mut skip = SKIPPABLE_MAGIC_BASE.to_le_bytes().to_vec();
        skip.extend(3u32.to_le_bytes());
        skip.extend(b"abc");
        let all = [&a[..], &skip[..], &b[..]].concat();
        let info = frame_info(&all).unwrap();
        assert_eq!(info.frames, 3);
        assert_eq!(info.content_size, None, "the streamed frame declares no size");
        assert!(!info.has_checksum);
        let info = frame_info(&[&a[..], &skip[..], &a[..]].concat()).unwrap();
        assert_eq!(info.content_size, Some(22));
        assert!(info.has_checksum);
        assert_eq!(info.window_size, 11);
        let info = frame_info(&[&skip[..], &skip[..]].concat()).unwrap();
        assert_eq!((info.frames, info.content_size, info.has_checksum), (2, Some(0), false));

        let e = frame_info(&[&a[..], b"junk"].concat()).unwrap_err();
        assert_eq!(
            e.to_string(),
            format!("zstd data has 4 bytes of trailing garbage after the last frame (at byte offset {})", a.len())
        );
        let e = frame_info(&a[..a.len() - 1]).unwrap_err();
        assert!(e.to_string().starts_with("zstd data is truncated or corrupt"), "{e}");
        assert_eq!(frame_info(b"").unwrap_err().code(), "ERR_CORRUPT_DATA");
    }
}
