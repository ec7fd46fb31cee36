//! The seek state machine on its own: `Seek` driven over a log written from the input, with
//! small sizes, a hint, damage, and a file that shrinks between its steps.

use crate::{dictionary_bytes, Input};
use ironlung_core::compress::Dictionary;
use ironlung_core::log::layout::{
    FileHeader, FrameHeader, FILE_HEADER_LEN, FRAME_HEADER_LEN, FRAME_MAGIC, TRAILER_LEN,
};
use ironlung_core::log::scan::{frame_at, Found};
use ironlung_core::log::seek::{Seek, Step, PROBE};
use ironlung_core::log::{Checkpoint, FrameKind, Reader, RecordKind, Tail, Writer};
use std::sync::OnceLock;

const SALT: u64 = 0x5eed_1234_abcd_0042;
const HEADER: u64 = FILE_HEADER_LEN as u64;
const LEVELS: [Option<i32>; 4] = [None, Some(-5), Some(1), Some(3)];
const BASE_SEQS: [u64; 4] = [1, 2, 24, 1 << 40];
/// Probe sizes: below a frame header's length (raised to it), just above it (a probe that
/// reads on advances a byte or two a read), and up to the real one.
const PROBES: [u64; 10] = [0, 76, 77, 80, 100, 151, 256, 1000, 4096, PROBE];
const NARROWS: [u64; 8] = [0, 1, 2, 50, 300, 1000, 4096, 1 << 20];
/// Bounds on one input's log, so that an execution stays within milliseconds.
const MAX_FRAMES: usize = 400;
const MAX_BYTES: usize = 128 << 10;

/// A log as written: its bytes, its frames' headers in order, its records by seq.
struct Log {
    file: Vec<u8>,
    frames: Vec<FrameHeader>,
    records: Vec<Vec<u8>>,
    header: FileHeader,
}

/// How the host runs the seek: what it does to the file and to the calls.
#[derive(Clone, Copy)]
struct Host {
    /// The end the seek is given.
    end: u64,
    /// Before this step, the file shrinks to `shrink_to` bytes.
    shrink_at: Option<u64>,
    shrink_to: u64,
    /// Feeds this step's window at another offset than it was read from.
    misplace_at: Option<u64>,
    /// Feeds windows this many bytes longer than asked, where the file has them.
    extra: u64,
    /// Calls `step` twice each time, and once more after the start.
    twice: bool,
}

/// The seek state machine (`ironlung_core::log::seek`), driven directly: a log shaped by the
/// input (batches of records of varied sizes, compressible or not, runs of like frames,
/// checkpoints, a dictionary), a target seq, small sizes via `Seek::sizes`, perhaps a hint
/// (the newest checkpoint, a frame, an offset inside one, or nonsense), and perhaps damage:
/// bytes flipped, the file cut, garbage appended, an end given past or before the file's,
/// the file shrinking between two steps so a read comes back short, a window fed at the
/// wrong offset.
///
/// Asserts, always: the seek ends within `step_bound` steps; each read is at least a byte,
/// at most the read limit, starts at or after the file header and ends at or before the
/// end the seek was given; `step` repeats its answer until fed, and its start once given;
/// the start is at or after the file header and, past it, before the end, where a frame
/// header validates, with `dictionary_at` before it. Unless a header validates that the
/// writer did not write (see below): the start is the file header or a frame the writer wrote,
/// at or before the last frame whose first seq is at most the target (damage and short
/// reads only make it earlier), and `dictionary_at` is the dictionary that frame's header
/// names (0 at the dictionary frame itself). Undamaged, also: the start is within the
/// narrowing size of that frame, and reading forward from it with the core's scanner and
/// reader (after the dictionary at `dictionary_at`, which must be the dictionary frame)
/// finds every frame valid and exactly the records from the target on.
///
/// Record bytes and garbage are the input's and the salt is fixed, so the fuzzer can forge a
/// frame header that validates where the writer wrote none (as in `log_damage`); a seek
/// may rightly start there, so such inputs are held to the first set of checks only.
pub fn log_seek(data: &[u8]) {
    let mut input = Input::new(data);
    let level = LEVELS[input.byte() as usize % LEVELS.len()];
    let base_seq = BASE_SEQS[input.byte() as usize % BASE_SEQS.len()];
    let target_pick = input.u16();
    let probe = PROBES[input.byte() as usize % PROBES.len()];
    let narrow = NARROWS[input.byte() as usize % NARROWS.len()];
    let limit_pick = input.byte();
    let read_limit = if limit_pick & 8 != 0 { 0 } else { probe << (limit_pick % 8) };
    let hint_mode = input.byte();
    let hint_pick = input.u32() as u64;
    let damage = input.byte();
    let flips: [(u32, u8); 4] = std::array::from_fn(|_| (input.u32(), input.byte()));
    let cut_pick = input.u32() as u64;
    let garbage_len = input.byte() as usize * 4;
    let end_mode = input.byte();
    let end_pick = input.u32() as u64;
    let quirks = input.byte();
    let shrink_pick = input.u32() as u64;
    let garbage = input.take(if damage & 0x40 != 0 { garbage_len } else { 0 }).to_vec();

    let log = write_log(&mut input, level, base_seq);
    let len = log.file.len() as u64;
    let target = match target_pick % 16 {
        0 => 0,
        1 => u64::MAX,
        _ => base_seq - 1 + (target_pick / 16) as u64 % (log.records.len() as u64 + 3),
    };

    // Damage, each kind on a bit of `damage`.
    let mut bad = log.file.clone();
    if damage & 0x10 != 0 && len > HEADER {
        for &(at, mask) in &flips[..1 + damage as usize % 4] {
            bad[(HEADER + at as u64 % (len - HEADER)) as usize] ^= mask.max(1);
        }
    }
    if damage & 0x20 != 0 {
        bad.truncate((cut_pick % (len + 1)) as usize);
    }
    bad.extend_from_slice(&garbage);
    let changed = bad.get(..log.file.len()) != Some(&log.file[..]);

    let end = match end_mode % 5 {
        0 | 1 => bad.len() as u64,
        // The committed end a writer knows, before garbage or past a cut.
        2 => len,
        // An end past the file's: it shrank after the end was taken.
        3 => bad.len() as u64 + end_pick % 5000,
        _ => end_pick,
    };
    let hint = match hint_mode % 6 {
        0 => None,
        // What js/log.mjs passes: the newest checkpoint.
        1 => log.frames.iter().rev().find(|f| f.kind == FrameKind::Checkpoint).map(|f| f.offset),
        2 => log.frames.get(hint_pick as usize % log.frames.len().max(1)).map(|f| f.offset),
        3 => Some(hint_pick % (len + 200)),
        4 => Some(hint_pick.wrapping_mul(0x9e37_79b9_7f4a_7c15)),
        _ => log.frames.last().map(|f| f.offset + hint_pick % (2 * FRAME_HEADER_LEN as u64)),
    };
    let host = Host {
        end,
        shrink_at: (quirks & 1 != 0).then_some(shrink_pick % 32),
        shrink_to: (shrink_pick >> 5) % (bad.len() as u64 + 1),
        misplace_at: (quirks & 2 != 0).then_some((shrink_pick >> 3) % 16),
        extra: [0, 0, 1, 100][(quirks >> 2) as usize % 4],
        twice: quirks & 16 != 0,
    };

    let mut seek = Seek::new(target, end, SALT).sizes(probe, narrow, read_limit);
    if let Some(h) = hint {
        seek = seek.hint(h);
    }
    // The sizes as `Seek::sizes` raises them.
    let probe = probe.max(FRAME_HEADER_LEN as u64);
    let (start, dictionary_at, fed_all) = run(seek, &bad, host, probe, read_limit.max(probe));

    assert!(start >= HEADER, "the seek starts at {start}, inside the file header");
    assert!(start == HEADER || start < end, "the seek starts at {start}, past the end {end} it was given");
    let header = bad.get(start as usize..).and_then(|b| FrameHeader::parse(b, SALT, start));
    assert!(start == HEADER || header.is_some(), "the seek starts at {start}, where no frame header validates");
    assert!(dictionary_at == 0 || dictionary_at < start, "the dictionary at {dictionary_at} is not before {start}");
    if forged(&bad, &log.frames) {
        return;
    }

    let best = log.frames.iter().rev().find(|f| f.first_seq <= target).map_or(HEADER, |f| f.offset);
    assert!(start <= best, "the seek for {target} starts at {start}, past the frame at {best}");
    let dictionary_want = match log.frames.iter().find(|f| f.offset == start) {
        Some(f) if f.kind == FrameKind::Dictionary => 0,
        Some(f) => f.dictionary_at,
        None if start == HEADER => 0,
        None => panic!("the seek starts at {start}, where the writer wrote no frame"),
    };
    assert_eq!(dictionary_at, dictionary_want, "the dictionary the seek for {target} names, starting at {start}");

    let intact = !changed && fed_all && (end == len || end == bad.len() as u64);
    if !intact {
        return;
    }
    let narrow = narrow.max(1);
    assert!(best - start <= narrow, "the seek for {target} starts at {start}, over {narrow} bytes before {best}");
    let got = read_from(&log, start, dictionary_at, target);
    let first = target.max(base_seq);
    let want: Vec<(u64, &[u8])> = log
        .records
        .iter()
        .enumerate()
        .map(|(i, r)| (base_seq + i as u64, r.as_slice()))
        .filter(|r| r.0 >= first)
        .collect();
    let got: Vec<(u64, &[u8])> = got.iter().map(|(s, r)| (*s, r.as_slice())).collect();
    assert!(got == want, "reading from {start}, where the seek for {target} starts, misses records");
}

/// Twice the most steps a seek with reads of at least `probe` bytes takes, given `end`, over
/// a file of `len` bytes: a bound that catches a loop or reads that stop advancing.
///
/// Each probe at least halves the range `lo..hi` it bisects (it moves `lo` to a header at or
/// past the middle, or `hi` to the middle) until the range is a byte, so bisection takes at
/// most log2(end) + 1 probes, and the hint one more. A probe's first read is a step; each
/// further read follows a full one (so it lies in the file), starts a header's length less a
/// byte before the last one's end and is at least `probe` long, so it reaches `probe - 75`
/// bytes further, up to 75 bytes past `hi`, plus one read cut at that limit. A bisection probe
/// reads on through at most half the range it bisects, and only where the middle lies in the
/// file, so all of them through at most twice the file; the hint's through the file once
/// more. Then one step gives the start.
fn step_bound(end: u64, len: u64, probe: u64) -> u64 {
    let probes = 2 + u64::from(64 - end.leading_zeros());
    let span = 3 * end.min(len) + FRAME_HEADER_LEN as u64 * probes;
    let advance = probe - (FRAME_HEADER_LEN as u64 - 1);
    2 * (1 + 2 * probes + span.div_ceil(advance))
}

/// Runs `seek` over `file` as `host` says, checking every step; returns where it starts,
/// the dictionary it names, and whether every window was fed as read from the whole file.
fn run(mut seek: Seek, file: &[u8], host: Host, probe: u64, read_limit: u64) -> (u64, u64, bool) {
    let bound = step_bound(host.end, file.len() as u64, probe);
    let mut now = file;
    let mut fed_all = true;
    for n in 0..=bound {
        if host.shrink_at == Some(n) && (host.shrink_to as usize) < now.len() {
            now = &file[..host.shrink_to as usize];
            fed_all = false;
        }
        let step = seek.step();
        if host.twice {
            assert_eq!(seek.step(), step, "step {n} changed its answer before a feed");
        }
        let (at, len) = match step {
            Step::Read { at, len } => (at, len),
            Step::Start { at, dictionary_at } => {
                seek.feed(&[], at);
                assert_eq!(seek.step(), step, "the seek's start changed");
                return (at, dictionary_at, fed_all);
            }
        };
        assert!(at >= HEADER, "step {n} reads at {at}, inside the file header");
        assert!(len >= 1 && len <= read_limit, "step {n} reads {len} bytes, with a read limit of {read_limit}");
        assert!(at.checked_add(len).is_some_and(|e| e <= host.end), "step {n} reads {len} at {at}, past {}", host.end);
        let from = (at as usize).min(now.len());
        let window = &now[from..(at.saturating_add(len + host.extra) as usize).min(now.len())];
        fed_all &= window.len() as u64 >= len;
        if host.misplace_at == Some(n) {
            fed_all = false;
            seek.feed(window, at + 1);
        } else {
            seek.feed(window, at);
        }
    }
    panic!("the seek does not end in {bound} steps");
}

/// Whether a frame header validates in `file` other than one the writer wrote, where it
/// wrote it: in record bytes or garbage (the input's), or made by flipped bytes.
fn forged(file: &[u8], frames: &[FrameHeader]) -> bool {
    (FILE_HEADER_LEN..file.len().saturating_sub(FRAME_HEADER_LEN - 1))
        .filter(|&i| file[i..].starts_with(&FRAME_MAGIC))
        .filter_map(|i| FrameHeader::parse(&file[i..], SALT, i as u64))
        .any(|h| !frames.contains(&h))
}

/// The records from seq `target` on, read forward from `start` by the core's scanner and
/// reader through every frame the writer wrote, after loading the dictionary at
/// `dictionary_at` if it is not 0.
fn read_from(log: &Log, start: u64, dictionary_at: u64, target: u64) -> Vec<(u64, Vec<u8>)> {
    let file = &log.file[..];
    let mut reader = Reader::new(&log.header);
    let frame = |at: u64| match frame_at(file, 0, at, SALT) {
        Found::Frame(h) => (h, &file[(at as usize + FRAME_HEADER_LEN)..(h.end() as usize - TRAILER_LEN)]),
        other => panic!("the frame at {at}, read on from {start}, is {other:?}"),
    };
    if dictionary_at != 0 {
        let (h, stored) = frame(dictionary_at);
        assert!(h.kind == FrameKind::Dictionary && stored == dictionary_bytes(), "no dictionary at {dictionary_at}");
        reader.use_dictionary(dictionary().clone());
    }
    let mut data = Vec::new();
    let mut refs = Vec::new();
    let mut at = start;
    while at < file.len() as u64 {
        let (h, stored) = frame(at);
        match h.kind {
            FrameKind::Records => reader
                .records(&h, stored, target, u64::MAX, &mut data, &mut refs)
                .unwrap_or_else(|e| panic!("the records at {at}, read on from {start}: {e}")),
            FrameKind::Dictionary => reader.use_dictionary(dictionary().clone()),
            FrameKind::Checkpoint => {}
        }
        at = h.end();
    }
    refs.into_iter().map(|(seq, r)| (seq, data[r.start..r.end].to_vec())).collect()
}

/// The fuzz dictionary, prepared once: every log here that has one has this one.
fn dictionary() -> &'static Dictionary {
    static DICT: OnceLock<Dictionary> = OnceLock::new();
    DICT.get_or_init(|| Dictionary::new(dictionary_bytes(), 3).expect("the fuzz dictionary loads"))
}

/// Writes a log as the input says: each op a batch of records (or a checkpoint, or the
/// dictionary), and with its high bit a run of up to 64 such frames, so that a short input
/// makes a log of hundreds of frames to bisect.
fn write_log(input: &mut Input, level: Option<i32>, base_seq: u64) -> Log {
    let header = FileHeader { salt: SALT, base_seq, created_ms: 1_700_000_000_000 };
    let mut file = header.encode().to_vec();
    let mut w = Writer::new(&header, Tail::empty(&header), level).expect("writer");
    let mut frames = Vec::new();
    let mut records: Vec<Vec<u8>> = Vec::new();
    let mut noise = input.u32() | 1;
    while !input.is_empty() && frames.len() < MAX_FRAMES && file.len() < MAX_BYTES {
        let op = input.byte();
        let run = if op & 0x80 != 0 { 1 + input.byte() as usize % 64 } else { 1 };
        let (n, size) = (1 + input.byte() as usize % 8, input.byte());
        let bytes = input.take(size as usize % 64).to_vec();
        for _ in 0..run {
            if frames.len() >= MAX_FRAMES || file.len() >= MAX_BYTES {
                break;
            }
            let at = file.len();
            match op % 8 {
                0..=4 => {
                    let batch: Vec<Vec<u8>> =
                        (0..n).map(|i| content(op >> 4, size, &bytes, records.len() + i, &mut noise)).collect();
                    let kind = [RecordKind::Bytes, RecordKind::Text, RecordKind::Json][op as usize % 3];
                    let seq =
                        w.write_records(batch.iter().map(|r| (kind, 0, r.as_slice())), &mut file).expect("records");
                    assert_eq!(seq, base_seq + records.len() as u64);
                    records.extend(batch);
                }
                5 | 6 => {
                    // A large checkpoint now and then: a probe landing in it reads on.
                    let state = content(op >> 4, size, &bytes, records.len(), &mut noise);
                    let cp = Checkpoint { time_ms: 0, meta: &bytes, kind: RecordKind::Bytes, state: &state };
                    w.write_checkpoint(&cp, &mut file).expect("checkpoint");
                }
                _ => {
                    if level.is_none() || w.tail().dictionary_at != 0 {
                        break;
                    }
                    w.write_dictionary(dictionary_bytes(), &mut file).expect("dictionary");
                }
            }
            frames.push(FrameHeader::parse(&file[at..], SALT, at as u64).expect("the frame just written"));
        }
    }
    Log { file, frames, records, header }
}

/// A record's (or a checkpoint state's) bytes: `mode` picks incompressible noise, JSON like
/// the dictionary's samples, the input's bytes, or one byte repeated; `size` how many.
fn content(mode: u8, size: u8, bytes: &[u8], i: usize, noise: &mut u32) -> Vec<u8> {
    let len = match size >> 6 {
        0 => (size & 63) as usize,
        1 => (size & 63) as usize * 16,
        2 => (size & 63) as usize * 128,
        _ => (size & 63) as usize * 256,
    };
    match mode & 3 {
        0 => (0..len)
            .map(|_| {
                *noise ^= *noise << 13;
                *noise ^= *noise >> 17;
                *noise ^= *noise << 5;
                *noise as u8
            })
            .collect(),
        1 => format!(r#"{{"type":"tool_output","i":{i},"tool":"read_file","path":"src/m{}.rs"}}"#, i % 37).into_bytes(),
        2 => bytes.to_vec(),
        _ => vec![size; len],
    }
}
