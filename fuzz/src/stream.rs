//! The streaming zstd decoder, fed in pieces, against the one-shot decoder, zstd's own and
//! the streaming encoder.

use crate::{dictionary_bytes, Input};
use ironlung_core::compress::{decompress_with, frame_info, Decoder, Dictionary, Encoder};
use ironlung_core::{Code, Error};
use std::io::Read;
use std::sync::OnceLock;

const CAPS: [usize; 6] = [0, 1, 100, 4096, 1 << 16, 1 << 20];
const ROOMS: [usize; 7] = [1, 2, 7, 64, 1000, 4096, 1 << 17];
const PIECES: [usize; 8] = [1, 2, 3, 17, 100, 1000, 4096, usize::MAX];
/// At most this many calls that produce one output byte each, so that an execution stays
/// within milliseconds: the cap is lowered to fit when the output room is small.
const MAX_CALLS: usize = 1 << 14;

fn dictionary() -> &'static Dictionary {
    static DICT: OnceLock<Dictionary> = OnceLock::new();
    DICT.get_or_init(|| Dictionary::new(dictionary_bytes(), 3).expect("the fuzz dictionary loads"))
}

/// Piece sizes from a seed: a cycle through `PIECES`.
fn pieces(seed: u8) -> impl Iterator<Item = usize> {
    (0..).map(move |i: usize| PIECES[(seed as usize).wrapping_mul(i + 1).wrapping_add(i / 3) % PIECES.len()])
}

/// The streaming decoder: the input after 4 parameter bytes (cap, output room, input piece
/// sizes, a dictionary or none) fed through `Decoder::decode` in pieces, as its docs say.
/// Asserts that the output never passes the cap; that every call uses input or makes
/// output, or has no input left or ends its piece (so the documented loop ends, within a
/// bounded number of calls); that errors carry the codes the Decoder states
/// (ERR_CORRUPT_DATA, ERR_OUTPUT_TOO_LARGE, ERR_DICTIONARY_MISMATCH) and stay; that a stream
/// that decodes and finishes equals the one-shot `decompress_with` (when that succeeds) and
/// zstd's own decoder; and that the stream decodes what `decompress_with` decodes (within a
/// 128 MiB window: the Decoder checks windows of frames that declare their size too).
/// `frame_info` never panics, accepts what the one-shot decoder decodes, counts at least one
/// frame, and declares (when every frame does) the size decoded. Then the input round-trips
/// through `Encoder` (a level, checksum or not, a pledged size or not, pieces, a flush or a
/// finish mid-way) and the Decoder; and a pledge the input breaks is an error.
pub fn zstd_stream(data: &[u8]) {
    let mut input = Input::new(data);
    let (a, b, seed, flags) = (input.byte(), input.byte(), input.byte(), input.byte());
    let rest = input.rest();
    let room = ROOMS[b as usize % ROOMS.len()];
    let cap = CAPS[a as usize % CAPS.len()].min(room.saturating_mul(MAX_CALLS));
    let dict = (flags & 1 != 0).then(dictionary);

    let (streamed, out) = decode(rest, cap, dict, pieces(seed), room);
    let oneshot = decompress_with(rest, cap, dict);
    match &streamed {
        Ok(()) => {
            if let Ok(one) = &oneshot {
                assert!(out == *one, "stream and one-shot decode differently");
            }
            let reference = match dict {
                None => zstd::stream::decode_all(rest),
                Some(_) => zstd::stream::read::Decoder::with_dictionary(rest, dictionary_bytes()).and_then(|mut d| {
                    let mut v = Vec::new();
                    d.read_to_end(&mut v).map(|_| v)
                }),
            };
            match reference {
                Ok(r) => assert!(r == out, "stream and zstd differ"),
                // libzstd decodes block by block when a frame's header comes on its own, as
                // the Decoder hands it over, and whole frames in one call when it has them:
                // the first takes an RLE block of 0 bytes, the second calls it corrupt. Such
                // a frame declares 0 bytes and its checksum is that of no content; the
                // Decoder may take it, making nothing. Anything else zstd refuses, it must too.
                Err(e) => assert!(
                    out.is_empty() && frame_info(rest).is_ok_and(|i| i.content_size == Some(0)),
                    "the stream decoded what zstd refuses ({e})"
                ),
            }
        }
        Err(e) => assert!(
            matches!(e.kind(), Code::CorruptData | Code::OutputTooLarge | Code::DictionaryMismatch),
            "stream error {:?}: {e}",
            e.kind()
        ),
    }

    match frame_info(rest) {
        Ok(info) => {
            if let Ok(one) = &oneshot {
                if info.window_size <= 1 << 27 {
                    if let Err(e) = &streamed {
                        panic!("the stream refuses what decompress decodes: {e}");
                    }
                }
                assert!(info.frames >= 1, "{info:?}");
                if let Some(n) = info.content_size {
                    assert_eq!(n, one.len() as u64, "declared and decoded sizes differ: {info:?}");
                }
            }
        }
        Err(e) => {
            assert_eq!(e.kind(), Code::CorruptData, "frame_info error: {e}");
            assert!(oneshot.is_err(), "frame_info refuses what decompress decodes: {e}");
        }
    }

    // Round trip.
    let level = [-5, 1, 3, 9][a as usize % 4];
    let checksum = flags & 2 != 0;
    let mut enc = match dict {
        Some(d) => Encoder::with_dictionary(d, checksum),
        None => Encoder::new(level, checksum),
    }
    .expect("encoder");
    let mut packed = Vec::new();
    let middle = rest.len() / 2;
    // A pledged size: the whole input's, or the first frame's when a frame ends mid-way.
    let pledged = (flags & 16 != 0).then_some(if flags & 8 != 0 { middle } else { rest.len() });
    if let Some(n) = pledged {
        enc.pledge(n as u64).expect("pledge");
    }
    let mut at = 0;
    for n in pieces(seed.rotate_left(3)) {
        if at >= rest.len() {
            break;
        }
        let end = at.saturating_add(n).min(rest.len());
        if at <= middle && middle < end {
            enc.write(&rest[at..middle], &mut packed).expect("encode");
            if flags & 4 != 0 {
                enc.flush(&mut packed).expect("flush");
            }
            if flags & 8 != 0 {
                enc.finish(&mut packed).expect("finish a frame mid-way");
            }
            at = middle;
        }
        enc.write(&rest[at..end], &mut packed).expect("encode");
        at = end;
    }
    enc.finish(&mut packed).expect("finish");
    let cap = rest.len() + [0, 1, 1000][b as usize % 3];
    let room = room.max(rest.len() / MAX_CALLS + 1);
    let (result, out) = decode(&packed, cap, dict, pieces(seed.rotate_left(5)), room);
    if let Err(e) = result {
        panic!("the encoder's stream does not decode: {e}");
    }
    assert!(out == rest, "the round trip changes the data");
    if pledged.is_some() && flags & 8 == 0 {
        assert_eq!(frame_info(&packed).expect("frame info").content_size, Some(rest.len() as u64));
    }

    // A pledge the input breaks, by one byte more or less, is an error, never a frame.
    if flags & 32 != 0 {
        let mut enc = Encoder::new(1, false).expect("encoder");
        enc.pledge(rest.len() as u64 ^ 1).expect("pledge");
        let mut sink = Vec::new();
        let broken = enc.write(rest, &mut sink).and_then(|()| enc.finish(&mut sink));
        assert_eq!(broken.expect_err("a broken pledge").kind(), Code::InvalidArg);
    }
}

/// Feeds `input` through a Decoder in pieces of the sizes `pieces` gives, into `room` bytes
/// at a time. Returns how it ended and the output it made.
fn decode(
    input: &[u8],
    cap: usize,
    dict: Option<&Dictionary>,
    mut pieces: impl Iterator<Item = usize>,
    room: usize,
) -> (Result<(), Error>, Vec<u8>) {
    let mut d = Decoder::new(cap as u64, dict).expect("decoder");
    let mut out = Vec::new();
    let mut buf = vec![0u8; room];
    let mut rest = input;
    // Calls that neither used input nor made output: at most the last of each piece, and
    // the last at the end.
    let (mut idle, mut pieces_fed) = (0usize, 0usize);
    let mut run = |d: &mut Decoder, piece: &[u8], out: &mut Vec<u8>| -> Result<(usize, usize), Error> {
        let p = d.decode(piece, &mut buf)?;
        assert!(p.consumed <= piece.len() && p.produced <= room, "{p:?} of {} in, {room} out", piece.len());
        out.extend_from_slice(&buf[..p.produced]);
        assert!(out.len() <= cap, "{} bytes out with cap {cap}", out.len());
        assert_eq!(d.total_out(), out.len() as u64);
        Ok((p.consumed, p.produced))
    };
    // Whether the error, if any, came from `decode` (it stays) rather than `finish`.
    let mut in_decode = true;
    let result = (|| {
        while !rest.is_empty() {
            let n = pieces.next().unwrap().min(rest.len());
            let mut piece = &rest[..n];
            rest = &rest[n..];
            pieces_fed += 1;
            loop {
                let (used, made) = run(&mut d, piece, &mut out)?;
                if used == 0 && made == 0 {
                    assert!(piece.is_empty(), "decode made no progress with {} bytes in and {room} out", piece.len());
                    idle += 1;
                }
                piece = &piece[used..];
                if piece.is_empty() && made < room {
                    break;
                }
            }
        }
        loop {
            let (used, made) = run(&mut d, &[], &mut out)?;
            assert_eq!(used, 0);
            idle += usize::from(made == 0);
            if made < room {
                break;
            }
        }
        in_decode = false;
        d.finish()
    })();
    assert!(idle <= pieces_fed + 1, "{idle} calls without progress for {pieces_fed} pieces");
    if let Err(e) = &result {
        if in_decode {
            assert_eq!(d.decode(&[], &mut buf).as_ref().err(), Some(e), "the error stays");
        }
        assert_eq!(d.finish().as_ref().err(), Some(e), "finish says it again");
    } else {
        assert_eq!(d.total_in(), input.len() as u64);
    }
    (result, out)
}
