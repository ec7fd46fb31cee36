//! The format end to end, in memory: write, recover from the end, replay, and damage.

use super::layout::{self, FILE_HEADER_LEN};
use super::scan::{frame_at, last_frame, next_valid, Found, Last};
use super::*;
use crate::compress;

const SALT: u64 = 0x5eed_1234_abcd_0042;

fn header() -> FileHeader {
    FileHeader { salt: SALT, base_seq: 1, created_ms: 1_700_000_000_000 }
}

fn record(i: usize) -> Vec<u8> {
    format!("{{\"type\":\"tool_output\",\"i\":{i},\"text\":\"{}\"}}", "line of output ".repeat(i % 40)).into_bytes()
}

/// A log of 30 records in frames of 1..=4, a dictionary after the 12th, a checkpoint after
/// the 20th; and the records in order.
fn sample(level: Option<i32>) -> (Vec<u8>, Vec<Vec<u8>>) {
    let h = header();
    let mut file = h.encode().to_vec();
    let mut w = Writer::new(&h, Tail::empty(&h), level).unwrap();
    let mut recs = Vec::new();
    let mut i = 0;
    while i < 30 {
        let n = 1 + i % 4;
        let batch: Vec<Vec<u8>> = (i..(i + n).min(30)).map(record).collect();
        let seq = w
            .write_records(batch.iter().map(|r| (RecordKind::Json, 1000 + recs.len() as i64, r.as_slice())), &mut file)
            .unwrap();
        assert_eq!(seq, recs.len() as u64 + 1);
        i += batch.len();
        recs.extend(batch);
        if level.is_some() && recs.len() >= 12 && w.tail().dictionary_at == 0 {
            let dict = compress::train_dictionary(&(0..200).map(record).collect::<Vec<_>>(), 4096).unwrap();
            w.write_dictionary(&dict, &mut file).unwrap();
        }
        if recs.len() >= 20 && w.tail().checkpoint_at == 0 {
            let cp = Checkpoint { time_ms: 5, meta: b"{\"turn\":2}", kind: RecordKind::Text, state: b"state" };
            assert_eq!(w.write_checkpoint(&cp, &mut file).unwrap(), recs.len() as u64);
        }
    }
    assert_eq!(w.tail().end, file.len() as u64);
    (file, recs)
}

/// What an opening writer does: windows from the end until the last frame is found.
fn recover(file: &[u8]) -> (Tail, u64) {
    let h = FileHeader::parse(file).unwrap();
    let len = file.len() as u64;
    let mut from = len.saturating_sub(100).max(FILE_HEADER_LEN as u64);
    loop {
        match last_frame(&file[from as usize..], from, len, h.salt) {
            Last::Frame(f) => return (Tail::after(&f), f.end()),
            Last::None => return (Tail::empty(&h), FILE_HEADER_LEN as u64),
            Last::Read { from: f } => {
                assert!(f < from);
                from = f;
            }
        }
    }
}

/// What a reader does: every record, in windows of `chunk` bytes; the offset of the first
/// damage, if any, with the records before it.
fn replay(file: &[u8], chunk: usize) -> (Vec<(u64, Vec<u8>)>, Option<u64>) {
    let h = FileHeader::parse(file).unwrap();
    let mut reader = Reader::new(&h);
    let mut out = Vec::new();
    let mut at = FILE_HEADER_LEN as u64;
    let mut window_at = at;
    let mut size = chunk;
    while at < file.len() as u64 {
        let end = (window_at as usize + size).min(file.len());
        let window = &file[window_at as usize..end];
        match frame_at(window, window_at, at, h.salt) {
            Found::Frame(f) => {
                let stored = &window[(at - window_at) as usize + 76..(f.end() - window_at) as usize - 8];
                match f.kind {
                    FrameKind::Dictionary => {
                        reader.use_dictionary(compress::Dictionary::new(stored, 3).unwrap());
                    }
                    FrameKind::Checkpoint => {
                        let raw = match reader.payload(&f, stored) {
                            Ok(r) => r,
                            Err(_) => return (out, Some(at)),
                        };
                        Checkpoint::decode(&raw).unwrap();
                    }
                    FrameKind::Records => {
                        let (mut data, mut refs) = (Vec::new(), Vec::new());
                        if reader.records(&f, stored, 0, u64::MAX, &mut data, &mut refs).is_err() {
                            return (out, Some(at));
                        }
                        out.extend(refs.into_iter().map(|(s, r)| (s, data[r.start..r.end].to_vec())));
                    }
                }
                at = f.end();
                size = chunk;
                window_at = at;
            }
            Found::Short { need } if end < file.len() => {
                size = (need - window_at) as usize;
            }
            _ => return (out, Some(at)),
        }
    }
    (out, None)
}

#[test]
fn records_replay_in_order_in_any_window_size() {
    for level in [None, Some(3)] {
        let (file, recs) = sample(level);
        for chunk in [1, 7, 100, 4096, 1 << 20] {
            let (got, damage) = replay(&file, chunk);
            assert_eq!(damage, None);
            assert_eq!(got.len(), recs.len());
            for (i, (seq, bytes)) in got.iter().enumerate() {
                assert_eq!((*seq, bytes), (i as u64 + 1, &recs[i]));
            }
        }
        let (tail, _) = recover(&file);
        assert_eq!(tail.end, file.len() as u64);
        assert_eq!(tail.next_seq, 31);
        assert_eq!(tail.raw_total, recs.iter().map(|r| r.len() as u64).sum::<u64>());
        assert!(tail.checkpoint_at > 0);
        assert_eq!(tail.dictionary_at > 0, level.is_some());
    }
}

#[test]
fn compression_and_the_dictionary_shrink_the_log() {
    let (raw, _) = sample(None);
    let (packed, _) = sample(Some(3));
    // Less the 4 KiB dictionary the packed log stores.
    let records = packed.len() - 4096 - layout::FRAME_OVERHEAD;
    assert!(records * 2 < raw.len(), "{records} vs {}", raw.len());
}

#[test]
fn a_cut_anywhere_recovers_to_the_last_whole_frame() {
    let (file, recs) = sample(Some(3));
    // Frame ends, from the forward replay's view.
    let mut ends = vec![FILE_HEADER_LEN as u64];
    // (frame end, the newest checkpoint and dictionary offsets through it)
    let mut marks = vec![(FILE_HEADER_LEN as u64, 0, 0)];
    let mut at = FILE_HEADER_LEN as u64;
    let (mut cp, mut dict) = (0, 0);
    while let Found::Frame(f) = frame_at(&file[at as usize..], at, at, SALT) {
        match f.kind {
            FrameKind::Checkpoint => cp = at,
            FrameKind::Dictionary => dict = at,
            FrameKind::Records => {}
        }
        at = f.end();
        ends.push(at);
        marks.push((at, cp, dict));
    }
    assert_eq!(at, file.len() as u64);
    for cut in FILE_HEADER_LEN..=file.len() {
        let (tail, end) = recover(&file[..cut]);
        let expect = *ends.iter().rev().find(|&&e| e <= cut as u64).unwrap();
        assert_eq!(end, expect, "cut at {cut}");
        assert_eq!(tail.end, expect);
        let &(_, cp, dict) = marks.iter().rev().find(|m| m.0 <= cut as u64).unwrap();
        assert_eq!((tail.checkpoint_at, tail.dictionary_at), (cp, dict), "cut at {cut}");
        // What survives replays as whole records, a prefix of what was written.
        let (got, damage) = replay(&file[..end as usize], 64);
        assert_eq!(damage, None);
        assert_eq!(got.len() as u64, tail.next_seq - 1, "cut at {cut}");
        for (seq, bytes) in got {
            assert_eq!(bytes, recs[seq as usize - 1]);
        }
    }
}

#[test]
fn a_file_shorter_than_its_length_said_ends_where_its_bytes_do() {
    // A reader's file whose writer cut a torn tail away between the reader's look at its size
    // and its read of the end: the window stops short of `file_len`.
    let (file, _) = sample(Some(3));
    let len = file.len() as u64;
    for cut in FILE_HEADER_LEN..file.len() {
        for from in [FILE_HEADER_LEN, cut.saturating_sub(100).max(FILE_HEADER_LEN)] {
            match last_frame(&file[from..cut], from as u64, len, SALT) {
                Last::Frame(f) => {
                    assert!(f.end() <= cut as u64, "cut at {cut}, from {from}: a frame ending at {}", f.end())
                }
                Last::None => {}
                Last::Read { from: f } => assert!(f < from as u64, "cut at {cut}, from {from}"),
            }
        }
    }
}

#[test]
fn a_flipped_bit_anywhere_is_found_never_returned_as_data() {
    let (file, recs) = sample(Some(3));
    for byte in FILE_HEADER_LEN..file.len() {
        for bit in [0, 3, 7] {
            let mut bad = file.clone();
            bad[byte] ^= 1 << bit;
            let (got, damage) = replay(&bad, 4096);
            assert!(damage.is_some(), "flip at {byte}.{bit} went unnoticed");
            for (seq, bytes) in got {
                assert_eq!(bytes, recs[seq as usize - 1], "flip at {byte}.{bit}");
            }
            // Recovery from the end never trusts a damaged frame either.
            let (tail, end) = recover(&bad);
            assert!(end <= file.len() as u64 && tail.next_seq <= 31);
        }
    }
}

#[test]
fn damage_in_the_middle_is_skipped_to_the_next_valid_frame() {
    let (file, _) = sample(None);
    let first = match frame_at(&file[64..], 64, 64, SALT) {
        Found::Frame(f) => f,
        other => panic!("{other:?}"),
    };
    let mut bad = file.clone();
    bad[first.offset as usize + 80] ^= 0xff;
    assert_eq!(frame_at(&bad, 0, 64, SALT), Found::Damaged);
    match next_valid(&bad, 0, 65, SALT) {
        (at, Found::Frame(f)) => assert_eq!((at, f.offset), (first.end(), first.end())),
        other => panic!("{other:?}"),
    }
    // A window that ends inside the next frame asks for more.
    let cut = &bad[..first.end() as usize + 10];
    assert_eq!(next_valid(cut, 0, 65, SALT).0, first.end());
    assert!(matches!(next_valid(cut, 0, 65, SALT).1, Found::Short { .. }));
}

#[test]
fn frames_copied_to_a_new_file_carry_its_totals() {
    let (file, recs) = sample(Some(3));
    let old = FileHeader::parse(&file).unwrap();
    let (tail, _) = recover(&file);
    let new = FileHeader { salt: 77, base_seq: 24, created_ms: 1 };
    let mut out = new.encode().to_vec();
    let mut w = Writer::new(&new, Tail::empty(&new), Some(3)).unwrap();
    let mut at = FILE_HEADER_LEN as u64;
    let mut raw_before = 0;
    let mut reader = Reader::new(&old);
    while let Found::Frame(f) = frame_at(&file[at as usize..], at, at, SALT) {
        let stored = &file[at as usize + 76..f.end() as usize - 8];
        if f.kind == FrameKind::Dictionary {
            reader.use_dictionary(compress::Dictionary::new(stored, 3).unwrap());
        }
        let keep = match f.kind {
            // The checkpoint follows record 23 (frames of 1, 2, 4, 4, ...).
            FrameKind::Records => f.first_seq >= 24,
            _ => true,
        };
        if keep {
            w.copy_frame(&f, stored, f.raw_total - raw_before, &mut out);
        }
        raw_before = f.raw_total;
        at = f.end();
    }
    let _ = reader;
    let (t2, _) = recover(&out);
    assert_eq!(t2.next_seq, tail.next_seq);
    assert_eq!(t2.raw_total, recs[23..].iter().map(|r| r.len() as u64).sum::<u64>());
    let (got, damage) = replay(&out, 512);
    assert_eq!(damage, None);
    assert_eq!(got.first().map(|g| g.0), Some(24));
    assert_eq!(got.len(), 7);
}
