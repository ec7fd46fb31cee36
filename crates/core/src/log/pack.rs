//! Repacking: the records of many small frames written again as few large ones.
//!
//! An append is a frame of its own (or of the appends that arrived with it), compressed on
//! its own, so a log of small appends gives zstd little to find repeats in. Compaction can
//! write the records it keeps into frames of [`PACK_BYTES`] each instead, at a higher level:
//! the same records, seqs and times, in a fraction of the bytes. A frame stays the unit a
//! reader checks and decodes, so a reader needs nothing new; it decodes up to a packed
//! frame's size to reach a record inside it.
//!
//! A packed frame carries its level ([`FrameHeader::packed`]), so that a later repack at that
//! level or lower copies it as it is ([`Packer::keeps`]) instead of compressing it again: a
//! log repacked at the end of each session costs what was appended since, not the whole log.

use super::codec::{PendingRecords, Writer};
use super::layout::FrameHeader;
use super::payload::{self, RecordKind, RecordRef};
use crate::error::{Error, Result};

/// The record bytes a packed frame holds, at most (a record larger than this gets a frame
/// of its own): zstd finds repeats across the whole frame, and a reader decodes a whole
/// frame to reach a record in it.
pub const PACK_BYTES: usize = 4 << 20;

/// The raw payload a packed frame needs to be kept as it is by a later repack. A smaller one
/// is the tail of a repack (or of a run of records cut by a gap), whose records are better
/// packed again with those after them.
pub const KEEP_BYTES: usize = PACK_BYTES / 2;

/// Gathers records from frames read in seq order into groups of up to [`PACK_BYTES`] of
/// record bytes, and writes each group as one frame through a [`Writer`].
///
/// Gathering ([`push`](Self::push)) decodes; writing ([`write`](Self::write)) compresses, the
/// costly half, in steps of a budget of bytes: a binding runs it on another thread, or
/// (wasm) a step at a time between turns of its event loop.
pub struct Packer {
    /// The [`FrameHeader::packed`] mark of the frames it writes (0: it keeps none).
    mark: u8,
    /// Groups closed and frames kept, not yet written, oldest first.
    ready: Vec<Item>,
    open: Group,
    /// The frame of the oldest closed group, being compressed.
    pending: Option<PendingRecords>,
    refs: Vec<RecordRef>,
}

/// What a packer writes: a group of records, or a frame it keeps as it is.
enum Item {
    Group(Group),
    Kept { header: FrameHeader, stored: Vec<u8>, raw_added: u64 },
}

/// Records of consecutive seqs, from `first_seq` on.
#[derive(Default)]
struct Group {
    first_seq: u64,
    records: Vec<(RecordKind, i64, usize, usize)>,
    data: Vec<u8>,
}

impl Packer {
    /// An empty packer for a [`Writer`] whose frames it marks `mark`
    /// ([`Writer::packed_mark`]).
    pub fn new(mark: u8) -> Packer {
        Packer { mark, ready: Vec::new(), open: Group::default(), pending: None, refs: Vec::new() }
    }

    /// Whether the records frame `h` is to be kept as it is ([`keep`](Self::keep)) rather
    /// than decoded and [`push`](Self::push)ed: packed by a repack at this packer's level or
    /// higher, and holding at least [`KEEP_BYTES`].
    pub fn keeps(&self, h: &FrameHeader) -> bool {
        self.mark > 0 && h.packed >= self.mark && h.raw_len as usize >= KEEP_BYTES
    }

    /// Takes the records frame `h` as it is: its stored payload `stored`, holding
    /// `raw_added` bytes of records. It is ready to [`write`](Self::write), after the
    /// records gathered before it.
    pub fn keep(&mut self, h: &FrameHeader, stored: &[u8], raw_added: u64) {
        self.close();
        self.ready.push(Item::Kept { header: *h, stored: stored.to_vec(), raw_added });
        self.open.first_seq = h.next_seq();
    }

    /// Takes the records of the records frame `h`, whose decoded payload is `raw`, and
    /// returns whether a group is full, to be [`write`](Self::write)n. Records stay in seq
    /// order: a frame whose first seq does not follow the records gathered (a gap left by
    /// damage) starts a new group.
    ///
    /// Errors: [`Error::CorruptLog`] at the frame's offset for a payload that does not
    /// decode.
    pub fn push(&mut self, h: &FrameHeader, raw: &[u8]) -> Result<bool> {
        self.refs.clear();
        payload::decode_records(raw, h.count, 0, &mut self.refs).map_err(|e| Error::CorruptLog {
            offset: h.offset,
            reason: match e {
                Error::CorruptLog { reason, .. } => reason,
                other => other.to_string(),
            },
        })?;
        if h.first_seq != self.open.first_seq + self.open.records.len() as u64 {
            self.close();
            self.open.first_seq = h.first_seq;
        }
        for i in 0..self.refs.len() {
            let r = self.refs[i];
            let bytes = &raw[r.start..r.end];
            if !self.open.records.is_empty() && self.open.data.len() + bytes.len() > PACK_BYTES {
                self.close();
            }
            let start = self.open.data.len();
            self.open.data.extend_from_slice(bytes);
            self.open.records.push((r.kind, r.time_ms, start, self.open.data.len()));
        }
        if self.open.data.len() >= PACK_BYTES {
            self.close();
        }
        Ok(!self.ready.is_empty())
    }

    /// Closes the group being gathered, if it holds records; the next starts after it.
    fn close(&mut self) {
        let next = self.open.first_seq + self.open.records.len() as u64;
        if !self.open.records.is_empty() {
            self.ready.push(Item::Group(std::mem::take(&mut self.open)));
        }
        self.open.first_seq = next;
    }

    /// Compresses up to about `budget` bytes of the closed groups' records (with `last`,
    /// the group being gathered is closed first), writing each group whose compression is
    /// done to `out` as a frame, and each frame kept, in seq order. Returns whether every
    /// closed group and kept frame is written.
    ///
    /// Errors: what [`Writer::begin_records`] and [`Writer::step_records`] report.
    pub fn write(&mut self, writer: &mut Writer, last: bool, budget: usize, out: &mut Vec<u8>) -> Result<bool> {
        if last {
            self.close();
        }
        let mut budget = budget;
        loop {
            let Some(p) = self.pending.as_mut() else {
                if self.ready.is_empty() {
                    return Ok(true);
                }
                let g = match self.ready.remove(0) {
                    Item::Group(g) => g,
                    Item::Kept { header, stored, raw_added } => {
                        writer.copy_frame(&header, &stored, raw_added, out);
                        continue;
                    }
                };
                let mut tail = writer.tail();
                if tail.next_seq != g.first_seq {
                    tail.next_seq = g.first_seq;
                    writer.set_tail(tail);
                }
                let data = &g.data;
                let records = g.records.iter().map(|&(kind, time, s, e)| (kind, time, &data[s..e]));
                self.pending = Some(writer.begin_records(records)?);
                continue;
            };
            if budget == 0 {
                return Ok(false);
            }
            let step = budget.min(p.raw_len().max(1));
            let done = writer.step_records(p, step)?;
            budget -= step;
            if let Some(p) = self.pending.take_if(|_| done) {
                writer.end_records(p, out)?;
            }
        }
    }

    /// Whether records are gathered and not yet written.
    pub fn is_empty(&self) -> bool {
        self.ready.is_empty() && self.open.records.is_empty() && self.pending.is_none()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::log::layout::FILE_HEADER_LEN;
    use crate::log::scan::{frame_at, Found};
    use crate::log::{FileHeader, Reader, Tail};

    fn header() -> FileHeader {
        FileHeader { salt: 7, base_seq: 1, created_ms: 0 }
    }

    /// Frames of `sizes` records each (record i: `size_of(i)` bytes, time 1000 + i).
    fn small_frames(sizes: &[usize], size_of: impl Fn(usize) -> usize) -> (Vec<u8>, Vec<Vec<u8>>) {
        let h = header();
        let mut w = Writer::new(&h, Tail::empty(&h), Some(3)).unwrap();
        let mut file = h.encode().to_vec();
        let mut recs = Vec::new();
        for &n in sizes {
            let batch: Vec<Vec<u8>> = (recs.len()..recs.len() + n)
                .map(|i| format!("{i:08} ").repeat(size_of(i) / 9 + 1).into_bytes()[..size_of(i)].to_vec())
                .collect();
            let base = recs.len() as i64;
            w.write_records(
                batch.iter().enumerate().map(|(k, r)| (RecordKind::Text, 1000 + base + k as i64, r.as_slice())),
                &mut file,
            )
            .unwrap();
            recs.extend(batch);
        }
        (file, recs)
    }

    fn frames(file: &[u8]) -> Vec<FrameHeader> {
        let mut at = FILE_HEADER_LEN as u64;
        let mut out = Vec::new();
        while (at as usize) < file.len() {
            let Found::Frame(f) = frame_at(file, 0, at, 7) else { panic!("no frame at {at}") };
            at = f.end();
            out.push(f);
        }
        out
    }

    /// A file's records: seq, time, bytes.
    type Records = Vec<(u64, i64, Vec<u8>)>;

    /// A packed file's frames' headers, and its records.
    type Packed = (Vec<FrameHeader>, Records);

    /// Packs every frame of `file` into a new file.
    fn pack(file: &[u8]) -> Packed {
        pack_in_steps(file, usize::MAX)
    }

    /// [`pack`], compressing `budget` bytes a step.
    fn pack_in_steps(file: &[u8], budget: usize) -> Packed {
        let (_, packed, recs) = repack(file, 9, budget);
        (packed, recs)
    }

    /// Packs every frame of `file` into a new file at `level`, keeping what the packer keeps,
    /// compressing `budget` bytes a step: the new file, its frames' headers, its records.
    fn repack(file: &[u8], level: i32, budget: usize) -> (Vec<u8>, Vec<FrameHeader>, Records) {
        let h = header();
        let reader = Reader::new(&h);
        let mut w = Writer::new(&h, Tail::empty(&h), Some(level)).unwrap();
        let mut p = Packer::new(w.packed_mark());
        let mut out = h.encode().to_vec();
        let mut raw_before = 0;
        for f in frames(file) {
            let stored = &file[f.offset as usize + 76..f.end() as usize - 8];
            let ready = if p.keeps(&f) {
                p.keep(&f, stored, f.raw_total - raw_before);
                true
            } else {
                p.push(&f, &reader.payload(&f, stored).unwrap()).unwrap()
            };
            raw_before = f.raw_total;
            if ready {
                while !p.write(&mut w, false, budget, &mut out).unwrap() {}
            }
        }
        while !p.write(&mut w, true, budget, &mut out).unwrap() {}
        assert!(p.is_empty());
        assert_eq!(w.tail().end, out.len() as u64);
        let packed = frames(&out);
        let mut recs = Vec::new();
        for f in &packed {
            let stored = &out[f.offset as usize + 76..f.end() as usize - 8];
            let mut data = Vec::new();
            let mut refs = Vec::new();
            reader.records(f, stored, 0, u64::MAX, &mut data, &mut refs).unwrap();
            recs.extend(refs.into_iter().map(|(seq, r)| (seq, r.time_ms, data[r.start..r.end].to_vec())));
        }
        assert_eq!(packed.last().map_or(0, |f| f.raw_total), recs.iter().map(|r| r.2.len() as u64).sum::<u64>());
        (out, packed, recs)
    }

    #[test]
    fn keeps_every_record_seq_and_time_in_fewer_frames() {
        let (file, recs) = small_frames(&[1, 3, 2, 1, 4, 1, 1, 2], |i| 100 + 37 * i);
        let (packed, got) = pack(&file);
        assert_eq!(packed.len(), 1);
        assert_eq!(packed[0].first_seq, 1);
        assert_eq!(packed[0].count as usize, recs.len());
        assert_eq!(packed[0].raw_total, recs.iter().map(|r| r.len() as u64).sum::<u64>());
        assert_eq!(got.len(), recs.len());
        for (i, (seq, time, bytes)) in got.iter().enumerate() {
            assert_eq!((*seq, *time, bytes), (i as u64 + 1, 1000 + i as i64, &recs[i]));
        }
        assert!(file.len() > 2 * (packed[0].end() as usize));
    }

    #[test]
    fn frames_end_at_pack_bytes_and_large_records_stand_alone() {
        // 1 MiB records, then one of 5 MiB, then small ones.
        let sizes = [1usize; 12];
        let size_of = |i: usize| match i {
            0..=5 => 1 << 20,
            6 => 5 << 20,
            _ => 1000,
        };
        let (file, recs) = small_frames(&sizes, size_of);
        let (packed, got) = pack(&file);
        let counts: Vec<u32> = packed.iter().map(|f| f.count).collect();
        assert_eq!(counts, [4, 2, 1, 5]);
        assert!(packed.iter().all(|f| f.raw_len as usize <= PACK_BYTES + 64 || f.count == 1));
        assert_eq!(got.iter().map(|r| r.2.clone()).collect::<Vec<_>>(), recs);
        assert_eq!(got.iter().map(|r| r.0).collect::<Vec<_>>(), (1..=12).collect::<Vec<u64>>());
    }

    #[test]
    fn compressing_in_small_steps_writes_the_same_records() {
        let (file, recs) = small_frames(&[3; 40], |i| 200 + 13 * i);
        let (whole, a) = pack(&file);
        let (stepped, b) = pack_in_steps(&file, 1000);
        assert_eq!(a, b);
        assert_eq!(whole.len(), stepped.len());
        assert_eq!(a.into_iter().map(|r| r.2).collect::<Vec<_>>(), recs);
    }

    #[test]
    fn a_gap_in_seqs_starts_a_new_frame_at_the_frames_seq() {
        let (file, _) = small_frames(&[2, 2], |_| 50);
        let h = header();
        let reader = Reader::new(&h);
        let mut w = Writer::new(&h, Tail::empty(&h), Some(3)).unwrap();
        let mut p = Packer::new(w.packed_mark());
        let mut out = Vec::new();
        let fs = frames(&file);
        let stored = |f: &FrameHeader| file[f.offset as usize + 76..f.end() as usize - 8].to_vec();
        assert!(!p.push(&fs[0], &reader.payload(&fs[0], &stored(&fs[0])).unwrap()).unwrap());
        let mut later = fs[1];
        later.first_seq = 10;
        // The gap closes the first group: ready to write.
        assert!(p.push(&later, &reader.payload(&fs[1], &stored(&fs[1])).unwrap()).unwrap());
        assert!(p.write(&mut w, true, usize::MAX, &mut out).unwrap());
        let got: Vec<(u64, u32)> = {
            let mut at = 0;
            let mut v = Vec::new();
            while at < out.len() {
                let Found::Frame(f) = frame_at(&out, FILE_HEADER_LEN as u64, FILE_HEADER_LEN as u64 + at as u64, 7)
                else {
                    panic!()
                };
                v.push((f.first_seq, f.count));
                at = (f.end() - FILE_HEADER_LEN as u64) as usize;
            }
            v
        };
        assert_eq!(got, [(1, 2), (10, 2)]);
        assert_eq!(w.tail().next_seq, 12);
    }

    /// `file` with frames of one record each of `sizes` bytes appended (seqs and times going
    /// on from its last frame), written at level 3 as appends are.
    fn append(file: &[u8], sizes: &[usize]) -> Vec<u8> {
        let h = header();
        let last = *frames(file).last().unwrap();
        let mut w = Writer::new(&h, Tail::after(&last), Some(3)).unwrap();
        let mut out = file.to_vec();
        for (k, &n) in sizes.iter().enumerate() {
            let r = format!("later {k:06} ").repeat(n / 13 + 1).into_bytes()[..n].to_vec();
            w.write_records([(RecordKind::Text, 5000 + k as i64, r.as_slice())].into_iter(), &mut out).unwrap();
        }
        out
    }

    #[test]
    fn a_later_repack_keeps_full_packed_frames_at_its_level_or_lower() {
        // 6 MiB of 48 KiB records: packed as one full frame and a tail of about 2 MiB less
        // a record, which is under KEEP_BYTES.
        let (file, recs) = small_frames(&[1; 128], |i| 48_000 + i);
        let (first, packed, got) = repack(&file, 9, usize::MAX);
        assert_eq!(got.iter().map(|r| &r.2).collect::<Vec<_>>(), recs.iter().collect::<Vec<_>>());
        assert_eq!(packed.iter().map(|f| f.packed).collect::<Vec<_>>(), [9, 9]);
        assert!(packed[0].raw_len as usize >= KEEP_BYTES && (packed[1].raw_len as usize) < KEEP_BYTES);
        let payload = |file: &[u8], f: &FrameHeader| file[f.offset as usize + 76..f.end() as usize - 8].to_vec();

        // Appended to, then repacked at 9 again (or lower): the full frame is copied as it
        // is, the tail packed again with what follows it.
        let grown = append(&first, &[700, 900, 20_000]);
        let all: Vec<Vec<u8>> = repack(&grown, 1, usize::MAX).2.into_iter().map(|r| r.2).collect();
        for level in [9, 3, 1] {
            let (again, frames2, got2) = repack(&grown, level, usize::MAX);
            assert_eq!(frames2.len(), 2, "level {level}");
            assert_eq!(payload(&again, &frames2[0]), payload(&first, &packed[0]), "level {level}: the full frame kept");
            assert_eq!(frames2[0].packed, 9);
            assert_eq!(frames2[1].packed as i32, level, "level {level}");
            assert_eq!(frames2[1].first_seq, packed[1].first_seq);
            assert_eq!(frames2[1].count, packed[1].count + 3);
            assert_eq!(got2.iter().map(|r| r.0).collect::<Vec<_>>(), (1..=131).collect::<Vec<u64>>());
            assert_eq!(got2.into_iter().map(|r| r.2).collect::<Vec<_>>(), all);
        }
        // A higher level packs everything again (only a packed frame written now is marked 10).
        let (_, frames3, got3) = repack(&grown, 10, usize::MAX);
        assert_eq!(frames3.iter().map(|f| f.packed).collect::<Vec<_>>(), [10, 10]);
        assert_eq!(got3.into_iter().map(|r| r.2).collect::<Vec<_>>(), all);
    }

    #[test]
    fn frames_as_appended_and_raw_packs_are_never_kept() {
        let (file, _) = small_frames(&[1; 64], |_| 64 << 10);
        let (_, packed, _) = repack(&file, 3, usize::MAX);
        assert!(packed.iter().all(|f| f.packed == 3));
        let appended = frames(&file);
        assert!(appended.iter().all(|f| f.packed == 0));
        let p = Packer::new(1);
        assert!(!appended.iter().any(|f| p.keeps(f)));
        // A writer that stores records raw marks nothing, and so keeps nothing.
        let h = header();
        let raw = Writer::new(&h, Tail::empty(&h), None).unwrap();
        assert_eq!(raw.packed_mark(), 0);
        assert!(!Packer::new(raw.packed_mark()).keeps(&packed[0]));
        assert_eq!(Writer::new(&h, Tail::empty(&h), Some(0)).unwrap().packed_mark(), 3);
        assert_eq!(Writer::new(&h, Tail::empty(&h), Some(-5)).unwrap().packed_mark(), 1);
    }

    #[test]
    fn a_payload_that_does_not_decode_is_damage_at_its_frame() {
        let (file, _) = small_frames(&[2], |_| 50);
        let h = header();
        let f = frames(&file)[0];
        let raw = Reader::new(&h).payload(&f, &file[f.offset as usize + 76..f.end() as usize - 8]).unwrap();
        let err = Packer::new(9).push(&f, &raw[..raw.len() - 1]).unwrap_err();
        assert!(matches!(err, Error::CorruptLog { offset, .. } if offset == f.offset), "{err:?}");
    }
}
