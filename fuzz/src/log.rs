//! The session log read back after damage: a log whose shape comes from the input is written
//! with `Writer`, cut and/or hit by one burst of flipped bits, and read the ways the bindings
//! read it (recovery from the end; `LogScanner::scan` forward, skipping damage, from the start
//! and from where a seek for an input-chosen seq starts) in windows of input-chosen sizes.

use crate::{dictionary_bytes, Input};
use ironlung_abi::{LogCodec, LogScanner};
use ironlung_core::log::layout::{FileHeader, FrameHeader, FILE_HEADER_LEN, FLAG_DICTIONARY};
use ironlung_core::log::scan::{last_frame, Last};
use ironlung_core::log::seek::{Seek, Step};
use ironlung_core::log::{Checkpoint, FrameKind, RecordKind, Tail, Writer};

const SALT: u64 = 0x5eed_1234_abcd_0042;
const HEADER: u64 = FILE_HEADER_LEN as u64;
/// Window sizes, tiny ones included so that `Found::Short` and window edges are exercised.
const WINDOWS: [u64; 12] = [1, 2, 5, 8, 13, 64, 76, 84, 100, 512, 4096, 1 << 16];
const LEVELS: [Option<i32>; 5] = [None, Some(-5), Some(1), Some(3), Some(9)];
const KINDS: [RecordKind; 3] = [RecordKind::Text, RecordKind::Bytes, RecordKind::Json];
/// Bounds on one input's log, so that an execution stays within milliseconds.
const MAX_OPS: usize = 48;
const MAX_RECORDS: usize = 256;
const MAX_BYTES: usize = 48 << 10;

type Record = (RecordKind, i64, Vec<u8>);
/// A checkpoint's time, meta, state kind and state.
type Saved = (i64, Vec<u8>, RecordKind, Vec<u8>);
/// A record as the scanner gives it: seq, kind, time (a JS number) and bytes.
type Read = (u64, RecordKind, f64, Vec<u8>);

/// A frame as written: where it lies, what it holds, and the writer's tail after it.
struct Written {
    start: u64,
    end: u64,
    header: FrameHeader,
    tail: Tail,
    checkpoint: Option<Saved>,
}

/// What a forward replay read.
#[derive(Default)]
struct Replay {
    records: Vec<Read>,
    /// Where the scanner stopped at damage.
    damaged: Vec<u64>,
    /// Resync landed on a valid frame inside another's payload (see `log_damage`).
    forged: Option<u64>,
}

/// The sizes a replay reads in: its windows, its resync's, and the records' bytes a scan
/// stops after.
#[derive(Clone, Copy)]
struct Windows {
    chunk: u64,
    resync: u64,
    max_bytes: u64,
}

/// Session log damage: a log shaped by the input (batches of records of varied sizes and
/// kinds with the input's bytes, some written as a repack writes them, marked with their
/// level; checkpoints, a dictionary, compressed or not), then cut at
/// an input-chosen length and/or hit by one burst of at most 4 flipped bytes after the file
/// header, read back by recovery from the end and by a forward replay with `LogScanner` that
/// skips damage (`onCorrupt: 'skip'`), in input-chosen window sizes; then a `Seek` for an
/// input-chosen seq, with input-chosen small sizes and perhaps a hint anywhere, and a replay
/// from its start. Asserts that nothing panics; every record read equals the one written
/// with its seq (kind, time as the JS number the scanner gives, and bytes), in increasing
/// seqs; the replay reads exactly the frames the damage left whole (so, undamaged, all of
/// them, and after a cut, those before it), and exactly the checkpoints and the dictionary
/// load where written (`LogCodec::read_checkpoint`, `load_dictionary`); recovery ends at the
/// last whole, untouched frame with the writer's tail after it (undamaged: the file's end
/// and next seq), never past the file's end, and each step back reads from an earlier
/// offset; the seek starts at the end of the file header or a frame header that validates,
/// undamaged at or before the last frame whose first seq is at most the target and within
/// its narrowing size of it, and the replay from there reads, undamaged, exactly the records
/// from the target on.
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
    let resync = WINDOWS[input.byte() as usize % WINDOWS.len()];
    let damage = input.byte();
    let cut_at = input.u32() as u64;
    let burst_at = input.u32() as u64;
    let burst_len = 1 + input.byte() as u64 % 4;
    let mask = [input.byte(), input.byte(), input.byte(), input.byte()];
    let windows = Windows { chunk, resync, max_bytes: WINDOWS[input.byte() as usize % WINDOWS.len()] };
    let target_pick = input.u16() as u64;
    let probe = 8 + 2 * input.byte() as u64;
    let narrow = input.u16() as u64 % 4097;
    let read_limit = probe << (input.byte() % 8);
    let seek_flags = input.byte();
    let hint_at = input.u32() as u64;

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
    let intact = burst.is_none() && cut == len;
    let whole = |f: &Written| f.end <= cut && burst.is_none_or(|(s, e)| e <= f.start || s >= f.end);
    let starts: Vec<u64> = frames.iter().map(|f| f.start).collect();
    let is_frame = |at: u64| starts.contains(&at);
    let dictionary = frames.iter().find(|f| f.header.kind == FrameKind::Dictionary);
    let dictionary_whole = dictionary.is_none_or(whole);
    // A frame that reads back: whole, and not compressed with a dictionary whose own frame is
    // damaged.
    let readable = |at: u64| {
        frames.iter().any(|f| f.start == at && whole(f) && (dictionary_whole || f.header.flags & FLAG_DICTIONARY == 0))
    };
    let damage_only_where_unreadable = |r: &Replay| {
        for &at in &r.damaged {
            assert!(!readable(at), "the whole frame at {at} does not read");
        }
    };

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
    if intact {
        let f = recover(&bad, recover_window);
        assert_eq!(f.map(|f| Tail::after(&f)), frames.last().map(|f| f.tail), "an intact log recovers to its end");
        assert_eq!(f.map_or(HEADER, |f| f.end()), len);
    }

    // Forward replay from the start, skipping damage.
    let new_codec = || {
        let codec = LogCodec::new(&bad[..FILE_HEADER_LEN], level).expect("the file header is never damaged");
        assert_eq!(codec.file_info(), [base_seq as f64, header.created_ms as f64]);
        codec
    };
    let mut codec = new_codec();
    let r = replay(&codec, &bad, &starts, HEADER, 0, windows);
    check_records(&r.records, &records, base_seq, 0);
    damage_only_where_unreadable(&r);
    if intact {
        assert!(r.damaged.is_empty(), "an intact log is damaged at {:?}", r.damaged);
    }
    if r.forged.is_none() {
        let want: Vec<u64> = frames
            .iter()
            .filter(|f| f.header.kind == FrameKind::Records && readable(f.start))
            .flat_map(|f| f.header.first_seq..f.header.next_seq())
            .collect();
        let got: Vec<u64> = r.records.iter().map(|r| r.0).collect();
        assert_eq!(got, want, "replay of a log cut at {cut} of {len} with burst {burst:?}");
    }

    // The dictionary and the checkpoints, read where they were written, as an opening log
    // reads them (the scanner passes checkpoints by).
    if let Some(d) = dictionary.filter(|d| d.start < cut) {
        let loaded = codec.load_dictionary(&bad, 0.0, d.start as f64);
        assert_eq!(loaded.is_ok(), whole(d), "the dictionary at {} loads: {loaded:?}", d.start);
    }
    for f in frames.iter().filter(|f| f.header.kind == FrameKind::Checkpoint && f.start < cut) {
        match codec.read_checkpoint(&bad, 0.0, f.start as f64) {
            Ok(info) => {
                assert!(readable(f.start), "the damaged checkpoint at {} reads", f.start);
                let (time, meta, kind, state) = f.checkpoint.as_ref().expect("a checkpoint was written there");
                let b = codec.take_data();
                let read = (info[1], &b[info[3] as usize..info[4] as usize], info[2], &b[info[5] as usize..]);
                let want = (*time as f64, meta.as_slice(), kind.byte() as f64, state.as_slice());
                assert!(read == want, "the checkpoint at {} reads back otherwise", f.start);
            }
            Err(e) => assert!(!readable(f.start), "the checkpoint at {} does not read: {e:?}", f.start),
        }
    }

    // A seek for an input-chosen seq, and a replay from where it starts.
    let target = base_seq - 1 + target_pick % (records.len() as u64 + 3);
    // A writer's committed end, past a file that shrank under its reader.
    let end = if seek_flags & 2 != 0 { len } else { cut };
    let mut seek = Seek::new(target, end, SALT).sizes(probe, narrow, read_limit);
    if seek_flags & 1 != 0 {
        seek = seek.hint(hint_at % (len + 128));
    }
    let (start, dictionary_at) = run_seek(seek, &bad, end);
    let validates = FrameHeader::parse(&bad[start as usize..], SALT, start).is_some();
    assert!(start == HEADER || validates, "the seek for {target} starts at {start}, where no header validates");
    if start != HEADER && !is_frame(start) {
        return;
    }
    if intact {
        let best = frames.iter().rev().find(|f| f.header.first_seq <= target).map_or(HEADER, |f| f.start);
        assert!(start <= best, "the seek for {target} starts at {start}, past the frame at {best}");
        assert!(
            best - start <= narrow || forged_header(&bad, &starts),
            "the seek for {target} starts at {start}, more than {narrow} bytes before the frame at {best}"
        );
    }
    let mut codec = new_codec();
    if dictionary_at != 0 {
        let window = bad.get(dictionary_at as usize..).unwrap_or_default();
        if let Err(e) = codec.load_dictionary(window, dictionary_at as f64, dictionary_at as f64) {
            assert!(!dictionary_whole, "the dictionary at {dictionary_at} the seek names does not load: {e:?}");
            return;
        }
    }
    let r = replay(&codec, &bad, &starts, start, target, windows);
    check_records(&r.records, &records, base_seq, target);
    damage_only_where_unreadable(&r);
    if intact {
        assert!(r.damaged.is_empty(), "an intact log is damaged at {:?} from {start}", r.damaged);
        let got: Vec<u64> = r.records.iter().map(|r| r.0).collect();
        let want: Vec<u64> = (target.max(base_seq)..base_seq + records.len() as u64).collect();
        assert_eq!(got, want, "replay from {start}, where the seek for {target} starts");
    }
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
        let packed = op % 8 <= 5 && op & 0x40 != 0;
        match op % 8 {
            0..=5 => {
                let n = 1 + input.byte() as usize % 8;
                let batch: Vec<Record> = (0..n).map(|_| record(input, &mut time)).collect();
                let refs = || batch.iter().map(|(k, t, b)| (*k, *t, b.as_slice()));
                let seq = w.tail().next_seq;
                if packed {
                    // As a repack writes a group (`log/pack.rs`): compressed in steps, and
                    // marked with the writer's level.
                    let mut p = w.begin_records(refs()).expect("begin a packed frame");
                    while !w.step_records(&mut p, 1 + (op as usize >> 3) * 512).expect("compress a step") {}
                    w.end_records(p, &mut file).expect("end a packed frame");
                } else {
                    assert_eq!(w.write_records(refs(), &mut file).expect("write records"), seq);
                }
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
        assert_eq!(header.packed, if packed { w.packed_mark() } else { 0 });
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
fn recover(file: &[u8], first: u64) -> Option<FrameHeader> {
    let len = file.len() as u64;
    let mut from = len.saturating_sub(first).max(HEADER);
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

/// What a reader does with `onCorrupt: 'skip'` (js/log.mjs `#walkFile`): the records from seq
/// `from` on of the frames from `at` on, by `LogScanner::scan` in windows of `w.chunk` bytes
/// (or one holding a frame that ran past the last), and past damage to the next valid frame.
/// Stops at a frame where the writer wrote none (`starts`): the bytes of a payload.
fn replay(codec: &LogCodec, file: &[u8], starts: &[u64], mut at: u64, from: u64, w: Windows) -> Replay {
    let len = file.len() as u64;
    let mut scanner = codec.scanner();
    let mut out = Replay::default();
    let mut want = w.chunk;
    for _ in 0..4 * len + 100 {
        if at >= len {
            return out;
        }
        let window = &file[at as usize..(at + want).min(len) as usize];
        let r = scanner.scan(window, at as f64, at as f64, from as f64, f64::INFINITY, w.max_bytes as f64);
        take_records(&mut scanner, &r, &mut out.records);
        let (next, need) = (r[1] as u64, r[2] as u64);
        assert!(at <= next && next <= at + window.len() as u64, "a scan from {at} stops at {next}");
        want = w.chunk;
        match r[0] as u8 {
            0 | 3 => at = next,
            1 if need <= len => {
                want = want.max(need - next);
                at = next;
            }
            // A frame runs past the end: a torn last write.
            1 => return out,
            2 => {
                out.damaged.push(next);
                at = resync(codec, file, next + 1, w.resync);
                if at < len && !starts.contains(&at) {
                    out.forged = Some(at);
                    return out;
                }
            }
            stop => panic!("a scan to seq infinity stops with {stop}"),
        }
    }
    panic!("replay does not end");
}

/// Appends the records of the scan that returned `r` to `out`.
fn take_records(scanner: &mut LogScanner, r: &[f64], out: &mut Vec<Read>) {
    let data = scanner.take_data();
    assert_eq!(r.len(), 4 + 5 * r[3] as usize, "a scan's result");
    for x in r[4..].chunks(5) {
        let kind = RecordKind::from_byte(x[2] as u8).expect("a record kind");
        out.push((x[0] as u64, kind, x[1], data[x[3] as usize..x[4] as usize].to_vec()));
    }
}

/// Every record read is the one written with its seq, none before `from`, in increasing seqs.
fn check_records(read: &[Read], written: &[Record], base_seq: u64, from: u64) {
    let mut prev = None;
    for (seq, kind, time, bytes) in read {
        let w = seq.checked_sub(base_seq).and_then(|i| written.get(i as usize));
        let Some((k, t, b)) = w else { panic!("replay read seq {seq}, never written") };
        assert!(*seq >= from, "replay from seq {from} read seq {seq}");
        assert!((k, *t as f64, b) == (kind, *time, bytes), "replay read other data for seq {seq}");
        assert!(prev < Some(*seq), "seq {seq} read after {prev:?}");
        prev = Some(*seq);
    }
}

/// The offset of the first valid frame at or after `from`, or the file's end: js/log.mjs
/// `#resync`, in windows of `chunk` bytes.
fn resync(codec: &LogCodec, file: &[u8], from: u64, chunk: u64) -> u64 {
    let end = file.len() as u64;
    let mut at = from;
    let mut want = chunk;
    for _ in 0..4 * end + 100 {
        if at >= end {
            return end;
        }
        let window = &file[at as usize..(at + want).min(end) as usize];
        let r = codec.next_valid(window, at as f64, at as f64);
        let found = r[1] as u64;
        assert!(at <= found && found <= at + window.len() as u64, "next_valid from {at} finds {found}");
        match r[0] as u8 {
            0 => return found,
            // A frame may start there: read from it.
            1 if found > at => {
                at = found;
                continue;
            }
            1 => {
                let need = r[2] as u64;
                if need <= end && need - at > window.len() as u64 {
                    want = need - at;
                    continue;
                }
                at += 1;
            }
            _ => at = (at + 1).max(found.saturating_sub(3)),
        }
        want = chunk;
    }
    panic!("resync does not end");
}

/// What js/log.mjs `#seek` does: reads what `seek` asks of `file`, which may end before the
/// `end` the seek was given. Returns where to start and the dictionary to load first.
fn run_seek(mut seek: Seek, file: &[u8], end: u64) -> (u64, u64) {
    for _ in 0..1 << 20 {
        match seek.step() {
            Step::Read { at, len } => {
                assert!(HEADER <= at && at + len <= end, "the seek reads {len} bytes at {at} of {end}");
                let window = file.get(at as usize..).unwrap_or_default();
                seek.feed(&window[..window.len().min(len as usize)], at);
            }
            Step::Start { at, dictionary_at } => return (at, dictionary_at),
        }
    }
    panic!("the seek does not end");
}

/// Whether a frame header validates in `file` where the writer wrote none: in a payload.
fn forged_header(file: &[u8], starts: &[u64]) -> bool {
    (FILE_HEADER_LEN..file.len())
        .any(|i| FrameHeader::parse(&file[i..], SALT, i as u64).is_some() && !starts.contains(&(i as u64)))
}
