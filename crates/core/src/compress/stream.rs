//! zstd as streams: an [`Encoder`] fed in pieces, and a [`Decoder`] whose output comes out
//! in pieces of the caller's size, with one cap on the whole stream's output.
//!
//! The decoder reads each frame's header itself before zstd does, so that what the header
//! declares is checked before a byte of the frame is decoded: the dictionary it names, the
//! window it needs, and a declared size that would pass the cap. Its memory is zstd's
//! window plus one block, whatever the output's size.

use super::dictionary::Dictionary;
use super::frame::{self, FrameHeader, Header, MAX_HEADER};
use super::{check_level, reason, window_error, window_log_for};
use crate::error::{Error, OutputSize, Result};
use zstd::zstd_safe::zstd_sys::ZSTD_EndDirective as EndDirective;
use zstd::zstd_safe::{self, CParameter, DParameter, InBuffer, OutBuffer};

/// Compresses a stream into one zstd frame, fed in pieces.
///
/// Output comes out as zstd has it ready: zstd holds back up to a block (128 KiB) until
/// [`flush`](Self::flush) or [`finish`](Self::finish). After `finish`, a later
/// [`write`](Self::write) begins a new frame.
pub struct Encoder {
    cctx: zstd_safe::CCtx<'static>,
    /// The current frame's input so far, and the size [`pledge`](Self::pledge) promised.
    frame_in: u64,
    pledged: Option<u64>,
    // zstd keeps a pointer to the prepared dictionary; this keeps the dictionary alive.
    dictionary: Option<Dictionary>,
}

impl Encoder {
    /// An encoder at `level` (see [`level_range`](super::level_range)), ending each frame in
    /// a content checksum when `checksum` is set.
    pub fn new(level: i32, checksum: bool) -> Result<Encoder> {
        check_level(level)?;
        Encoder::create(level, checksum, None)
    }

    /// An encoder that compresses with `dictionary`, at the dictionary's level.
    pub fn with_dictionary(dictionary: &Dictionary, checksum: bool) -> Result<Encoder> {
        Encoder::create(dictionary.level(), checksum, Some(dictionary))
    }

    fn create(level: i32, checksum: bool, dictionary: Option<&Dictionary>) -> Result<Encoder> {
        let mut cctx = zstd_safe::CCtx::try_create().ok_or_else(|| Error::no_memory("a zstd compressor"))?;
        cctx.set_parameter(CParameter::CompressionLevel(level)).map_err(internal)?;
        cctx.set_parameter(CParameter::ChecksumFlag(checksum)).map_err(internal)?;
        if let Some(d) = dictionary {
            // Of unknown size until a pledge says otherwise (`pledge` sets the rule again).
            d.refer(&mut cctx, usize::MAX).map_err(internal)?;
        }
        Ok(Encoder { cctx, frame_in: 0, pledged: None, dictionary: dictionary.cloned() })
    }

    /// Promises that the next frame's input will be exactly `size` bytes: the frame header
    /// then declares its content size (as the `zstd` CLI's frames of files do), and zstd
    /// sizes its window and tables to fit. Input that passes the promise, or a
    /// [`finish`](Self::finish) short of it, is [`Error::SizeNotAsPledged`]. Only before
    /// the frame's first byte.
    pub fn pledge(&mut self, size: u64) -> Result<()> {
        if self.frame_in > 0 {
            return Err(Error::Internal { reason: "a size can only be pledged before a frame's first byte".into() });
        }
        self.cctx.set_pledged_src_size(Some(size)).map_err(internal)?;
        if let Some(d) = &self.dictionary {
            d.prefer_for(&mut self.cctx, usize::try_from(size).unwrap_or(usize::MAX)).map_err(internal)?;
        }
        self.pledged = Some(size);
        Ok(())
    }

    /// Compresses `input`, appending to `out` whatever output zstd has ready.
    pub fn write(&mut self, input: &[u8], out: &mut Vec<u8>) -> Result<()> {
        let given = self.frame_in + input.len() as u64;
        if let Some(pledged) = self.pledged.filter(|&p| given > p) {
            return Err(Error::SizeNotAsPledged { pledged, given, more: true });
        }
        self.run(input, out, EndDirective::ZSTD_e_continue)?;
        self.frame_in = given;
        Ok(())
    }

    /// Ends the current block, so that everything written so far can be decoded from `out`
    /// (for a live log). Costs a few bytes and some ratio each time.
    pub fn flush(&mut self, out: &mut Vec<u8>) -> Result<()> {
        self.run(&[], out, EndDirective::ZSTD_e_flush)
    }

    /// Ends the frame: the rest of the output, and the checksum.
    pub fn finish(&mut self, out: &mut Vec<u8>) -> Result<()> {
        if let Some(pledged) = self.pledged.filter(|&p| p != self.frame_in) {
            return Err(Error::SizeNotAsPledged { pledged, given: self.frame_in, more: false });
        }
        self.run(&[], out, EndDirective::ZSTD_e_end)?;
        (self.frame_in, self.pledged) = (0, None);
        Ok(())
    }

    fn run(&mut self, input: &[u8], out: &mut Vec<u8>, directive: EndDirective) -> Result<()> {
        let mut input = InBuffer::around(input);
        loop {
            let room = zstd_safe::CCtx::out_size();
            out.try_reserve(room).map_err(|_| Error::no_memory(format!("{room} bytes of compressed output")))?;
            let mut output = OutBuffer::around_pos(out, out.len());
            let left = self.cctx.compress_stream2(&mut output, &mut input, directive).map_err(internal)?;
            let done = match directive {
                EndDirective::ZSTD_e_continue => input.pos() == input.src.len(),
                _ => left == 0,
            };
            if done {
                return Ok(());
            }
        }
    }
}

/// `n` as a usize, or the most a usize holds (on wasm32, 4 GiB - 1).
fn as_size(n: u64) -> usize {
    usize::try_from(n).unwrap_or(usize::MAX)
}

fn internal(code: usize) -> Error {
    Error::Internal { reason: format!("zstd failed to compress: {}", reason::describe(code)) }
}

/// How far one [`Decoder::decode`] call got.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Progress {
    /// Bytes of input used. The rest must be given again.
    pub consumed: usize,
    /// Bytes written to the start of the output.
    pub produced: usize,
}

/// Decompresses a stream of zstd frames (skippable ones included), with the output of the
/// whole stream capped.
///
/// Call [`decode`](Self::decode) with each piece of input, again with the unused rest, until
/// it has used all of it and produces less than the room it had; then
/// [`finish`](Self::finish) at the end of the input. After an error, every call returns it
/// again.
pub struct Decoder {
    dctx: zstd_safe::DCtx<'static>,
    dictionary: Option<Dictionary>,
    /// A u64: a stream's output is not held in memory, and may pass 4 GiB on wasm32 too.
    cap: u64,
    window_log: u32,
    total_in: u64,
    total_out: u64,
    /// Where the current (or next) frame starts in the input.
    frame_start: u64,
    /// The frame being decoded, once its header went to zstd.
    frame: Option<FrameHeader>,
    /// The current frame's output so far: checked against the size it declares, which zstd's
    /// streaming decoder does not do when the last block is empty.
    frame_out: u64,
    /// The next frame's header, as far as it has arrived.
    header: [u8; MAX_HEADER],
    header_len: usize,
    failed: Option<Error>,
}

impl Decoder {
    /// A decoder whose whole output may not pass `max_output_bytes`, decoding frames made
    /// with `dictionary` (frames that name another, or one when none is given, are
    /// [`Error::DictionaryMismatch`]).
    ///
    /// Windows up to `max_output_bytes` are allowed (at least 128 MiB, at most 1 GiB), as
    /// [`decompress`](super::decompress) allows them.
    pub fn new(max_output_bytes: u64, dictionary: Option<&Dictionary>) -> Result<Decoder> {
        let mut dctx = zstd_safe::DCtx::try_create().ok_or_else(|| Error::no_memory("a zstd decoder"))?;
        let window_log = window_log_for(as_size(max_output_bytes));
        dctx.set_parameter(DParameter::WindowLogMax(window_log)).map_err(internal)?;
        if let Some(d) = dictionary {
            dctx.ref_ddict(d.ddict()).map_err(internal)?;
        }
        Ok(Decoder {
            dctx,
            dictionary: dictionary.cloned(),
            cap: max_output_bytes,
            window_log,
            total_in: 0,
            total_out: 0,
            frame_start: 0,
            frame: None,
            frame_out: 0,
            header: [0; MAX_HEADER],
            header_len: 0,
            failed: None,
        })
    }

    /// Decodes from `input` into `output` as far as either goes.
    ///
    /// Errors: [`Error::OutputTooLarge`] as soon as the stream's output would pass the cap
    /// (a frame that declares such a size, before decoding it);
    /// [`Error::DictionaryMismatch`]; [`Error::WindowTooLarge`]; [`Error::Corrupt`] with the
    /// byte offset of the frame at fault, or of trailing bytes that are not a frame.
    pub fn decode(&mut self, input: &[u8], output: &mut [u8]) -> Result<Progress> {
        if let Some(e) = &self.failed {
            return Err(e.clone());
        }
        let mut progress = Progress { consumed: 0, produced: 0 };
        let result = self.run(input, output, &mut progress);
        self.total_in += progress.consumed as u64;
        match result {
            Ok(()) => Ok(progress),
            Err(e) => {
                self.failed = Some(e.clone());
                Err(e)
            }
        }
    }

    fn run(&mut self, input: &[u8], output: &mut [u8], p: &mut Progress) -> Result<()> {
        loop {
            if self.frame.is_none() {
                if !self.read_header(input, p)? {
                    return Ok(());
                }
                if self.frame.is_none() {
                    // Its header was all of it (an empty skippable frame).
                    continue;
                }
            }
            let room = output.len() - p.produced;
            // zstd may write one byte past the cap, which is how passing it is noticed.
            let allowed = room.min(as_size(self.cap.saturating_sub(self.total_out).saturating_add(1)));
            if allowed == 0 {
                return Ok(());
            }
            let mut inb = InBuffer::around(&input[p.consumed..]);
            let mut outb = OutBuffer::around(&mut output[p.produced..p.produced + allowed]);
            let hint = self.dctx.decompress_stream(&mut outb, &mut inb).map_err(|code| self.zstd_error(code))?;
            let (used, made) = (inb.pos(), outb.pos());
            p.consumed += used;
            p.produced += made;
            self.total_out += made as u64;
            self.frame_out += made as u64;
            if self.total_out > self.cap {
                return Err(Error::OutputTooLarge {
                    size: self.total_out,
                    max_output_bytes: self.cap,
                    known: OutputSize::Decoded,
                });
            }
            if hint == 0 {
                // The frame is decoded and flushed; the next one starts here.
                self.frame_done(p)?;
            } else if used == 0 && made == 0 {
                return Ok(());
            }
        }
    }

    /// Gathers the next frame's header from `input`, checks it and hands it to zstd. Returns
    /// whether the frame has begun (false: the input ran out first).
    fn read_header(&mut self, input: &[u8], p: &mut Progress) -> Result<bool> {
        let header = loop {
            match frame::parse(&self.header[..self.header_len]) {
                Header::Complete(h) => break h,
                Header::NeedMore(n) => {
                    let take = (n - self.header_len).min(input.len() - p.consumed);
                    if take == 0 {
                        return Ok(false);
                    }
                    self.header[self.header_len..self.header_len + take]
                        .copy_from_slice(&input[p.consumed..p.consumed + take]);
                    self.header_len += take;
                    p.consumed += take;
                }
                Header::NotAFrame => {
                    return Err(frame::not_a_frame(
                        &self.header[..self.header_len],
                        self.frame_start,
                        reason::UNKNOWN_FRAME,
                        None,
                    ))
                }
                Header::Reserved => {
                    return Err(Error::corrupt(format!(
                        "zstd data is truncated or corrupt: the header of the frame at byte offset {} is invalid",
                        self.frame_start
                    )))
                }
            }
        };
        self.check(&header)?;
        self.frame = Some(header);
        self.frame_out = 0;
        let mut inb = InBuffer::around(&self.header[..self.header_len]);
        let mut hint = 1;
        while inb.pos() < self.header_len {
            let before = inb.pos();
            let mut none = OutBuffer::around(&mut [][..]);
            hint = self.dctx.decompress_stream(&mut none, &mut inb).map_err(|code| self.zstd_error(code))?;
            if inb.pos() == before {
                return Err(Error::Internal { reason: "zstd did not take a frame header".to_string() });
            }
        }
        self.header_len = 0;
        if hint == 0 {
            self.frame_done(p)?;
        }
        Ok(true)
    }

    /// Ends the current frame, which zstd says is decoded: its output must be the size it
    /// declares. The next frame starts where `p` has got to.
    fn frame_done(&mut self, p: &Progress) -> Result<()> {
        if let Some(size) = self.frame.take().and_then(|h| h.content_size) {
            if size != self.frame_out {
                return Err(Error::corrupt(format!(
                    "zstd data is truncated or corrupt: the frame at byte offset {} declares {size} bytes of content and decodes to {}",
                    self.frame_start, self.frame_out
                )));
            }
        }
        self.frame_start = self.total_in + p.consumed as u64;
        Ok(())
    }

    /// What a frame's header declares, against the dictionary, the window and the cap.
    fn check(&self, h: &FrameHeader) -> Result<()> {
        h.check_dictionary(self.frame_start, self.dictionary.as_ref().map(Dictionary::id))?;
        if !h.single_segment && h.window_size > 1 << self.window_log {
            return Err(window_error(Some(h.window_size), self.window_log, as_size(self.cap)));
        }
        if let Some(size) = h.content_size {
            let total = self.total_out.saturating_add(size);
            if total > self.cap {
                let known = if self.total_out == 0 { OutputSize::Declared } else { OutputSize::AtLeast };
                return Err(Error::OutputTooLarge { size: total, max_output_bytes: self.cap, known });
            }
        }
        Ok(())
    }

    fn zstd_error(&self, code: usize) -> Error {
        match reason::code_of(code) {
            reason::WINDOW_TOO_LARGE => {
                window_error(self.frame.map(|h| h.window_size), self.window_log, as_size(self.cap))
            }
            reason::DICTIONARY_WRONG => Error::DictionaryMismatch {
                offset: self.frame_start,
                frame: self.frame.and_then(|h| h.dictionary_id).unwrap_or(0),
                given: self.dictionary.as_ref().map(Dictionary::id),
            },
            _ => reason::corrupt(code, Some(self.frame_start)),
        }
    }

    /// Checks that the input ended where a frame ends: call it once all input was decoded
    /// and a last [`decode`](Self::decode) with no input produced nothing.
    ///
    /// Errors: [`Error::Corrupt`] for no input at all, a last frame cut short, or trailing
    /// bytes that do not begin a frame; or the error a `decode` returned.
    pub fn finish(&self) -> Result<()> {
        if let Some(e) = &self.failed {
            return Err(e.clone());
        }
        if self.total_in == 0 {
            return Err(Error::corrupt("input is empty; expected a zstd frame".to_string()));
        }
        if self.frame.is_some() {
            return Err(Error::corrupt(format!(
                "zstd data is truncated or corrupt: the data ends inside a frame (frame at byte offset {})",
                self.frame_start
            )));
        }
        if self.header_len > 0 {
            return Err(frame::not_a_frame(
                &self.header[..self.header_len],
                self.frame_start,
                "the data ends inside a frame",
                Some(self.header_len),
            ));
        }
        Ok(())
    }

    /// The bytes of input used so far.
    pub fn total_in(&self) -> u64 {
        self.total_in
    }

    /// The bytes of output produced so far.
    pub fn total_out(&self) -> u64 {
        self.total_out
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::compress::{compress, train_dictionary, DEFAULT_MAX_OUTPUT_BYTES};
    use crate::error::Code;

    fn encode(data: &[u8], piece: usize, level: i32, dict: Option<&Dictionary>) -> Vec<u8> {
        let mut e = match dict {
            Some(d) => Encoder::with_dictionary(d, true).unwrap(),
            None => Encoder::new(level, true).unwrap(),
        };
        let mut out = Vec::new();
        for p in data.chunks(piece.max(1)) {
            e.write(p, &mut out).unwrap();
        }
        e.finish(&mut out).unwrap();
        out
    }

    /// Feeds `data` in pieces of `piece` bytes into output pieces of `room` bytes.
    fn decode(data: &[u8], piece: usize, room: usize, cap: usize, dict: Option<&Dictionary>) -> Result<Vec<u8>> {
        let mut d = Decoder::new(cap as u64, dict)?;
        let mut out = Vec::new();
        let mut buf = vec![0u8; room];
        for mut p in data.chunks(piece.max(1)) {
            loop {
                let got = d.decode(p, &mut buf)?;
                out.extend_from_slice(&buf[..got.produced]);
                p = &p[got.consumed..];
                if p.is_empty() && got.produced < room {
                    break;
                }
            }
        }
        loop {
            let got = d.decode(&[], &mut buf)?;
            out.extend_from_slice(&buf[..got.produced]);
            if got.produced == 0 {
                break;
            }
        }
        d.finish()?;
        assert_eq!(d.total_out(), out.len() as u64);
        Ok(out)
    }

    fn text(len: usize) -> Vec<u8> {
        let words = ["agent ", "tool ", "output ", "log\n", "{\"k\":1} ", "ERROR ", "ok "];
        let mut x = 7u32;
        let mut out = Vec::with_capacity(len + 8);
        while out.len() < len {
            x = x.wrapping_mul(1_103_515_245).wrapping_add(12345);
            out.extend_from_slice(words[(x >> 16) as usize % words.len()].as_bytes());
        }
        out.truncate(len);
        out
    }

    #[test]
    fn round_trips_in_any_pieces() {
        let data = text(700_000);
        for (piece, room) in [(1 << 20, 1 << 17), (1000, 777), (65_536, 1), (1, 4096)] {
            let packed = encode(&data, piece, 3, None);
            assert_eq!(decode(&packed, piece.min(9000), room, usize::MAX, None).unwrap(), data, "{piece} {room}");
        }
        assert_eq!(zstd::decode_all(&encode(&data, 5000, 19, None)[..]).unwrap(), data, "zstd reads it");
    }

    #[test]
    fn an_empty_skippable_frame_ends_there_and_the_next_frame_is_checked() {
        let empty_skippable = [0x50, 0x2a, 0x4d, 0x18, 0, 0, 0, 0];
        let first = compress(b"hello, ironlung\n", 3).unwrap();
        let last = [&first[..], &empty_skippable].concat();
        for piece in [1, 3, 8, 1000] {
            assert_eq!(decode(&last, piece, 64, 1000, None).unwrap(), b"hello, ironlung\n", "piece {piece}");
        }
        // The frame after it has its header checked too: it declares more than the cap.
        let big = compress(&text(5000), 3).unwrap();
        let middle = [&first[..], &empty_skippable, &big].concat();
        for piece in [1, 8, 1000] {
            let e = decode(&middle, piece, 64, 1000, None).unwrap_err();
            assert_eq!(e.kind(), Code::OutputTooLarge, "piece {piece}: {e}");
        }
    }

    #[test]
    fn a_frame_that_decodes_to_less_than_it_declares_is_corrupt() {
        // A frame declaring 141 bytes whose one block is an empty raw last block, with the
        // checksum of empty content. zstd 1.5.7's streaming decoder ended it without
        // complaint, and `frame_done` caught it; 1.6.0's rejects the block itself.
        let frame = [0x28, 0xb5, 0x2f, 0xfd, 0x24, 0x8d, 0x01, 0x00, 0x00, 0x99, 0xe9, 0xd8, 0x51];
        assert!(crate::compress::decompress(&frame, 1000).is_err());
        for piece in [1, 13] {
            let e = decode(&frame, piece, 64, 1000, None).unwrap_err();
            assert_eq!(e.kind(), Code::CorruptData, "{e}");
            assert!(e.to_string().contains("frame at byte offset 0"), "{e}");
        }
    }

    #[test]
    fn flush_makes_everything_so_far_decodable() {
        let mut e = Encoder::new(3, true).unwrap();
        let mut out = Vec::new();
        e.write(b"first line\n", &mut out).unwrap();
        e.flush(&mut out).unwrap();
        let mut d = Decoder::new(1000, None).unwrap();
        let mut buf = [0u8; 100];
        let got = d.decode(&out, &mut buf).unwrap();
        assert_eq!(&buf[..got.produced], b"first line\n");
        assert_eq!(got.consumed, out.len());
        assert!(d.finish().is_err(), "the frame is not finished");
    }

    #[test]
    fn many_frames_and_skippable_ones() {
        let mut all = Vec::new();
        let mut want = Vec::new();
        let mut e = Encoder::new(1, false).unwrap();
        for i in 0..5 {
            let part = text(10_000 + i * 3000);
            e.write(&part, &mut all).unwrap();
            e.finish(&mut all).unwrap();
            all.extend((super::frame::SKIPPABLE_MAGIC_BASE + i as u32).to_le_bytes());
            all.extend((i as u32).to_le_bytes());
            all.extend(vec![0xAB; i]);
            want.extend(part);
        }
        all.extend(compress(b"one-shot", 3).unwrap());
        want.extend(b"one-shot");
        for piece in [1, 3, 17, 100_000] {
            assert_eq!(decode(&all, piece, 999, usize::MAX, None).unwrap(), want, "piece {piece}");
        }
        assert_eq!(crate::compress::frame_info(&all).unwrap().frames, 11);
    }

    #[test]
    fn the_cap_is_on_the_whole_stream() {
        let data = text(300_000);
        let mut packed = encode(&data, 4096, 3, None);
        packed.extend(encode(&data, 4096, 3, None));
        assert_eq!(decode(&packed, 5000, 4096, 600_000, None).unwrap().len(), 600_000);
        let e = decode(&packed, 5000, 4096, 599_999, None).unwrap_err();
        assert_eq!(e, Error::OutputTooLarge { size: 600_000, max_output_bytes: 599_999, known: OutputSize::Decoded });
        // A frame that declares its size is refused before it is decoded.
        let declared = compress(&data, 3).unwrap();
        let two = [&declared[..], &declared[..]].concat();
        let e = decode(&two, 100, 4096, 400_000, None).unwrap_err();
        assert_eq!(e, Error::OutputTooLarge { size: 600_000, max_output_bytes: 400_000, known: OutputSize::AtLeast });
    }

    #[test]
    fn a_bomb_ends_at_the_cap_in_bounded_memory() {
        // 1 GiB of zeros in a frame that does not declare its size: a few KiB of input.
        let mut e = Encoder::new(19, false).unwrap();
        let zeros = vec![0u8; 1 << 20];
        let mut bomb = Vec::new();
        for _ in 0..1024 {
            e.write(&zeros, &mut bomb).unwrap();
        }
        e.finish(&mut bomb).unwrap();
        assert!(bomb.len() < 1 << 20, "{}", bomb.len());
        let mut d = Decoder::new(DEFAULT_MAX_OUTPUT_BYTES as u64, None).unwrap();
        let mut buf = vec![0u8; 1 << 17];
        let mut input = &bomb[..];
        let e = loop {
            match d.decode(input, &mut buf) {
                Ok(p) => input = &input[p.consumed..],
                Err(e) => break e,
            }
        };
        assert_eq!(e.kind(), Code::OutputTooLarge);
        assert_eq!(d.total_out(), DEFAULT_MAX_OUTPUT_BYTES as u64 + 1);
        assert_eq!(d.decode(&[], &mut buf).unwrap_err(), e, "the error stays");
    }

    #[test]
    fn truncation_and_trailing_garbage_say_where() {
        let packed = encode(&text(50_000), 1000, 3, None);
        for cut in [1, 3, 5, 9, packed.len() / 2, packed.len() - 1] {
            let e = decode(&packed[..cut], 7, 512, usize::MAX, None).unwrap_err();
            assert_eq!(e.kind(), Code::CorruptData, "cut {cut}");
            assert!(e.to_string().contains("byte offset 0"), "cut {cut}: {e}");
        }
        let with_junk = [&packed[..], b"JUNK!"].concat();
        let e = decode(&with_junk, 64, 512, usize::MAX, None).unwrap_err();
        assert_eq!(
            e.to_string(),
            format!("zstd data has trailing garbage after the last frame (at byte offset {})", packed.len())
        );
        let e = decode(&[&packed[..], b"\x28\xb5"].concat(), 64, 512, usize::MAX, None).unwrap_err();
        assert!(e.to_string().contains(&format!("frame at byte offset {}", packed.len())), "{e}");
        assert_eq!(
            decode(b"hello", 2, 10, 10, None).unwrap_err().to_string(),
            format!("input is not zstd data: {}", reason::UNKNOWN_FRAME)
        );
        assert_eq!(decode(b"", 2, 10, 10, None).unwrap_err().kind(), Code::CorruptData);
    }

    #[test]
    fn dictionaries_are_checked_by_id() {
        let samples = crate::compress::dictionary::tests::records(1000);
        let dict = Dictionary::new(&train_dictionary(&samples, 4096).unwrap(), 3).unwrap();
        let other = Dictionary::new(&train_dictionary(&samples[500..], 2048).unwrap(), 3).unwrap();
        assert_ne!(dict.id(), other.id());
        let record = &samples[7];
        let packed = encode(record, 50, 3, Some(&dict));
        assert_eq!(decode(&packed, 9, 64, 10_000, Some(&dict)).unwrap(), *record);
        assert_eq!(
            decode(&packed, 9, 64, 10_000, None).unwrap_err(),
            Error::DictionaryMismatch { offset: 0, frame: dict.id(), given: None }
        );
        let stream = [&compress(b"plain", 3).unwrap()[..], &packed].concat();
        assert_eq!(
            decode(&stream, 1000, 64, 10_000, Some(&other)).unwrap_err(),
            Error::DictionaryMismatch {
                offset: (stream.len() - packed.len()) as u64,
                frame: dict.id(),
                given: Some(other.id())
            }
        );
        // A frame that names no dictionary decodes with one given.
        assert_eq!(decode(&compress(b"plain", 3).unwrap(), 3, 64, 100, Some(&dict)).unwrap(), b"plain");
    }

    #[test]
    fn a_pledged_size_is_declared_and_kept() {
        let data = b"pledged and declared, as the zstd CLI declares a file's size. ".repeat(5000);
        let mut e = Encoder::new(3, true).unwrap();
        let mut out = Vec::new();
        e.pledge(data.len() as u64).unwrap();
        for p in data.chunks(7777) {
            e.write(p, &mut out).unwrap();
        }
        e.finish(&mut out).unwrap();
        let info = frame::frame_info(&out).unwrap();
        assert_eq!(info.content_size, Some(data.len() as u64));
        assert_eq!(decode(&out, 1000, 4096, data.len(), None).unwrap(), data);
        // The promise is for one frame: the next declares nothing unless pledged again.
        let start = out.len();
        e.write(b"next", &mut out).unwrap();
        e.finish(&mut out).unwrap();
        assert_eq!(frame::frame_info(&out[start..]).unwrap().content_size, None);

        let mut e = Encoder::new(3, true).unwrap();
        e.pledge(10).unwrap();
        e.write(b"0123456", &mut out).unwrap();
        let more = e.write(b"7890", &mut out).unwrap_err();
        assert_eq!(more.kind(), Code::InvalidArg);
        assert_eq!(more.to_string(), "the stream's input reached 11 bytes, more than its pledgedSrcSize of 10 bytes");
        let mut e = Encoder::new(3, true).unwrap();
        e.pledge(10).unwrap();
        e.write(b"0123456", &mut out).unwrap();
        let short = e.finish(&mut out).unwrap_err();
        assert_eq!(short.to_string(), "the stream's input ended at 7 bytes, short of its pledgedSrcSize of 10 bytes");
        // Zero is a size too; and a pledge comes before the frame's first byte.
        let mut e = Encoder::new(3, true).unwrap();
        let mut empty = Vec::new();
        e.pledge(0).unwrap();
        e.finish(&mut empty).unwrap();
        assert_eq!(frame::frame_info(&empty).unwrap().content_size, Some(0));
        e.write(b"x", &mut empty).unwrap();
        assert_eq!(e.pledge(1).unwrap_err().kind(), Code::Internal);
    }
}
