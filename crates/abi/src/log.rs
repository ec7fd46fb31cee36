//! The session log's codec as the JS layer drives it (js/log.mjs): one object per open log
//! file that makes frames to write and reads the windows of the file JS hands it, and one
//! scanner per walk through the file's records (`entries()`, `verify()`). Results
//! are flat number arrays and one byte buffer, so each call crosses into either binding once.
//!
//! Offsets, seqs and times are JS numbers (f64): exact up to 2^53, which no log reaches.

use crate::{JsError, Result};
use ironlung_core::compress::{Dictionary, DEFAULT_LEVEL};
use ironlung_core::log::layout::{FileHeader, FrameKind, FILE_HEADER_LEN, FRAME_HEADER_LEN, TRAILER_LEN};
use ironlung_core::log::scan::{self, Found, Last};
use ironlung_core::log::seek::{Seek, Step};
use ironlung_core::log::{Checkpoint, FrameHeader, Packer, Reader, RecordKind, Tail, Writer};

/// `scan`'s stop codes.
const STOP_END: f64 = 0.0;
const STOP_SHORT: f64 = 1.0;
const STOP_DAMAGED: f64 = 2.0;
const STOP_FULL: f64 = 3.0;
const STOP_PAST: f64 = 4.0;

/// A log file's header bytes: `salt` (8 random bytes), the first seq, the creation time.
pub fn log_header(salt: &[u8], base_seq: f64, created_ms: f64) -> Result<Vec<u8>> {
    let salt: [u8; 8] = salt.try_into().map_err(|_| JsError::invalid_arg("a log salt is 8 bytes".into()))?;
    Ok(FileHeader { salt: u64::from_le_bytes(salt), base_seq: base_seq as u64, created_ms: created_ms as u64 }
        .encode()
        .to_vec())
}

/// The codec of one log file.
pub struct LogCodec {
    header: FileHeader,
    writer: Writer,
    reader: Reader,
    data: Vec<u8>,
}

impl LogCodec {
    /// A codec for the file whose first 64 bytes are `header`; `level` compresses the
    /// frames it writes (`None`: stored raw).
    pub fn new(header: &[u8], level: Option<i32>) -> Result<LogCodec> {
        let header = FileHeader::parse(header)?;
        let writer = Writer::new(&header, Tail::empty(&header), level)?;
        Ok(LogCodec { reader: Reader::new(&header), header, writer, data: Vec::new() })
    }

    /// The first seq of the file and its creation time.
    pub fn file_info(&self) -> Vec<f64> {
        vec![self.header.base_seq as f64, self.header.created_ms as f64]
    }

    /// end, next seq, raw total, frames, checkpoint offset, dictionary offset.
    pub fn tail(&self) -> Vec<f64> {
        let t = self.writer.tail();
        [t.end, t.next_seq, t.raw_total, t.frames, t.checkpoint_at, t.dictionary_at].map(|v| v as f64).to_vec()
    }

    /// The seq the next record gets: `tail()[1]`, without building the rest.
    pub fn next_seq(&self) -> f64 {
        self.writer.tail().next_seq as f64
    }

    /// Puts the tail back to one `tail()` returned.
    pub fn set_tail(&mut self, t: &[f64]) -> Result<()> {
        let [end, next_seq, raw_total, frames, checkpoint_at, dictionary_at] = <[f64; 6]>::try_from(t)
            .map_err(|_| JsError::invalid_arg("a log tail is 6 numbers".into()))?
            .map(|v| v as u64);
        self.writer.set_tail(Tail { end, next_seq, raw_total, frames, checkpoint_at, dictionary_at });
        Ok(())
    }

    /// The id of the dictionary in use, or -1.
    pub fn dictionary_id(&self) -> f64 {
        self.reader.dictionary().map_or(-1.0, |d| d.id() as f64)
    }

    /// Finds the log's end in a window of the file's last bytes (`window_at` to `file_len`):
    /// [0, end] found (the codec's tail is set), [1, 64] no frame, [2, from] read from there.
    pub fn recover(&mut self, window: &[u8], window_at: f64, file_len: f64) -> Vec<f64> {
        match scan::last_frame(window, window_at as u64, file_len as u64, self.header.salt) {
            Last::Frame(h) => {
                self.writer.set_tail(Tail::after(&h));
                vec![0.0, h.end() as f64]
            }
            Last::None => {
                self.writer.set_tail(Tail::empty(&self.header));
                vec![1.0, FILE_HEADER_LEN as f64]
            }
            Last::Read { from } => vec![2.0, from as f64],
        }
    }

    /// Loads the dictionary frame at `at` in the window: for the frames that name it, in
    /// writing and in reading. Returns its id.
    pub fn load_dictionary(&mut self, window: &[u8], window_at: f64, at: f64) -> Result<f64> {
        let (h, stored) = self.frame(window, window_at as u64, at as u64)?;
        if h.kind != FrameKind::Dictionary {
            return Err(corrupt(h.offset, "the log's dictionary offset does not hold its dictionary"));
        }
        let d = Dictionary::new(stored, self.writer_level()).map_err(|e| corrupt(h.offset, &e.to_string()))?;
        self.use_dictionary(d);
        Ok(self.dictionary_id())
    }

    fn writer_level(&self) -> i32 {
        self.writer.level().unwrap_or(DEFAULT_LEVEL)
    }

    fn use_dictionary(&mut self, d: Dictionary) {
        self.writer.use_dictionary(d.clone());
        self.reader.use_dictionary(d);
    }

    /// The frame bytes that store `bytes` as the log's dictionary.
    pub fn write_dictionary(&mut self, bytes: &[u8]) -> Result<Vec<u8>> {
        let mut out = Vec::new();
        self.writer.write_dictionary(bytes, &mut out)?;
        if let Some(d) = self.writer.dictionary() {
            self.reader.use_dictionary(d.clone());
        }
        Ok(out)
    }

    /// The frame bytes of one batch of records: `kinds[i]` (0 text, 1 bytes, 2 JSON),
    /// `times[i]`, and bytes `data[ends[i-1]..ends[i]]`.
    pub fn write_records(&mut self, kinds: &[u8], times: &[f64], data: &[u8], ends: &[u32]) -> Result<Vec<u8>> {
        if kinds.len() != times.len() || kinds.len() != ends.len() {
            return Err(JsError::invalid_arg("writeRecords: kinds, times and ends differ in length".into()));
        }
        let mut start = 0usize;
        let mut recs = Vec::with_capacity(kinds.len());
        for i in 0..kinds.len() {
            let end = ends[i] as usize;
            let kind = RecordKind::from_byte(kinds[i])
                .ok_or_else(|| JsError::invalid_arg(format!("record kind {}", kinds[i])))?;
            let bytes = data.get(start..end).ok_or_else(|| {
                JsError::invalid_arg(format!("writeRecords: record {i} ends at {end}, past {}", data.len()))
            })?;
            recs.push((kind, times[i] as i64, bytes));
            start = end;
        }
        let mut out = Vec::new();
        self.writer.write_records(recs.iter().copied(), &mut out)?;
        Ok(out)
    }

    /// The frame bytes of a checkpoint of `state` (of record kind `kind`) with `meta`
    /// (JSON text, or empty).
    pub fn write_checkpoint(&mut self, kind: u8, state: &[u8], meta: &[u8], time: f64) -> Result<Vec<u8>> {
        let kind = RecordKind::from_byte(kind).ok_or_else(|| JsError::invalid_arg(format!("state kind {kind}")))?;
        let mut out = Vec::new();
        self.writer.write_checkpoint(&Checkpoint { time_ms: time as i64, meta, kind, state }, &mut out)?;
        Ok(out)
    }

    /// Validates the frame at `at` in `from`'s file (its window) and returns it re-headed
    /// for this file: compaction's copy. `raw_added` is its records' bytes. A frame that
    /// needs a dictionary `from` could not load (a damaged one) is damage, and not copied.
    pub fn copy_frame(
        &mut self,
        from: &LogCodec,
        window: &[u8],
        window_at: f64,
        at: f64,
        raw_added: f64,
    ) -> Result<Vec<u8>> {
        let (h, stored) = from.frame(window, window_at as u64, at as u64)?;
        from.copyable(&h)?;
        let mut out = Vec::new();
        self.writer.copy_frame(&h, stored, raw_added as u64, &mut out);
        if h.kind == FrameKind::Dictionary && self.writer.level().is_some() {
            // The frames this codec makes after it (a repack's) use it, as they would in the log.
            let d = Dictionary::new(stored, self.writer_level()).map_err(|e| corrupt(h.offset, &e.to_string()))?;
            self.use_dictionary(d);
        }
        Ok(out)
    }

    /// Hands the records frame at `at` in the window, checked, to `packer` (another file's:
    /// compaction's repack): as it is if the packer keeps it (packed already, holding
    /// `raw_added` bytes of records), else its records decoded. Returns whether frames are
    /// ready for [`LogPacker::write`].
    pub fn pack_into(
        &self,
        packer: &mut LogPacker,
        window: &[u8],
        window_at: f64,
        at: f64,
        raw_added: f64,
    ) -> Result<bool> {
        let (h, stored) = self.frame(window, window_at as u64, at as u64)?;
        if h.kind != FrameKind::Records {
            return Err(JsError::invalid_arg(format!("packInto: the frame at {} holds no records", h.offset)));
        }
        if packer.packer.keeps(&h) {
            // Checked as compaction's copy checks a frame, for it is one.
            self.copyable(&h)?;
            packer.packer.keep(&h, stored, raw_added as u64);
            return Ok(true);
        }
        let raw = self.reader.payload(&h, stored)?;
        Ok(packer.packer.push(&h, &raw)?)
    }

    /// A packer that writes on where this codec's file ends, with its level and dictionary:
    /// compaction's repack, after which this codec writes nothing more.
    pub fn packer(&self) -> LogPacker {
        LogPacker { writer: self.writer.clone(), packer: Packer::new(self.writer.packed_mark()), done: true }
    }

    /// Describes the frame at `at`: [status, kind, first seq, count, end, raw total], status 0
    /// a frame, 1 short (kind is then the offset the window must reach), 2 damaged.
    pub fn frame_info(&self, window: &[u8], window_at: f64, at: f64) -> Vec<f64> {
        match scan::frame_at(window, window_at as u64, at as u64, self.header.salt) {
            Found::Frame(h) => {
                vec![0.0, h.kind.byte() as f64, h.first_seq as f64, h.count as f64, h.end() as f64, h.raw_total as f64]
            }
            Found::Short { need } => vec![1.0, need as f64],
            Found::Damaged => vec![2.0],
        }
    }

    /// The first valid frame at or after `from`: [0, offset] a frame, [1, offset, need] a
    /// frame may start at offset but the window ends first, [2, window end] none.
    pub fn next_valid(&self, window: &[u8], window_at: f64, from: f64) -> Vec<f64> {
        match scan::next_valid(window, window_at as u64, from as u64, self.header.salt) {
            (at, Found::Frame(_)) => vec![0.0, at as f64],
            (at, Found::Short { need }) => vec![1.0, at as f64, need as f64],
            (at, Found::Damaged) => vec![2.0, at as f64],
        }
    }

    /// The reading half of this codec, on its own: one walk through the file decodes its
    /// windows with it, on another thread where the binding has one, while the codec goes
    /// on writing. It starts with the codec's dictionary, and takes up one it finds.
    pub fn scanner(&self) -> LogScanner {
        LogScanner { reader: self.reader.clone(), level: self.writer_level(), data: Vec::new(), error: String::new() }
    }

    /// A search for where reading the records from seq `target` on starts, in this file up to
    /// `end`: a few small reads instead of the whole file before them. It looks at `hint`
    /// first, if not 0 (the newest checkpoint).
    pub fn seek(&self, target: f64, end: f64, hint: f64) -> LogSeek {
        let seek = Seek::new(target as u64, end as u64, self.header.salt);
        LogSeek { inner: if hint > 0.0 { seek.hint(hint as u64) } else { seek } }
    }

    /// The checkpoint frame at `at`: [covered seq, time, state kind, meta start, meta end,
    /// state start, state end], the bytes in `take_data()`.
    pub fn read_checkpoint(&mut self, window: &[u8], window_at: f64, at: f64) -> Result<Vec<f64>> {
        let (h, stored) = self.frame(window, window_at as u64, at as u64)?;
        if h.kind != FrameKind::Checkpoint {
            return Err(corrupt(h.offset, "the log's checkpoint offset does not hold a checkpoint"));
        }
        let raw = self.reader.payload(&h, stored)?;
        let cp = Checkpoint::decode(&raw).map_err(|e| corrupt(h.offset, &e.to_string()))?;
        let meta_start = raw.len() - cp.state.len() - 1 - cp.meta.len();
        let info = vec![
            h.first_seq as f64 - 1.0,
            cp.time_ms as f64,
            cp.kind.byte() as f64,
            meta_start as f64,
            (meta_start + cp.meta.len()) as f64,
            (raw.len() - cp.state.len()) as f64,
            raw.len() as f64,
        ];
        self.data.clear();
        self.data.extend_from_slice(&raw);
        Ok(info)
    }

    /// The bytes of the last `read_checkpoint`, handed over.
    pub fn take_data(&mut self) -> Vec<u8> {
        std::mem::take(&mut self.data)
    }

    /// Whether the frame `h` (checked by [`frame`](Self::frame)) may be copied into another
    /// file as it is: one that needs a dictionary this codec could not load (a damaged one)
    /// is damage, for the copy could not be read.
    fn copyable(&self, h: &FrameHeader) -> Result<()> {
        match self.reader.dictionary_for(h) {
            Ok(_) => Ok(()),
            Err(_) => Err(corrupt(h.offset, "the frame needs the log's dictionary, which is damaged")),
        }
    }

    fn frame<'w>(&self, window: &'w [u8], window_at: u64, at: u64) -> Result<(FrameHeader, &'w [u8])> {
        match scan::frame_at(window, window_at, at, self.header.salt) {
            Found::Frame(h) => Ok((h, stored_of(window, window_at, &h))),
            Found::Short { .. } => Err(corrupt(at, "the frame runs past the end of the file")),
            Found::Damaged => Err(corrupt(at, "the frame's header, checksum or trailer does not match")),
        }
    }
}

/// Compaction's repack (`LogCodec::packer`): takes the records of another file's frames
/// (`LogCodec::pack_into`) and writes them into frames of up to `PACK_BYTES` each.
pub struct LogPacker {
    writer: Writer,
    packer: Packer,
    done: bool,
}

impl LogPacker {
    /// Compresses up to about `budget` bytes of the records taken (with `last`, all of them;
    /// the rest before them), and returns the bytes of the frames this finished.
    /// [`done`](Self::done) says whether any are left. Once `last` is done, its zstd
    /// context is let go.
    pub fn write(&mut self, last: bool, budget: f64) -> Result<Vec<u8>> {
        let mut out = Vec::new();
        let budget = if budget >= usize::MAX as f64 { usize::MAX } else { budget.max(1.0) as usize };
        let result = self.packer.write(&mut self.writer, last, budget, &mut out);
        self.done = matches!(result, Ok(true));
        if (self.done && last) || result.is_err() {
            self.writer.release_context();
        }
        result.map(|_| out).map_err(JsError::from)
    }

    /// Whether the last [`write`](Self::write) wrote everything it was to.
    pub fn done(&self) -> bool {
        self.done
    }
}

/// A log file's reader for one walk through its frames ([`LogCodec::scanner`]).
pub struct LogScanner {
    reader: Reader,
    /// The level a dictionary found in the file is prepared at (its writer's).
    level: i32,
    data: Vec<u8>,
    error: String,
}

impl LogScanner {
    /// Decodes the records with seqs in `from..to` of the frames from `at` on in the
    /// window, until the window ends, a frame is damaged, or `max_bytes` of records are out.
    /// Returns [stop, next offset, need, n, then seq, time, kind, start, end for each], the
    /// records' bytes in `take_data()`, and for a damaged frame its reason in `error()`.
    /// `stop`: 0 the window ended at a frame boundary, 1 a frame runs past it (`need`), 2 the
    /// frame at `next` is damaged, 3 `max_bytes` reached, 4 the frame at `next` starts at or
    /// past `to` (nothing after it is wanted).
    pub fn scan(&mut self, window: &[u8], window_at: f64, at: f64, from: f64, to: f64, max_bytes: f64) -> Vec<f64> {
        let (window_at, from, to) = (window_at as u64, from as u64, to as u64);
        let mut at = at as u64;
        let mut out = vec![STOP_END, 0.0, 0.0, 0.0];
        let mut refs = Vec::new();
        self.data.clear();
        self.error.clear();
        let window_end = window_at + window.len() as u64;
        while at < window_end {
            if self.data.len() as f64 >= max_bytes {
                out[0] = STOP_FULL;
                break;
            }
            let h = match scan::frame_at(window, window_at, at, self.reader.salt()) {
                Found::Frame(h) => h,
                Found::Short { need } => {
                    out[0] = STOP_SHORT;
                    out[2] = need as f64;
                    break;
                }
                Found::Damaged => {
                    out[0] = STOP_DAMAGED;
                    self.error = "the frame's header, checksum or trailer does not match".into();
                    break;
                }
            };
            if h.kind == FrameKind::Records && h.first_seq >= to {
                out[0] = STOP_PAST;
                break;
            }
            let stored = stored_of(window, window_at, &h);
            let step = match h.kind {
                FrameKind::Records if h.next_seq() <= from || h.first_seq >= to => Ok(()),
                FrameKind::Records => self.reader.records(&h, stored, from, to, &mut self.data, &mut refs),
                FrameKind::Dictionary if self.reader.dictionary().is_none() => {
                    Dictionary::new(stored, self.level).map(|d| self.reader.use_dictionary(d))
                }
                FrameKind::Dictionary | FrameKind::Checkpoint => Ok(()),
            };
            if let Err(e) = step {
                out[0] = STOP_DAMAGED;
                self.error = e.to_string();
                break;
            }
            at = h.end();
        }
        out[1] = at as f64;
        out[3] = refs.len() as f64;
        for (seq, r) in refs {
            out.extend([seq as f64, r.time_ms as f64, r.kind.byte() as f64, r.start as f64, r.end as f64]);
        }
        out
    }

    /// The records' bytes of the last `scan`.
    pub fn take_data(&mut self) -> Vec<u8> {
        std::mem::take(&mut self.data)
    }

    /// Why the last `scan` stopped at a damaged frame.
    pub fn error(&self) -> String {
        self.error.clone()
    }
}

/// Where reading for the records from one seq on starts ([`LogCodec::seek`]).
pub struct LogSeek {
    inner: Seek,
}

impl LogSeek {
    /// [0, at, len]: read `len` bytes from `at` and `feed` them; [1, at, dictionary]: start
    /// reading frames at `at`, with the dictionary frame at `dictionary` loaded first if it
    /// is not 0.
    pub fn step(&mut self) -> Vec<f64> {
        match self.inner.step() {
            Step::Read { at, len } => vec![0.0, at as f64, len as f64],
            Step::Start { at, dictionary_at } => vec![1.0, at as f64, dictionary_at as f64],
        }
    }

    /// Takes the bytes `step` asked for, read from `window_at`.
    pub fn feed(&mut self, window: &[u8], window_at: f64) {
        self.inner.feed(window, window_at as u64)
    }
}

fn stored_of<'w>(window: &'w [u8], window_at: u64, h: &FrameHeader) -> &'w [u8] {
    let start = (h.offset - window_at) as usize + FRAME_HEADER_LEN;
    &window[start..(h.end() - window_at) as usize - TRAILER_LEN]
}

fn corrupt(offset: u64, reason: &str) -> JsError {
    JsError::from(ironlung_core::Error::CorruptLog { offset, reason: reason.to_string() })
}
