//! Frames made and read: records, checkpoints and the dictionary, compressed or not.

use super::layout::{
    salted_crc, FileHeader, FrameHeader, FrameKind, FILE_HEADER_LEN, FLAG_DICTIONARY, FLAG_ZSTD, FRAME_HEADER_LEN,
    MAX_PACKED_LEVEL, MAX_PAYLOAD,
};
use super::payload::{self, Checkpoint, RecordKind, RecordRef};
use crate::compress::{self, Dictionary};
use crate::error::{Error, Result};
use std::borrow::Cow;

/// What a writer needs to know of a log's end to append to it: the running totals that the
/// next frame header carries on.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Tail {
    /// The offset where the next frame goes.
    pub end: u64,
    /// The seq the next record gets.
    pub next_seq: u64,
    /// The raw bytes of the records in the file.
    pub raw_total: u64,
    /// The frames in the file.
    pub frames: u64,
    /// The offset of the newest checkpoint frame, 0 for none.
    pub checkpoint_at: u64,
    /// The offset of the dictionary frame, 0 for none.
    pub dictionary_at: u64,
}

impl Tail {
    /// The tail of a file that holds only its header.
    pub fn empty(header: &FileHeader) -> Tail {
        Tail {
            end: FILE_HEADER_LEN as u64,
            next_seq: header.base_seq,
            raw_total: 0,
            frames: 0,
            checkpoint_at: 0,
            dictionary_at: 0,
        }
    }

    /// The tail of a file whose last frame is `last`.
    pub fn after(last: &FrameHeader) -> Tail {
        Tail {
            end: last.end(),
            next_seq: last.next_seq(),
            raw_total: last.raw_total,
            frames: last.frames,
            checkpoint_at: last.checkpoint_at,
            dictionary_at: last.dictionary_at,
        }
    }
}

/// Encodes frames for one log file, keeping its [`Tail`].
///
/// Each `write_*` call appends one whole frame to `out` and moves the tail past it, as if
/// the bytes were written; if writing them fails, [`set_tail`](Self::set_tail) takes the
/// tail back.
#[derive(Clone)]
pub struct Writer {
    salt: u64,
    tail: Tail,
    level: Option<i32>,
    dictionary: Option<Dictionary>,
    raw: Vec<u8>,
    /// The zstd context of the frames made in steps ([`begin_records`](Self::begin_records)),
    /// made by the first and held until [`release_context`](Self::release_context).
    context: Option<compress::Compressor>,
}

impl Writer {
    /// A writer appending to the file with `header`, which ends at `tail`. `level` is the
    /// zstd level payloads are compressed at, or `None` to store them raw.
    ///
    /// Errors: [`Error::LevelOutOfRange`].
    pub fn new(header: &FileHeader, tail: Tail, level: Option<i32>) -> Result<Writer> {
        if let Some(level) = level {
            compress::check_level(level)?;
        }
        Ok(Writer { salt: header.salt, tail, level, dictionary: None, raw: Vec::new(), context: None })
    }

    /// The log's end, as far as this writer has written.
    pub fn tail(&self) -> Tail {
        self.tail
    }

    /// Puts the end back to `tail`: after a failed write of frames this writer made.
    pub fn set_tail(&mut self, tail: Tail) {
        self.tail = tail;
    }

    /// The dictionary in use, if any.
    pub fn dictionary(&self) -> Option<&Dictionary> {
        self.dictionary.as_ref()
    }

    /// Lets go of the zstd context that frames made in steps keep between them (see
    /// [`compress::Compressor`]).
    pub fn release_context(&mut self) {
        self.context = None;
    }

    /// The zstd level payloads are compressed at, or `None` if they are stored raw.
    pub fn level(&self) -> Option<i32> {
        self.level
    }

    /// Uses `dictionary` for the frames written from now on (the log's stored one, on
    /// opening it).
    pub fn use_dictionary(&mut self, dictionary: Dictionary) {
        self.dictionary = Some(dictionary);
    }

    /// Appends a dictionary frame holding `bytes`, and compresses with it from then on.
    ///
    /// Errors: as [`Dictionary::new`]; [`Error::LogOption`] if the log stores
    /// payloads raw or already has a dictionary.
    pub fn write_dictionary(&mut self, bytes: &[u8], out: &mut Vec<u8>) -> Result<()> {
        let Some(level) = self.level else {
            return Err(Error::LogOption {
                reason: "a log written without compression cannot take a dictionary".into(),
            });
        };
        if self.tail.dictionary_at != 0 {
            return Err(Error::LogOption { reason: "the log already has a dictionary".into() });
        }
        let dictionary = Dictionary::new(bytes, level)?;
        self.frame(FrameKind::Dictionary, 0, 0, bytes, out)?;
        self.dictionary = Some(dictionary);
        Ok(())
    }

    /// Appends one frame holding `records` (kind, time in ms, bytes), and returns the seq
    /// of the first. A crash keeps all of them or none.
    ///
    /// Errors: [`Error::LogFrameTooLarge`] over 1 GiB of payload; what compression
    /// reports.
    pub fn write_records<'a>(
        &mut self,
        records: impl Iterator<Item = (RecordKind, i64, &'a [u8])> + Clone,
        out: &mut Vec<u8>,
    ) -> Result<u64> {
        let (count, raw_bytes) = records_frame_size(records.clone())?;
        let mut raw = std::mem::take(&mut self.raw);
        raw.clear();
        payload::encode_records(records, &mut raw);
        let first = self.tail.next_seq;
        let result = self.frame(FrameKind::Records, count, raw_bytes, &raw, out);
        self.raw = raw;
        result.map(|()| first)
    }

    /// Appends a checkpoint frame covering every record before the next seq, and returns
    /// the seq of the last record it covers (`next_seq - 1`).
    ///
    /// Errors: [`Error::LogFrameTooLarge`]; what compression reports.
    pub fn write_checkpoint(&mut self, checkpoint: &Checkpoint<'_>, out: &mut Vec<u8>) -> Result<u64> {
        let size = checkpoint.meta.len() + checkpoint.state.len() + 21;
        if size > MAX_PAYLOAD {
            return Err(Error::LogFrameTooLarge { size: size as u64 });
        }
        let mut raw = std::mem::take(&mut self.raw);
        raw.clear();
        checkpoint.encode(&mut raw);
        let result = self.frame(FrameKind::Checkpoint, 0, 0, &raw, out);
        self.raw = raw;
        result?;
        Ok(self.tail.next_seq - 1)
    }

    /// Appends a frame read from another file of the log, payload untouched, with a header
    /// that carries this file's totals: what compaction copies. `raw_added` is the record
    /// bytes it holds (the step of `raw_total` at it in the file it comes from).
    pub fn copy_frame(&mut self, header: &FrameHeader, stored: &[u8], raw_added: u64, out: &mut Vec<u8>) {
        let at = self.tail.end;
        let mut h = self.header_for(header.kind, header.flags, header.count, stored, header.raw_len);
        h.packed = header.packed;
        h.first_seq = header.first_seq;
        h.raw_total = self.tail.raw_total + raw_added;
        match header.kind {
            FrameKind::Checkpoint => h.checkpoint_at = at,
            FrameKind::Dictionary => h.dictionary_at = at,
            FrameKind::Records => {}
        }
        self.emit(h, stored, out);
    }

    fn header_for(&self, kind: FrameKind, flags: u8, count: u32, stored: &[u8], raw_len: u32) -> FrameHeader {
        FrameHeader {
            kind,
            flags,
            packed: 0,
            offset: self.tail.end,
            first_seq: self.tail.next_seq,
            count,
            stored_len: stored.len() as u32,
            raw_len,
            payload_crc: salted_crc(self.salt, stored),
            raw_total: self.tail.raw_total,
            frames: self.tail.frames + 1,
            checkpoint_at: self.tail.checkpoint_at,
            dictionary_at: self.tail.dictionary_at,
        }
    }

    fn emit(&mut self, h: FrameHeader, stored: &[u8], out: &mut Vec<u8>) {
        let header = h.encode(self.salt);
        out.extend_from_slice(&header);
        out.extend_from_slice(stored);
        out.extend_from_slice(&h.trailer(&header));
        self.tail = Tail::after(&h);
    }

    // `raw_records` is the record bytes the frame adds to the raw total.
    fn frame(&mut self, kind: FrameKind, count: u32, raw_records: usize, raw: &[u8], out: &mut Vec<u8>) -> Result<()> {
        // Dictionaries are stored raw: a reader needs them before it can decompress anything.
        let packed = match (self.level, kind) {
            (Some(_), FrameKind::Dictionary) | (None, _) => None,
            (Some(level), _) => Some(match &self.dictionary {
                Some(d) => (compress::compress_with(raw, d)?, FLAG_ZSTD | FLAG_DICTIONARY),
                None => (compress::compress(raw, level)?, FLAG_ZSTD),
            }),
        };
        let packed = packed.as_ref().map(|(p, f)| (p.as_slice(), *f));
        self.emit_payload(kind, count, raw_records, raw, packed, 0, out);
        Ok(())
    }

    /// Emits a frame of `kind` whose raw payload is `raw`, stored as `packed` (its zstd
    /// frame and flags) if that is smaller, with the repack's `mark` (0 for none).
    #[allow(clippy::too_many_arguments)]
    fn emit_payload(
        &mut self,
        kind: FrameKind,
        count: u32,
        raw_records: usize,
        raw: &[u8],
        packed: Option<(&[u8], u8)>,
        mark: u8,
        out: &mut Vec<u8>,
    ) {
        let (stored, flags): (&[u8], u8) = match packed {
            // Incompressible payloads are stored raw, so a frame is never larger than its data.
            Some((p, f)) if p.len() < raw.len() => (p, f),
            _ => (raw, 0),
        };
        let mut h = self.header_for(kind, flags, count, stored, raw.len() as u32);
        h.packed = mark;
        h.raw_total += raw_records as u64;
        // A checkpoint or dictionary frame's own header points at itself: it may be the last
        // frame, the one an opening writer reads.
        match kind {
            FrameKind::Checkpoint => h.checkpoint_at = h.offset,
            FrameKind::Dictionary => h.dictionary_at = h.offset,
            FrameKind::Records => {}
        }
        out.reserve(FRAME_HEADER_LEN + stored.len() + 8);
        self.emit(h, stored, out);
    }

    /// Starts a frame holding `records`, as [`write_records`](Self::write_records) writes
    /// one, to be compressed in steps ([`step_records`](Self::step_records)) with a context
    /// of this writer's own, and written by [`end_records`](Self::end_records).
    ///
    /// Errors: as [`write_records`](Self::write_records).
    pub fn begin_records<'a>(
        &mut self,
        records: impl Iterator<Item = (RecordKind, i64, &'a [u8])> + Clone,
    ) -> Result<PendingRecords> {
        let (count, raw_records) = records_frame_size(records.clone())?;
        let mut raw = Vec::new();
        payload::encode_records(records, &mut raw);
        let mut stored = Vec::new();
        let flags = match self.level {
            None => 0,
            Some(level) => {
                let c = self.context.get_or_insert_with(compress::Compressor::default);
                c.begin(raw.len(), level, self.dictionary.as_ref(), &mut stored)?;
                if self.dictionary.is_some() {
                    FLAG_ZSTD | FLAG_DICTIONARY
                } else {
                    FLAG_ZSTD
                }
            }
        };
        Ok(PendingRecords { raw, count, raw_records, stored, flags, done: flags == 0 })
    }

    /// Compresses up to `budget` more bytes of `p`'s payload; returns whether it is done.
    ///
    /// Errors: what compression reports.
    pub fn step_records(&mut self, p: &mut PendingRecords, budget: usize) -> Result<bool> {
        if !p.done {
            let c = self.context.get_or_insert_with(compress::Compressor::default);
            p.done = c.step(&p.raw, budget, &mut p.stored)?;
        }
        Ok(p.done)
    }

    /// Writes the frame of `p`, whose steps are done, to `out`, marked as packed at this
    /// writer's level ([`packed_mark`](Self::packed_mark)).
    ///
    /// Errors: [`Error::Internal`] if its steps are not done.
    pub fn end_records(&mut self, p: PendingRecords, out: &mut Vec<u8>) -> Result<()> {
        if !p.done {
            return Err(Error::Internal { reason: "a record frame written before its compression was done".into() });
        }
        let packed = (p.flags != 0).then_some((p.stored.as_slice(), p.flags));
        let mark = self.packed_mark();
        self.emit_payload(FrameKind::Records, p.count, p.raw_records, &p.raw, packed, mark, out);
        Ok(())
    }

    /// The [`FrameHeader::packed`] mark of the frames [`end_records`](Self::end_records)
    /// writes: this writer's level, within 1 to [`MAX_PACKED_LEVEL`] (zstd's level 0 is its
    /// default, 3); 0 when it stores records raw, which a later repack does not keep.
    pub fn packed_mark(&self) -> u8 {
        let level = |l: i32| if l == 0 { compress::DEFAULT_LEVEL } else { l };
        self.level.map_or(0, |l| level(l).clamp(1, MAX_PACKED_LEVEL as i32) as u8)
    }
}

/// The count and record bytes of a records frame holding `records`.
///
/// Errors: [`Error::LogOption`] for no records; [`Error::LogFrameTooLarge`] over 1 GiB of
/// payload.
fn records_frame_size<'a>(records: impl Iterator<Item = (RecordKind, i64, &'a [u8])> + Clone) -> Result<(u32, usize)> {
    let count = records.clone().count();
    let raw_bytes: usize = records.clone().map(|r| r.2.len()).sum();
    let bound = payload::records_len_bound(records.map(|r| r.2.len()));
    if count == 0 {
        return Err(Error::LogOption { reason: "a record frame needs at least one record".into() });
    }
    let count = u32::try_from(count).map_err(|_| Error::LogFrameTooLarge { size: bound as u64 })?;
    if bound > MAX_PAYLOAD {
        return Err(Error::LogFrameTooLarge { size: bound as u64 });
    }
    Ok((count, raw_bytes))
}

/// A records frame being made in steps ([`Writer::begin_records`]).
pub struct PendingRecords {
    raw: Vec<u8>,
    count: u32,
    raw_records: usize,
    stored: Vec<u8>,
    flags: u8,
    done: bool,
}

impl PendingRecords {
    /// The bytes of its raw payload (what [`Writer::step_records`]'s budget counts).
    pub fn raw_len(&self) -> usize {
        self.raw.len()
    }
}

/// Reads frames of one log file: checks payloads and decompresses them.
#[derive(Clone)]
pub struct Reader {
    salt: u64,
    dictionary: Option<Dictionary>,
}

impl Reader {
    /// A reader of the file with `header`.
    pub fn new(header: &FileHeader) -> Reader {
        Reader { salt: header.salt, dictionary: None }
    }

    /// The salt of the file.
    pub fn salt(&self) -> u64 {
        self.salt
    }

    /// Decompresses frames flagged as using the log's dictionary with `dictionary`.
    pub fn use_dictionary(&mut self, dictionary: Dictionary) {
        self.dictionary = Some(dictionary);
    }

    /// The dictionary in use, if any.
    pub fn dictionary(&self) -> Option<&Dictionary> {
        self.dictionary.as_ref()
    }

    /// The dictionary the frame with header `h` was compressed with, or `None` for a frame
    /// that needs none.
    ///
    /// Errors: [`Error::LogOption`] for a frame needing a dictionary when none is loaded.
    pub fn dictionary_for(&self, h: &FrameHeader) -> Result<Option<&Dictionary>> {
        if h.flags & FLAG_DICTIONARY == 0 || h.flags & FLAG_ZSTD == 0 {
            return Ok(None);
        }
        match &self.dictionary {
            Some(d) => Ok(Some(d)),
            None => Err(Error::LogOption {
                reason: format!("the frame at offset {} needs the log's dictionary, which is not loaded", h.offset),
            }),
        }
    }

    /// The raw payload of the frame with header `h`, whose stored payload is `stored`.
    ///
    /// Errors: [`Error::CorruptLog`] at the frame's offset for a checksum that does not
    /// match or a payload that does not decompress to its recorded size;
    /// [`Error::LogOption`] for a frame needing a dictionary when none is loaded.
    pub fn payload<'a>(&self, h: &FrameHeader, stored: &'a [u8]) -> Result<Cow<'a, [u8]>> {
        let corrupt = |reason: String| Error::CorruptLog { offset: h.offset, reason };
        if stored.len() != h.stored_len as usize || salted_crc(self.salt, stored) != h.payload_crc {
            return Err(corrupt("the frame's payload does not match its checksum".into()));
        }
        if h.flags & FLAG_ZSTD == 0 {
            return if stored.len() == h.raw_len as usize {
                Ok(Cow::Borrowed(stored))
            } else {
                Err(corrupt("a raw payload's size differs from its header's".into()))
            };
        }
        let raw = compress::decompress_with(stored, h.raw_len as usize, self.dictionary_for(h)?)
            .map_err(|e| corrupt(format!("the frame's payload does not decompress: {e}")))?;
        if raw.len() != h.raw_len as usize {
            return Err(corrupt(format!("the payload decompresses to {} bytes, not {}", raw.len(), h.raw_len)));
        }
        Ok(Cow::Owned(raw))
    }

    /// Appends the records of the records frame `h` (payload `stored`) with seqs in
    /// `from..to` to `data` and `out` (seq, record with offsets into `data`).
    pub fn records(
        &self,
        h: &FrameHeader,
        stored: &[u8],
        from: u64,
        to: u64,
        data: &mut Vec<u8>,
        out: &mut Vec<(u64, RecordRef)>,
    ) -> Result<()> {
        let raw = self.payload(h, stored)?;
        let mut refs = Vec::with_capacity(h.count as usize);
        payload::decode_records(&raw, h.count, 0, &mut refs)
            .map_err(|e| Error::CorruptLog { offset: h.offset, reason: reason_of(e) })?;
        for (i, r) in refs.into_iter().enumerate() {
            let seq = h.first_seq + i as u64;
            if seq < from || seq >= to {
                continue;
            }
            let start = data.len();
            data.extend_from_slice(&raw[r.start..r.end]);
            out.push((seq, RecordRef { start, end: data.len(), ..r }));
        }
        Ok(())
    }
}

fn reason_of(e: Error) -> String {
    match e {
        Error::CorruptLog { reason, .. } => reason,
        other => other.to_string(),
    }
}
