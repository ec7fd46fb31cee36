//! The raw (decompressed) payloads of record and checkpoint frames.
//!
//! A record frame's payload is a varint base time, then per record: its kind byte, its time
//! as a zigzag varint of milliseconds from the base, its length as a varint, and its bytes.
//! A checkpoint's payload is its time, its meta's length and bytes, its state's kind byte,
//! and the state's bytes to the end.

use crate::error::{Error, Result};

/// What a record's bytes are, so that a reader gets back what was appended.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RecordKind {
    /// UTF-8 text.
    Text,
    /// Bytes.
    Bytes,
    /// UTF-8 JSON text of a value.
    Json,
}

impl RecordKind {
    /// The kind's byte in the format.
    pub fn byte(self) -> u8 {
        match self {
            RecordKind::Text => 0,
            RecordKind::Bytes => 1,
            RecordKind::Json => 2,
        }
    }

    /// The kind of format byte `b`.
    pub fn from_byte(b: u8) -> Option<RecordKind> {
        match b {
            0 => Some(RecordKind::Text),
            1 => Some(RecordKind::Bytes),
            2 => Some(RecordKind::Json),
            _ => None,
        }
    }
}

/// A record in a decoded payload: its place in the payload's bytes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RecordRef {
    /// What its bytes are.
    pub kind: RecordKind,
    /// When it was appended, in milliseconds since the Unix epoch.
    pub time_ms: i64,
    /// Where its bytes start in the payload.
    pub start: usize,
    /// Where they end.
    pub end: usize,
}

/// Appends the payload of `records` (kind, time, bytes) to `out`.
pub fn encode_records<'a>(records: impl Iterator<Item = (RecordKind, i64, &'a [u8])> + Clone, out: &mut Vec<u8>) {
    let base = records.clone().next().map_or(0, |(_, t, _)| t);
    put_varint(out, zigzag(base));
    for (kind, time, bytes) in records {
        out.push(kind.byte());
        put_varint(out, zigzag(time.wrapping_sub(base)));
        put_varint(out, bytes.len() as u64);
        out.extend_from_slice(bytes);
    }
}

/// The raw length [`encode_records`] gives records of these lengths, at most.
pub fn records_len_bound(lens: impl Iterator<Item = usize>) -> usize {
    lens.map(|n| n + 1 + 10 + 10).sum::<usize>() + 10
}

/// Reads the `count` records of a payload, pushing each onto `out` with its offsets shifted
/// by `shift`. Errors name what is wrong; the caller adds where.
pub fn decode_records(payload: &[u8], count: u32, shift: usize, out: &mut Vec<RecordRef>) -> Result<()> {
    let mut r = Cursor { b: payload, at: 0 };
    let base = unzigzag(r.varint()?);
    for _ in 0..count {
        let kind = r.byte()?;
        let kind = RecordKind::from_byte(kind).ok_or_else(|| bad(format!("unknown record kind {kind}")))?;
        let time_ms = base.wrapping_add(unzigzag(r.varint()?));
        let len = r.varint()?;
        let start = r.at;
        let end = start
            .checked_add(usize::try_from(len).unwrap_or(usize::MAX))
            .filter(|&e| e <= payload.len())
            .ok_or_else(|| bad(format!("a record of {len} bytes runs past the payload's end")))?;
        r.at = end;
        out.push(RecordRef { kind, time_ms, start: start + shift, end: end + shift });
    }
    if r.at != payload.len() {
        return Err(bad(format!("{} bytes follow the frame's last record", payload.len() - r.at)));
    }
    Ok(())
}

/// A decoded checkpoint payload.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Checkpoint<'a> {
    /// When it was written, in milliseconds since the Unix epoch.
    pub time_ms: i64,
    /// The caller's meta, as UTF-8 JSON text (empty: none).
    pub meta: &'a [u8],
    /// What the state's bytes are.
    pub kind: RecordKind,
    /// The state's bytes.
    pub state: &'a [u8],
}

impl Checkpoint<'_> {
    /// Appends the checkpoint's payload to `out`.
    pub fn encode(&self, out: &mut Vec<u8>) {
        put_varint(out, zigzag(self.time_ms));
        put_varint(out, self.meta.len() as u64);
        out.extend_from_slice(self.meta);
        out.push(self.kind.byte());
        out.extend_from_slice(self.state);
    }

    /// Reads a checkpoint payload.
    pub fn decode(payload: &[u8]) -> Result<Checkpoint<'_>> {
        let mut r = Cursor { b: payload, at: 0 };
        let time_ms = unzigzag(r.varint()?);
        let meta_len = r.varint()?;
        let meta_end =
            r.at.checked_add(usize::try_from(meta_len).unwrap_or(usize::MAX))
                .filter(|&e| e < payload.len())
                .ok_or_else(|| bad(format!("a checkpoint meta of {meta_len} bytes runs past the payload's end")))?;
        let meta = &payload[r.at..meta_end];
        r.at = meta_end;
        let kind = r.byte()?;
        let kind = RecordKind::from_byte(kind).ok_or_else(|| bad(format!("unknown state kind {kind}")))?;
        Ok(Checkpoint { time_ms, meta, kind, state: &payload[r.at..] })
    }
}

fn bad(reason: String) -> Error {
    Error::CorruptLog { offset: 0, reason }
}

struct Cursor<'a> {
    b: &'a [u8],
    at: usize,
}

impl Cursor<'_> {
    fn byte(&mut self) -> Result<u8> {
        let b = *self.b.get(self.at).ok_or_else(|| bad("the payload ends inside a record header".into()))?;
        self.at += 1;
        Ok(b)
    }

    fn varint(&mut self) -> Result<u64> {
        let mut v = 0u64;
        for shift in (0..64).step_by(7) {
            let b = self.byte()?;
            v |= ((b & 0x7f) as u64) << shift;
            if b & 0x80 == 0 {
                return Ok(v);
            }
        }
        Err(bad("a varint in the payload is longer than 10 bytes".into()))
    }
}

fn put_varint(out: &mut Vec<u8>, mut v: u64) {
    while v >= 0x80 {
        out.push(v as u8 | 0x80);
        v >>= 7;
    }
    out.push(v as u8);
}

fn zigzag(v: i64) -> u64 {
    ((v << 1) ^ (v >> 63)) as u64
}

fn unzigzag(v: u64) -> i64 {
    (v >> 1) as i64 ^ -((v & 1) as i64)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn records_round_trip_with_times_in_any_order() {
        let recs: Vec<(RecordKind, i64, &[u8])> = vec![
            (RecordKind::Json, 1_700_000_000_123, b"{\"a\":1}"),
            (RecordKind::Text, 1_700_000_000_100, b""),
            (RecordKind::Bytes, i64::MAX, &[0u8, 255, 7]),
            (RecordKind::Text, -5, "h\u{e9}".as_bytes()),
        ];
        let mut payload = Vec::new();
        encode_records(recs.iter().copied(), &mut payload);
        assert!(payload.len() <= records_len_bound(recs.iter().map(|r| r.2.len())));
        let mut out = Vec::new();
        decode_records(&payload, recs.len() as u32, 5, &mut out).unwrap();
        for ((kind, time, bytes), r) in recs.iter().zip(&out) {
            assert_eq!((r.kind, r.time_ms), (*kind, *time));
            assert_eq!(&payload[r.start - 5..r.end - 5], *bytes);
        }
        // Too few records claimed leaves bytes over; too many runs out.
        assert!(decode_records(&payload, 3, 0, &mut Vec::new()).is_err());
        assert!(decode_records(&payload, 5, 0, &mut Vec::new()).is_err());
        for cut in 0..payload.len() {
            assert!(decode_records(&payload[..cut], 4, 0, &mut Vec::new()).is_err(), "cut at {cut}");
        }
    }

    #[test]
    fn checkpoints_round_trip() {
        let c = Checkpoint { time_ms: 12, meta: b"{\"turn\":3}", kind: RecordKind::Json, state: b"[1,2]" };
        let mut payload = Vec::new();
        c.encode(&mut payload);
        assert_eq!(Checkpoint::decode(&payload).unwrap(), c);
        let empty = Checkpoint { time_ms: 0, meta: b"", kind: RecordKind::Bytes, state: b"" };
        payload.clear();
        empty.encode(&mut payload);
        assert_eq!(Checkpoint::decode(&payload).unwrap(), empty);
        assert!(Checkpoint::decode(&payload[..payload.len() - 1]).is_err());
    }
}
