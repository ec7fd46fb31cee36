//! The session log read back after damage: a log whose shape comes from the input is written
//! with `Writer`, cut and/or hit by one burst of flipped bits, and read the two ways the
//! bindings read it (recovery from the end, replay forward skipping damage) in windows of
//! input-chosen sizes.

use crate::{dictionary_bytes, Input};
use ironlung_core::compress::Dictionary;
use ironlung_core::log::layout::{
    FileHeader, FrameHeader, FILE_HEADER_LEN, FLAG_DICTIONARY, FRAME_HEADER_LEN, TRAILER_LEN,
};
use ironlung_core::log::scan::{frame_at, last_frame, next_valid, Found, Last};
use ironlung_core::log::{Checkpoint, FrameKind, Reader, RecordKind, Tail, Writer};

const SALT: u64 = 0x5eed_1234_abcd_0042;
const HEADER: u64 = FILE_HEADER_LEN as u64;
/// Window sizes, tiny ones included so that `Found::Short` and window edges are exercised.
const WINDOWS: [usize; 12] = [1, 2, 5, 8, 13, 64, 76, 84, 100, 512, 4096, 1 << 16];
const LEVELS: [Option<i32>; 5] = [None, Some(-5), Some(1), Some(3), Some(9)];
const KINDS: [RecordKind; 3] = [RecordKind::Text, RecordKind::Bytes, RecordKind::Json];
/// Bounds on one input's log, so that an execution stays within milliseconds.
const MAX_OPS: usize = 48;
const MAX_RECORDS: usize = 256;
const MAX_BYTES: usize = 48 << 10;

type Record = (RecordKind, i64, Vec<u8>);
/// A checkpoint's time, meta, state kind and state.
type Saved = (i64, Vec<u8>, RecordKind, Vec<u8>);

/// A frame as written: where it lies, what it holds, and the writer's tail after it.
struct Written {
    start: u64,
    end: u64,
    header: FrameHeader,
    tail: Tail,
    checkpoint: Option<Saved>,
}

/// What the forward replay read.
#[derive(Default)]
struct Replay {
    records: Vec<(u64, Record)>,
    /// Each checkpoint read, with its frame's offset.
    checkpoints: Vec<(u64, Saved)>,
    /// Damaged ranges met (their first offset).
    damaged: Vec<u64>,
    /// Resync landed on a valid frame inside another's payload (see `log_damage`).
    forged: Option<u64>,
}

/// Session log damage: a log shaped by the input (batches of records of varied sizes and
/// kinds with the input's bytes, checkpoints, a dictionary, compressed or not), then cut at
/// an input-chosen length and/or hit by one burst of at most 4 flipped bytes after the file
/// header, read back by recovery from the end and by a forward replay that skips damage
/// (`onCorrupt: 'skip'`), in input-chosen window sizes. Asserts that nothing panics; every
/// record read equals the one written with its seq (kind, time and bytes), in increasing
/// seqs; the replay reads exactly the frames the damage left whole (so, undamaged, all of
/// them, and after a cut, those before it); recovery ends at the last whole, untouched frame
/// with the writer's tail after it (undamaged: the file's end and next seq), never past the
/// file's end, and each step back reads from an earlier offset.
///
/// A CRC-32 catches every burst of up to 32 bits, so a frame the burst touches can never
/// validate, and these expectations hold exactly. The one way around them is a payload that
/// holds a whole valid frame for this file's salt and offset (record bytes are the input's,
/// and the salt is fixed here, where a real log's is random): a frame found at an offset the
/// writer never wrote one at ends the replay and its exact checks; it is not a bug.
pub fn log_damage(data: &[u8]) {
    let mut input = Input::new(data);
    let level = LEVELS[input.byte() as usize % LEVELS.len()];
    let base_seq = [1, 2, 24, 1 << 40][input.byte() as usize % 4];
    let recover_window = WINDOWS[input.byte() as usize % WINDOWS.len()];
    let chunk = WINDOWS[input.byte() as usize % WINDOWS.len()];
    let resync_chunk = WINDOWS[input.byte() as usize % WINDOWS.len()];
    let damage = input.byte();
    let cut_at = input.u32() as u64;
    let burst_at = input.u32() as u64;
    let burst_len = 1 + input.byte() as u64 % 4;
    let mask = [input.byte(), input.byte(), input.byte(), input.byte()];

    let (file, frames, records, header) = write_log(&mut input, level, base_seq);
    let len = file.len() as u64;

    let mut bad = file.clone();
    let cut = if damage & 1 != 0 { HEADER + cut_at % (len - HEADER + 1) } else { len };
    bad.truncate(cut as usize);
    let burst = (damage & 2 != 0 && cut > HEADER).then(|| {
        let at = HEADER + burst_at % (cut - HEADER);
        let n = burst_len.min(cut - at) as usize;
        let mut m = mask;
        if m[..n].iter().all(|&b| b == 0) {
            m[0] = 1;
        }
        for i in 0..n {
            bad[at as usize + i] ^= m[i];
        }
        // The bytes it changes: from the first to the last nonzero byte of the mask.
        let first = m[..n].iter().position(|&b| b != 0).unwrap() as u64;
        let last = m[..n].iter().rposition(|&b| b != 0).unwrap() as u64;
        (at + first, at + last + 1)
    });
    let whole = |f: &Written| f.end <= cut && burst.is_none_or(|(s, e)| e <= f.start || s >= f.end);
    let is_frame = |at: u64| frames.iter().any(|f| f.start == at);
    let written = |seq: u64| &records[(seq - base_seq) as usize];

    // Recovery from the end.
    let last = frames.iter().rev().find(|f| whole(f));
    match recover(&bad, recover_window) {
        Some(f) => {
            assert!(f.end() <= cut, "recovery ends at {} past the file's {cut} bytes", f.end());
            if is_frame(f.offset) {
                let want = last.expect("recovery found a frame where none is whole");
                assert_eq!(f.offset, want.start, "recovery ends at the frame at {} not {}", f.offset, want.start);
                assert_eq!(Tail::after(&f), want.tail);
            }
        }
        None => assert!(last.is_none(), "recovery missed the whole frame at {}", last.unwrap().start),
    }
    if burst.is_none() && cut == len {
        let f = recover(&bad, recover_window);
        assert_eq!(f.map(|f| Tail::after(&f)), frames.last().map(|f| f.tail), "an intact log recovers to its end");
        assert_eq!(f.map_or(HEADER, |f| f.end()), len);
    }

    // Forward replay, skipping damage.
    let starts: Vec<u64> = frames.iter().map(|f| f.start).collect();
    let r = replay(&bad, &header, &starts, level, chunk, resync_chunk);
    let mut prev = None;
    for (seq, rec) in &r.records {
        assert!(*seq >= base_seq && *seq < base_seq + records.len() as u64, "replay read seq {seq}, never written");
        assert!(rec == written(*seq), "replay read other data for seq {seq}");
        assert!(prev < Some(*seq), "seq {seq} read after {prev:?}");
        prev = Some(*seq);
    }
    for (at, cp) in &r.checkpoints {
        let f = frames.iter().find(|f| f.start == *at).expect("a checkpoint where one was written");
        assert!(Some(cp) == f.checkpoint.as_ref(), "the checkpoint at {at} reads back otherwise");
    }
    if burst.is_none() && cut == len {
        assert!(r.damaged.is_empty(), "an intact log is damaged at {:?}", r.damaged);
    }
    if r.forged.is_some() {
        return;
    }
    // Exactly the records of the whole frames, less those compressed with a dictionary whose
    // own frame is damaged.
    let dictionary_whole = frames.iter().find(|f| f.header.kind == FrameKind::Dictionary).is_none_or(whole);
    let want: Vec<u64> = frames
        .iter()
        .filter(|f| f.header.kind == FrameKind::Records && whole(f))
        .filter(|f| dictionary_whole || f.header.flags & FLAG_DICTIONARY == 0)
        .flat_map(|f| f.header.first_seq..f.header.next_seq())
        .collect();
    let got: Vec<u64> = r.records.iter().map(|(s, _)| *s).collect();
    assert_eq!(got, want, "replay of a log cut at {cut} of {len} with burst {burst:?}");
    let want_cps = frames
        .iter()
        .filter(|f| f.header.kind == FrameKind::Checkpoint && whole(f))
        .filter(|f| dictionary_whole || f.header.flags & FLAG_DICTIONARY == 0)
        .count();
    assert_eq!(r.checkpoints.len(), want_cps, "checkpoints read");
}

/// Writes a log as the input says, as `crates/core/src/log/tests.rs` does; returns the file,
/// its frames, its records by seq, and its header.
fn write_log(input: &mut Input, level: Option<i32>, base_seq: u64) -> (Vec<u8>, Vec<Written>, Vec<Record>, FileHeader) {
    let h = FileHeader { salt: SALT, base_seq, created_ms: 1_700_000_000_000 };
    let mut file = h.encode().to_vec();
    let mut w = Writer::new(&h, Tail::empty(&h), level).expect("writer");
    let mut records: Vec<Record> = Vec::new();
    let mut frames = Vec::new();
    let mut bytes = 0;
    let mut time = 1_700_000_000_000i64;
    let mut ops = 0;
    while !input.is_empty() && ops < MAX_OPS && records.len() < MAX_RECORDS && bytes < MAX_BYTES {
        ops += 1;
        let start = file.len() as u64;
        let op = input.byte();
        let mut checkpoint = None;
        match op % 8 {
            0..=5 => {
                let n = 1 + input.byte() as usize % 8;
                let batch: Vec<Record> = (0..n).map(|_| record(input, &mut time)).collect();
                let seq = w
                    .write_records(batch.iter().map(|(k, t, b)| (*k, *t, b.as_slice())), &mut file)
                    .expect("write records");
                assert_eq!(seq, base_seq + records.len() as u64);
                bytes += batch.iter().map(|r| r.2.len()).sum::<usize>();
                records.extend(batch);
            }
            6 => {
                let b = input.byte();
                let meta = input.take(b as usize % 32).to_vec();
                let n = input_len(input, b);
                let state = input.take(n).to_vec();
                let kind = KINDS[b as usize % 3];
                let cp = Checkpoint { time_ms: time, meta: &meta, kind, state: &state };
                let covered = w.write_checkpoint(&cp, &mut file).expect("write a checkpoint");
                assert_eq!(covered, base_seq + records.len() as u64 - 1);
                bytes += meta.len() + state.len();
                checkpoint = Some((time, meta, kind, state));
            }
            _ => {
                if level.is_none() || w.tail().dictionary_at != 0 {
                    continue;
                }
                w.write_dictionary(dictionary_bytes(), &mut file).expect("write the dictionary");
            }
        }
        let header = FrameHeader::parse(&file[start as usize..], SALT, start).expect("the frame just written");
        assert_eq!(w.tail().end, file.len() as u64);
        frames.push(Written { start, end: file.len() as u64, header, tail: w.tail(), checkpoint });
    }
    (file, frames, records, h)
}

/// A record: its kind, its time (now and then a wild one), and bytes of the input, or a few
/// of them repeated so that it compresses.
fn record(input: &mut Input, time: &mut i64) -> Record {
    let k = input.byte();
    let kind = KINDS[k as usize % 3];
    *time = if k & 0x80 != 0 {
        (input.u32() as u64).wrapping_mul(0x9e37_79b9_7f4a_7c15) as i64
    } else {
        *time + (k >> 3) as i64
    };
    let b = input.byte();
    let bytes = if b >> 6 == 3 {
        let unit = input.take(1 + b as usize % 8).to_vec();
        let n = input.u16() as usize % 4096;
        unit.iter().copied().cycle().take(if unit.is_empty() { 0 } else { n }).collect()
    } else {
        let n = input_len(input, b);
        input.take(n).to_vec()
    };
    (kind, *time, bytes)
}

/// A length picked by `b`: mostly small, some up to 4 KiB.
fn input_len(input: &mut Input, b: u8) -> usize {
    match b >> 6 {
        0 => (b & 63) as usize,
        1 => (b & 63) as usize * 16,
        _ => input.u16() as usize % 4096,
    }
}

/// What an opening writer does: windows from the end, the first `first` bytes long, until
/// the last frame is found.
fn recover(file: &[u8], first: usize) -> Option<FrameHeader> {
    let len = file.len() as u64;
    let mut from = len.saturating_sub(first as u64).max(HEADER);
    for _ in 0..64 {
        match last_frame(&file[from as usize..], from, len, SALT) {
            Last::Frame(f) => return Some(f),
            Last::None => return None,
            Last::Read { from: earlier } => {
                assert!(earlier < from && earlier >= HEADER, "recovery asks to read from {earlier} at {from}");
                from = earlier;
            }
        }
    }
    panic!("recovery did not end in 64 windows");
}

/// What a reader does with `onCorrupt: 'skip'` (js/log.mjs `#walk`): every frame in windows
/// of `chunk` bytes, and past damage to the next valid frame. `starts` are the offsets the
/// writer wrote frames at.
fn replay(
    file: &[u8],
    header: &FileHeader,
    starts: &[u64],
    level: Option<i32>,
    chunk: usize,
    resync_chunk: usize,
) -> Replay {
    let h = FileHeader::parse(file).expect("the file header is never damaged");
    assert_eq!(&h, header);
    let len = file.len() as u64;
    let mut reader = Reader::new(&h);
    let mut out = Replay::default();
    let mut at = HEADER;
    let mut window_at = at;
    let mut size = chunk;
    let mut steps = 0;
    while at < len {
        steps += 1;
        assert!(steps < 4 * len + 100, "replay does not end");
        let end = (window_at + size as u64).min(len);
        let window = &file[window_at as usize..end as usize];
        let ok = match frame_at(window, window_at, at, SALT) {
            Found::Frame(f) => {
                assert!(f.offset == at && f.end() <= end, "frame {f:?} at {at} in a window to {end}");
                if !starts.contains(&at) {
                    // Only a resync lands there: a frame inside another's payload.
                    out.forged = Some(at);
                    break;
                }
                let stored =
                    &window[(at - window_at) as usize + FRAME_HEADER_LEN..(f.end() - window_at) as usize - TRAILER_LEN];
                let ok = read_frame(&mut reader, &f, stored, level, &mut out);
                if ok {
                    at = f.end();
                }
                ok
            }
            Found::Short { need } => {
                assert!(need > end, "short of {need} in a window to {end}");
                if need > len {
                    // A frame runs past the end: a torn last write.
                    break;
                }
                size = (need - window_at) as usize;
                continue;
            }
            Found::Damaged => false,
        };
        if !ok {
            out.damaged.push(at);
            at = resync(file, at + 1, resync_chunk);
        }
        window_at = at;
        size = chunk;
    }
    out
}

/// Reads a frame that validated. Returns false where a skipping reader would skip it: a
/// payload compressed with a dictionary that is not loaded (its own frame was damaged).
fn read_frame(reader: &mut Reader, f: &FrameHeader, stored: &[u8], level: Option<i32>, out: &mut Replay) -> bool {
    let missing = f.flags & FLAG_DICTIONARY != 0 && reader.dictionary().is_none();
    match f.kind {
        FrameKind::Dictionary => {
            if reader.dictionary().is_none() {
                let d = Dictionary::new(stored, level.unwrap_or(3)).expect("a valid dictionary frame loads");
                reader.use_dictionary(d);
            }
            true
        }
        FrameKind::Checkpoint => match reader.payload(f, stored) {
            Ok(raw) => {
                let cp = Checkpoint::decode(&raw).expect("a valid checkpoint frame decodes");
                out.checkpoints.push((f.offset, (cp.time_ms, cp.meta.to_vec(), cp.kind, cp.state.to_vec())));
                true
            }
            Err(e) => {
                assert!(missing, "a valid checkpoint frame at {} does not read: {e}", f.offset);
                false
            }
        },
        FrameKind::Records => {
            let (mut data, mut refs) = (Vec::new(), Vec::new());
            match reader.records(f, stored, 0, u64::MAX, &mut data, &mut refs) {
                Ok(()) => {
                    assert_eq!(refs.len(), f.count as usize);
                    out.records
                        .extend(refs.into_iter().map(|(s, r)| (s, (r.kind, r.time_ms, data[r.start..r.end].to_vec()))));
                    true
                }
                Err(e) => {
                    assert!(missing, "a valid records frame at {} does not read: {e}", f.offset);
                    false
                }
            }
        }
    }
}

/// The offset of the first valid frame at or after `from`, or the file's end: js/log.mjs
/// `#resync`, in windows of `chunk` bytes.
fn resync(file: &[u8], from: u64, chunk: usize) -> u64 {
    let end = file.len() as u64;
    let mut at = from;
    let mut want = chunk as u64;
    let mut steps = 0;
    while at < end {
        steps += 1;
        assert!(steps < 4 * end + 100, "resync does not end");
        let window = &file[at as usize..(at + want).min(end) as usize];
        match next_valid(window, at, at, SALT) {
            (found, Found::Frame(f)) => {
                assert!(found >= at && f.offset == found, "next_valid found {f:?} at {found}");
                return found;
            }
            (found, Found::Short { .. }) if found > at => {
                // A frame may start there: read from it.
                at = found;
                continue;
            }
            (_, Found::Short { need }) => {
                if need <= end && need - at > window.len() as u64 {
                    want = need - at;
                    continue;
                }
                at += 1;
            }
            (window_end, Found::Damaged) => {
                assert!(window_end <= at + window.len() as u64);
                at = (at + 1).max(window_end.saturating_sub(3));
            }
        }
        want = chunk as u64;
    }
    end
}
