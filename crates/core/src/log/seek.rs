//! Where a reader of the records from one seq on starts: found in a few small reads by
//! bisecting the file on its frames' first seqs, instead of reading it from its start.
//!
//! Seqs only grow along a file, so the frames before the last one whose first seq is at
//! most the target hold records before the target only. A probe reads a small window in
//! the middle of the range still open and takes the first frame header in it that
//! validates: its checksum is seeded with the file's salt and it names its own offset, so
//! a payload's bytes do not pass for one. The payload is not checked here; the reader that
//! starts at the frame checks every frame it reads, as it would from the file's start.
//!
//! Like [`super::scan`], it does no I/O: [`Seek::step`] says which bytes to read, and
//! [`Seek::feed`] takes them.

use super::layout::{FrameHeader, FrameKind, FILE_HEADER_LEN, FRAME_HEADER_LEN};
use super::scan::magics;

/// A probe's first read.
pub const PROBE: u64 = 64 << 10;
/// Bisection stops once the range left is this short: reading through it costs less than
/// the probes that would narrow it further.
pub const NARROW: u64 = 1 << 20;
/// The longest read. A probe that lands in a large frame (a checkpoint of a big state) reads
/// on to the next header, in reads that double up to this size.
pub const READ_LIMIT: u64 = 4 << 20;

/// What [`Seek::step`] asks for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Step {
    /// Read the file's bytes `at..at + len` and [`Seek::feed`] them.
    Read {
        /// The file offset to read from.
        at: u64,
        /// How many bytes to read.
        len: u64,
    },
    /// Read the frames from `at` on.
    Start {
        /// The first frame to read, or the end of the file header.
        at: u64,
        /// The log's dictionary frame, when it lies before `at` (0 otherwise): the reader
        /// needs it to decode what follows and does not pass it on the way.
        dictionary_at: u64,
    },
}

/// One bisection, for the records from seq `target` on.
#[derive(Clone, Debug)]
pub struct Seek {
    target: u64,
    salt: u64,
    end: u64,
    /// Where reading may start: the end of the file header, or a frame whose first seq is at
    /// most the target.
    lo: u64,
    /// The dictionary the frame at `lo` names (0 for none).
    dictionary_at: u64,
    /// Where the frame at `lo` ends, once a probe found it (else `lo`): a probe inside it, a
    /// large checkpoint say, would read on through it to the next header.
    lo_end: u64,
    /// No frame that starts at or after it is a better start (or none is known to be).
    hi: u64,
    /// Where the first probe goes, if not to the middle.
    hint: Option<u64>,
    probe: Option<Probe>,
    /// [`PROBE`], [`NARROW`] and [`READ_LIMIT`], unless [`Seek::sizes`] scaled them down.
    sizes: Sizes,
}

/// A probe's first read, the range left that ends bisection, the longest read.
#[derive(Clone, Copy, Debug)]
struct Sizes {
    probe: u64,
    narrow: u64,
    read_limit: u64,
}

/// A probe under way from `mid`, and its read asked for.
#[derive(Clone, Copy, Debug)]
struct Probe {
    mid: u64,
    asked: Step,
}

impl Seek {
    /// A seek for the records from seq `target` on, in a file whose frames end at `end`
    /// (the committed end a writer knows, or the file's size) and whose salt is `salt`.
    pub fn new(target: u64, end: u64, salt: u64) -> Seek {
        let lo = FILE_HEADER_LEN as u64;
        let sizes = Sizes { probe: PROBE, narrow: NARROW, read_limit: READ_LIMIT };
        Seek { target, salt, end, lo, dictionary_at: 0, lo_end: lo, hi: end.max(lo), hint: None, probe: None, sizes }
    }

    /// Uses `probe`, `narrow` and `read_limit` in place of [`PROBE`], [`NARROW`] and
    /// [`READ_LIMIT`]: for tests and fuzzing, whose files are too small for a real seek to
    /// bisect them. Each is raised to the least that still ends: a probe to a frame header's
    /// length (a read after the first starts a header's length early, to hold one the last
    /// cut, so a shorter one would not advance), `narrow` to 1 (the middle of a shorter range
    /// is its start, where a probe finds what is known), `read_limit` to the probe.
    pub fn sizes(mut self, probe: u64, narrow: u64, read_limit: u64) -> Seek {
        let probe = probe.max(FRAME_HEADER_LEN as u64);
        self.sizes = Sizes { probe, narrow: narrow.max(1), read_limit: read_limit.max(probe) };
        self
    }

    /// Probes at `at` first, however short the file: where a frame likely to be a good start
    /// lies, such as the newest checkpoint (a resuming agent reads from there on).
    pub fn hint(mut self, at: u64) -> Seek {
        self.hint = Some(at);
        self
    }

    /// The next read, or where to start.
    pub fn step(&mut self) -> Step {
        if let Some(p) = self.probe {
            return p.asked;
        }
        let mid = match self.hint.take().filter(|&h| self.lo < h && h < self.hi) {
            Some(h) => h,
            None if self.hi - self.lo <= self.sizes.narrow || self.lo_end >= self.hi => {
                let dictionary_at = if self.dictionary_at < self.lo { self.dictionary_at } else { 0 };
                return Step::Start { at: self.lo, dictionary_at };
            }
            // Not inside the frame at `lo`: the next one starts where it ends.
            None => (self.lo + (self.hi - self.lo) / 2).max(self.lo_end),
        };
        self.ask(mid, mid)
    }

    /// The probe from `mid` that has read up to `reached`: its next read, twice as long as
    /// all before it, starting early enough to hold a header the last one's end cut.
    fn ask(&mut self, mid: u64, reached: u64) -> Step {
        let at = if reached == mid { mid } else { reached - (FRAME_HEADER_LEN as u64 - 1) };
        let len = (reached - mid).clamp(self.sizes.probe, self.sizes.read_limit).min(self.limit() - at);
        let asked = Step::Read { at, len };
        self.probe = Some(Probe { mid, asked });
        asked
    }

    /// Takes the bytes the last [`Seek::step`] asked for: `window` holds the file's bytes
    /// from `window_at`. A window shorter than asked (the file shrank) ends the probe as if
    /// it found nothing.
    pub fn feed(&mut self, window: &[u8], window_at: u64) {
        let Some(Probe { mid, asked: Step::Read { at, len }, .. }) = self.probe else {
            return;
        };
        if window_at != at || (window.len() as u64) < len {
            return self.nothing_after(mid);
        }
        let reached = at + len;
        match first_header(window, window_at, mid, self.hi, self.salt) {
            Some(h) if h.first_seq <= self.target => {
                self.probe = None;
                self.lo = h.offset;
                self.lo_end = h.end();
                self.dictionary_at = if h.kind == FrameKind::Dictionary { 0 } else { h.dictionary_at };
            }
            Some(_) => self.nothing_after(mid),
            None if reached >= self.limit() => self.nothing_after(mid),
            None => {
                self.ask(mid, reached);
            }
        }
    }

    /// How far a probe reads: a header may start just before `hi` and end past it.
    fn limit(&self) -> u64 {
        (self.hi + FRAME_HEADER_LEN as u64 - 1).min(self.end)
    }

    /// The probe from `mid` found no better start there or after it.
    fn nothing_after(&mut self, mid: u64) {
        self.probe = None;
        self.hi = mid;
    }
}

/// The first frame header that validates at an offset in `from..before` in the window.
fn first_header(window: &[u8], window_at: u64, from: u64, before: u64, salt: u64) -> Option<FrameHeader> {
    let start = from.saturating_sub(window_at) as usize;
    let search = window.get(start..)?;
    magics(search)
        .map(|i| (start + i, window_at + (start + i) as u64))
        .take_while(|&(_, at)| at < before)
        .find_map(|(i, at)| FrameHeader::parse(&window[i..], salt, at))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::log::{Checkpoint, FileHeader, RecordKind, Tail, Writer};

    const SALT: u64 = 0x0123_4567_89ab_cdef;

    /// Runs a seek over `file` to its start, counting the bytes it read.
    fn seek(file: &[u8], target: u64) -> (u64, u64, u64) {
        run(Seek::new(target, file.len() as u64, SALT), file)
    }

    /// Runs `s` over `file` to its start, counting the bytes it read; fails rather than
    /// loops when it does not end.
    fn run(mut s: Seek, file: &[u8]) -> (u64, u64, u64) {
        let mut read = 0;
        for _ in 0..1_000_000 {
            match s.step() {
                Step::Read { at, len } => {
                    assert!(at >= FILE_HEADER_LEN as u64 && at + len <= file.len() as u64, "{at} + {len}");
                    read += len;
                    s.feed(&file[at as usize..(at + len) as usize], at);
                }
                Step::Start { at, dictionary_at } => return (at, dictionary_at, read),
            }
        }
        panic!("the seek does not end");
    }

    /// Incompressible bytes, from a xorshift.
    fn noise(x: &mut u32, len: usize) -> Vec<u8> {
        (0..len)
            .map(|_| {
                *x ^= *x << 13;
                *x ^= *x >> 17;
                *x ^= *x << 5;
                *x as u8
            })
            .collect()
    }

    /// A log of `n` frames of `per` records of `size` bytes each (incompressible: stored
    /// raw), a checkpoint of `cp_size` bytes after frame `cp_after`, and each frame's
    /// offset and first seq.
    fn log(n: u64, per: usize, size: usize, cp_after: u64, cp_size: usize) -> (Vec<u8>, Vec<(u64, u64)>) {
        let h = FileHeader { salt: SALT, base_seq: 1, created_ms: 0 };
        let mut file = h.encode().to_vec();
        let mut w = Writer::new(&h, Tail::empty(&h), None).unwrap();
        let mut frames = Vec::new();
        let mut x = 0x9e37_79b9;
        for i in 0..n {
            let recs: Vec<Vec<u8>> = (0..per).map(|_| noise(&mut x, size)).collect();
            frames.push((file.len() as u64, w.tail().next_seq));
            w.write_records(recs.iter().map(|r| (RecordKind::Bytes, 0, r.as_slice())), &mut file).unwrap();
            if i == cp_after {
                let state = noise(&mut x, cp_size);
                frames.push((file.len() as u64, w.tail().next_seq));
                let cp = Checkpoint { time_ms: 0, meta: b"", kind: RecordKind::Bytes, state: &state };
                w.write_checkpoint(&cp, &mut file).unwrap();
            }
        }
        (file, frames)
    }

    /// The frame the seek should start at: the last one whose first seq is at most `target`.
    fn best(frames: &[(u64, u64)], target: u64) -> u64 {
        frames.iter().rev().find(|f| f.1 <= target).map_or(FILE_HEADER_LEN as u64, |f| f.0)
    }

    #[test]
    fn starts_within_narrow_of_the_frame_holding_the_target_reading_little() {
        // 4000 frames of 3 records of 700 bytes: about 8.7 MB.
        let (file, frames) = log(4000, 3, 700, 1500, 100);
        let last_seq = frames.last().unwrap().1 + 2;
        for target in [1, 2, 3, 4, 999, 4500, 4501, 4502, 6000, last_seq - 1, last_seq, last_seq + 5, u64::MAX] {
            let (at, dict, read) = seek(&file, target);
            let best = best(&frames, target);
            assert!(at <= best && best - at <= NARROW, "target {target}: at {at}, best {best}");
            assert!(frames.iter().any(|f| f.0 == at) || at == FILE_HEADER_LEN as u64, "{at} is a frame");
            assert_eq!(dict, 0);
            assert!(read <= 5 * PROBE, "target {target}: read {read}");
        }
    }

    #[test]
    fn a_small_log_is_read_from_its_start_or_its_hint() {
        let (file, frames) = log(100, 2, 500, 50, 10);
        assert_eq!(seek(&file, 150), (FILE_HEADER_LEN as u64, 0, 0));
        let cp = frames[51];
        assert_eq!(cp.1, 103);
        for (target, start) in [(102, 64), (103, cp.0), (150, cp.0)] {
            let mut s = Seek::new(target, file.len() as u64, SALT).hint(cp.0);
            let Step::Read { at, len } = s.step() else { panic!() };
            assert_eq!(at, cp.0);
            s.feed(&file[at as usize..(at + len) as usize], at);
            assert_eq!(s.step(), Step::Start { at: start, dictionary_at: 0 }, "target {target}");
        }
    }

    #[test]
    fn sizes_too_small_to_end_are_raised_and_bisection_ends_within_narrow() {
        // A checkpoint of 3000 bytes: probes read on through it in reads of up to 76 bytes.
        let (file, frames) = log(60, 2, 300, 30, 3000);
        for (probe, narrow, read_limit) in [(8, 0, 8), (0, 1, 0), (100, 0, 300), (300, 700, 100), (76, 2000, 76)] {
            for target in [1, 2, 3, 61, 62, 63, 64, 119, 120, 121, 500] {
                let s = Seek::new(target, file.len() as u64, SALT).sizes(probe, narrow, read_limit);
                let (at, _, _) = run(s, &file);
                let best = best(&frames, target);
                assert!(at <= best && best - at <= narrow, "{probe}/{narrow}/{read_limit}, target {target}: at {at}");
                assert!(frames.iter().any(|f| f.0 == at) || at == FILE_HEADER_LEN as u64, "{at} is a frame");
            }
        }
    }

    #[test]
    fn a_probe_in_a_large_frame_reads_on_to_the_next_header() {
        // Frames of 150 KB, and a checkpoint of 6 MB.
        let (file, frames) = log(200, 1, 150_000, 100, 6 << 20);
        for target in [1, 50, 100, 101, 102, 150, 200, 201] {
            let (at, _, _) = seek(&file, target);
            let best = best(&frames, target);
            assert!(at <= best, "target {target}: at {at}, best {best}");
            assert!(frames.iter().any(|f| f.0 == at) || at == FILE_HEADER_LEN as u64);
        }
        // The first probe lands in the checkpoint.
        let (at, _, read) = seek(&file, 180);
        assert!(best(&frames, 180) - at <= NARROW, "at {at}");
        assert!(read < (6 << 20) + 16 * PROBE, "read {read}");
    }

    #[test]
    fn resuming_after_a_large_checkpoint_reads_none_of_it() {
        // Frames of 1000 bytes, and after the 20th a checkpoint of 8 MB: a resuming reader's
        // seek, hinted at the checkpoint, once read on through half of it from the middle.
        let (file, frames) = log(40, 1, 1000, 20, 8 << 20);
        let cp = frames[21];
        for target in [cp.1, cp.1 + 1, cp.1 + 10] {
            let (at, _, read) = run(Seek::new(target, file.len() as u64, SALT).hint(cp.0), &file);
            let best = best(&frames, target);
            assert!(at > cp.0 && at <= best && best - at <= NARROW, "target {target}: at {at}, best {best}");
            assert!(read <= 3 * PROBE, "target {target}: read {read}");
        }
    }

    #[test]
    fn damage_and_a_shrunk_file_only_make_the_start_earlier() {
        let (mut file, frames) = log(3000, 2, 900, 10, 10);
        let target = 4000;
        // Every header's checksum byte broken in the middle third: probes there find none.
        for &(at, _) in &frames[1000..2000] {
            file[at as usize + 72] ^= 0x55;
        }
        let (at, _, _) = seek(&file, target);
        assert!(at <= best(&frames, target));
        assert!(frames.iter().any(|f| f.0 == at && !(1000..2000).contains(&f.1)) || at == 64);
        // A window shorter than asked ends the probe with nothing found.
        let mut s = Seek::new(target, file.len() as u64, SALT);
        let Step::Read { at, .. } = s.step() else { panic!() };
        s.feed(&file[at as usize..at as usize + 10], at);
        assert!(matches!(s.step(), Step::Read { at: a, .. } if a < at));
    }

    #[test]
    fn a_start_past_the_dictionary_names_it() {
        let h = FileHeader { salt: SALT, base_seq: 1, created_ms: 0 };
        let mut file = h.encode().to_vec();
        let mut w = Writer::new(&h, Tail::empty(&h), Some(3)).unwrap();
        let rec = |i: usize| format!("{{\"event\":\"tool_output\",\"i\":{i},\"ok\":true}}").into_bytes();
        let dict = crate::compress::train_dictionary(&(0..400).map(rec).collect::<Vec<_>>(), 4096).unwrap();
        w.write_records([(RecordKind::Json, 0, rec(0).as_slice())].into_iter(), &mut file).unwrap();
        w.write_dictionary(&dict, &mut file).unwrap();
        let dict_at = w.tail().dictionary_at;
        let mut x = 7;
        while file.len() < 3 << 20 {
            let r = noise(&mut x, 3000);
            w.write_records([(RecordKind::Bytes, 0, r.as_slice())].into_iter(), &mut file).unwrap();
        }
        let (at, dictionary_at, _) = seek(&file, w.tail().next_seq - 1);
        assert!(at > dict_at);
        assert_eq!(dictionary_at, dict_at);
        assert_eq!(seek(&file, 1).0, FILE_HEADER_LEN as u64);
    }
}
