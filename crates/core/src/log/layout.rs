//! The bytes of a log file: its header, and each frame's header and trailer.
//!
//! Every integer is little-endian. Checksums are CRC-32 (IEEE), seeded with the file's salt,
//! so that a frame copied from another log, or left over from an earlier file at the same
//! path, never validates here. FORMAT.md at the repository root describes the same layout
//! for people; change both together.

use crate::error::{Error, Result};

/// The first 8 bytes of every log file. The high first byte keeps text tools from taking
/// the file for text, as PNG's does.
pub const FILE_MAGIC: [u8; 8] = *b"\x89ILOG\r\n\x1a";
/// The format version this crate writes and reads.
pub const VERSION: u32 = 1;
/// The size of the file header.
pub const FILE_HEADER_LEN: usize = 64;
/// The first 4 bytes of every frame.
pub const FRAME_MAGIC: [u8; 4] = *b"ILfr";
/// The size of a frame header.
pub const FRAME_HEADER_LEN: usize = 76;
/// The size of a frame trailer: the frame's length and its header's checksum again, so
/// that the last frame can be found from the end of the file.
pub const TRAILER_LEN: usize = 8;
/// Header and trailer: the bytes a frame costs beyond its payload.
pub const FRAME_OVERHEAD: usize = FRAME_HEADER_LEN + TRAILER_LEN;
/// The largest payload a frame holds, stored or raw: 1 GiB.
pub const MAX_PAYLOAD: usize = 1 << 30;

/// The header at the start of a log file.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct FileHeader {
    /// Seeds every checksum of the file; random for each file written.
    pub salt: u64,
    /// The sequence number of the first record the file holds (1 for a new log; past the
    /// checkpoint for a compacted one).
    pub base_seq: u64,
    /// When the file was written, in milliseconds since the Unix epoch.
    pub created_ms: u64,
}

impl FileHeader {
    /// The header's bytes.
    pub fn encode(&self) -> [u8; FILE_HEADER_LEN] {
        let mut b = [0u8; FILE_HEADER_LEN];
        b[0..8].copy_from_slice(&FILE_MAGIC);
        b[8..12].copy_from_slice(&VERSION.to_le_bytes());
        // 12..16: flags, none defined.
        b[16..24].copy_from_slice(&self.salt.to_le_bytes());
        b[24..32].copy_from_slice(&self.base_seq.to_le_bytes());
        b[32..40].copy_from_slice(&self.created_ms.to_le_bytes());
        let crc = salted_crc(0, &b[..60]);
        b[60..64].copy_from_slice(&crc.to_le_bytes());
        b
    }

    /// Reads a header, checking its magic, version and checksum.
    ///
    /// Errors: [`Error::CorruptLog`] at offset 0 for anything else.
    pub fn parse(b: &[u8]) -> Result<FileHeader> {
        let bad = |reason: String| Error::CorruptLog { offset: 0, reason };
        if b.len() < FILE_HEADER_LEN {
            return Err(bad(format!(
                "the file is {} bytes, shorter than a log's {FILE_HEADER_LEN}-byte header",
                b.len()
            )));
        }
        if b[0..8] != FILE_MAGIC {
            return Err(bad("the file does not start with the ironlung log magic; it is not a log".into()));
        }
        let version = u32le(b, 8);
        if version != VERSION {
            return Err(bad(format!("the log is format version {version}; this ironlung reads version {VERSION}")));
        }
        if salted_crc(0, &b[..60]) != u32le(b, 60) {
            return Err(bad("the file header's checksum does not match".into()));
        }
        if u32le(b, 12) != 0 {
            return Err(bad(format!(
                "the file header has flags {:#x}, which this ironlung does not know",
                u32le(b, 12)
            )));
        }
        Ok(FileHeader { salt: u64le(b, 16), base_seq: u64le(b, 24), created_ms: u64le(b, 32) })
    }
}

/// What a frame holds.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FrameKind {
    /// `count` records, seqs `first_seq..first_seq + count`.
    Records,
    /// A zstd dictionary that the record and checkpoint frames after it are compressed with.
    Dictionary,
    /// A checkpoint covering every record before `first_seq`.
    Checkpoint,
}

impl FrameKind {
    /// The kind's byte in a frame header.
    pub fn byte(self) -> u8 {
        match self {
            FrameKind::Records => 1,
            FrameKind::Dictionary => 2,
            FrameKind::Checkpoint => 3,
        }
    }

    fn from_byte(b: u8) -> Option<FrameKind> {
        match b {
            1 => Some(FrameKind::Records),
            2 => Some(FrameKind::Dictionary),
            3 => Some(FrameKind::Checkpoint),
            _ => None,
        }
    }
}

/// The payload is a zstd frame.
pub const FLAG_ZSTD: u8 = 1;
/// ... compressed with the log's dictionary.
pub const FLAG_DICTIONARY: u8 = 2;
/// The highest level a records frame's [`packed`](FrameHeader::packed) mark names: zstd's.
pub const MAX_PACKED_LEVEL: u8 = 22;

/// A frame's header: what the frame holds, and the log's running totals through it, so that
/// the last frame alone tells an opening reader everything it needs.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct FrameHeader {
    /// What the payload holds.
    pub kind: FrameKind,
    /// [`FLAG_ZSTD`], [`FLAG_DICTIONARY`].
    pub flags: u8,
    /// For a records frame a repack wrote (`log/pack.rs`), the zstd level it compressed it
    /// at, from 1 (lower levels too) to [`MAX_PACKED_LEVEL`]; 0 for every other frame. A
    /// later repack at this level or lower keeps such a frame as it is.
    pub packed: u8,
    /// The frame's own offset in the file.
    pub offset: u64,
    /// The seq of its first record; for other kinds, the next seq when it was written.
    pub first_seq: u64,
    /// Its records (0 for other kinds).
    pub count: u32,
    /// The payload's size as stored.
    pub stored_len: u32,
    /// The payload's size decompressed.
    pub raw_len: u32,
    /// The stored payload's checksum.
    pub payload_crc: u32,
    /// The raw bytes of the records of the file, through this frame.
    pub raw_total: u64,
    /// The frames of the file, through this one.
    pub frames: u64,
    /// The offset of the newest checkpoint frame through this one, 0 for none.
    pub checkpoint_at: u64,
    /// The offset of the dictionary frame, if written by this one, 0 for none.
    pub dictionary_at: u64,
}

impl FrameHeader {
    /// The seq after this frame's records.
    pub fn next_seq(&self) -> u64 {
        self.first_seq + self.count as u64
    }

    /// The frame's whole length: header, payload, trailer.
    pub fn frame_len(&self) -> u64 {
        FRAME_OVERHEAD as u64 + self.stored_len as u64
    }

    /// The offset just past the frame.
    pub fn end(&self) -> u64 {
        self.offset + self.frame_len()
    }

    /// The header's bytes, with its checksum seeded by `salt`.
    pub fn encode(&self, salt: u64) -> [u8; FRAME_HEADER_LEN] {
        let mut b = [0u8; FRAME_HEADER_LEN];
        b[0..4].copy_from_slice(&FRAME_MAGIC);
        b[4] = self.kind.byte();
        b[5] = self.flags;
        b[6] = self.packed;
        // 7: reserved, zero.
        b[8..16].copy_from_slice(&self.offset.to_le_bytes());
        b[16..24].copy_from_slice(&self.first_seq.to_le_bytes());
        b[24..28].copy_from_slice(&self.count.to_le_bytes());
        b[28..32].copy_from_slice(&self.stored_len.to_le_bytes());
        b[32..36].copy_from_slice(&self.raw_len.to_le_bytes());
        b[36..40].copy_from_slice(&self.payload_crc.to_le_bytes());
        b[40..48].copy_from_slice(&self.raw_total.to_le_bytes());
        b[48..56].copy_from_slice(&self.frames.to_le_bytes());
        b[56..64].copy_from_slice(&self.checkpoint_at.to_le_bytes());
        b[64..72].copy_from_slice(&self.dictionary_at.to_le_bytes());
        let crc = salted_crc(salt, &b[..72]);
        b[72..76].copy_from_slice(&crc.to_le_bytes());
        b
    }

    /// Reads the header at the start of `b`, which was found at file offset `offset`.
    /// `None` unless it is whole, its checksum matches, and it is where it says it is.
    pub fn parse(b: &[u8], salt: u64, offset: u64) -> Option<FrameHeader> {
        if b.len() < FRAME_HEADER_LEN || b[0..4] != FRAME_MAGIC {
            return None;
        }
        if salted_crc(salt, &b[..72]) != u32le(b, 72) || b[7] != 0 {
            return None;
        }
        let h = FrameHeader {
            kind: FrameKind::from_byte(b[4])?,
            flags: b[5],
            packed: b[6],
            offset: u64le(b, 8),
            first_seq: u64le(b, 16),
            count: u32le(b, 24),
            stored_len: u32le(b, 28),
            raw_len: u32le(b, 32),
            payload_crc: u32le(b, 36),
            raw_total: u64le(b, 40),
            frames: u64le(b, 48),
            checkpoint_at: u64le(b, 56),
            dictionary_at: u64le(b, 64),
        };
        let sane = h.offset == offset
            && h.flags & !(FLAG_ZSTD | FLAG_DICTIONARY) == 0
            && h.packed <= MAX_PACKED_LEVEL
            && (h.packed == 0 || h.kind == FrameKind::Records)
            && h.stored_len as usize <= MAX_PAYLOAD
            && h.raw_len as usize <= MAX_PAYLOAD
            && (h.kind == FrameKind::Records) == (h.count > 0);
        sane.then_some(h)
    }

    /// The trailer that ends the frame.
    pub fn trailer(&self, header: &[u8; FRAME_HEADER_LEN]) -> [u8; TRAILER_LEN] {
        let mut t = [0u8; TRAILER_LEN];
        t[0..4].copy_from_slice(&(self.frame_len() as u32).to_le_bytes());
        t[4..8].copy_from_slice(&header[72..76]);
        t
    }
}

/// Reads a trailer: the frame length it records, and the header checksum it repeats.
pub fn parse_trailer(t: &[u8]) -> (u64, u32) {
    (u32le(t, 0) as u64, u32le(t, 4))
}

/// The header checksum stored in header bytes `b`.
pub fn header_crc(b: &[u8]) -> u32 {
    u32le(b, 72)
}

/// CRC-32 (IEEE) of `bytes`, seeded with `salt` (as the CRC of bytes before them).
#[cfg(not(target_family = "wasm"))]
pub fn salted_crc(salt: u64, bytes: &[u8]) -> u32 {
    let mut h = crc32fast::Hasher::new_with_initial(seed(salt));
    h.update(bytes);
    h.finalize()
}

/// CRC-32 (IEEE) of `bytes`, seeded with `salt` (as the CRC of bytes before them).
#[cfg(target_family = "wasm")]
pub fn salted_crc(salt: u64, bytes: &[u8]) -> u32 {
    one_table_crc(salt, bytes)
}

/// `salted_crc` by crc's one-table CRC: the wasm build's, and the native tests' check of it.
#[cfg(any(target_family = "wasm", test))]
fn one_table_crc(salt: u64, bytes: &[u8]) -> u32 {
    static IEEE: crc::Crc<u32, crc::Table<1>> = crc::Crc::<u32, crc::Table<1>>::new(&crc::CRC_32_ISO_HDLC);
    // crc applies the algorithm's input reflection to a custom initial value, and takes it
    // before the final xor: the seed, inverted and reflected, continues a finished CRC.
    let mut d = IEEE.digest_with_initial((!seed(salt)).reverse_bits());
    d.update(bytes);
    d.finalize()
}

fn seed(salt: u64) -> u32 {
    (salt as u32) ^ ((salt >> 32) as u32)
}

fn u32le(b: &[u8], at: usize) -> u32 {
    u32::from_le_bytes(b[at..at + 4].try_into().expect("4 bytes"))
}

fn u64le(b: &[u8], at: usize) -> u64 {
    u64::from_le_bytes(b[at..at + 8].try_into().expect("8 bytes"))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The wasm build's CRC (crc's one-table) gives what the native one (crc32fast) gives.
    #[test]
    fn both_crcs_agree() {
        let data: Vec<u8> = (0..5000u32).map(|i| (i.wrapping_mul(2_654_435_761) >> 13) as u8).collect();
        for salt in [0, 1, 0xdead_beef_0000_0001, u64::MAX] {
            for len in [0, 1, 7, 64, 4999] {
                assert_eq!(
                    one_table_crc(salt, &data[..len]),
                    salted_crc(salt, &data[..len]),
                    "salt {salt:#x}, {len} bytes"
                );
            }
        }
        assert_eq!(salted_crc(0, b"123456789"), 0xcbf4_3926);
    }

    fn header() -> FrameHeader {
        FrameHeader {
            kind: FrameKind::Records,
            flags: FLAG_ZSTD,
            packed: 0,
            offset: 64,
            first_seq: 1,
            count: 3,
            stored_len: 10,
            raw_len: 30,
            payload_crc: 7,
            raw_total: 30,
            frames: 1,
            checkpoint_at: 0,
            dictionary_at: 0,
        }
    }

    #[test]
    fn file_header_round_trips_and_rejects_every_flipped_bit() {
        let h = FileHeader { salt: 0x1234_5678_9abc_def0, base_seq: 42, created_ms: 1_700_000_000_000 };
        let b = h.encode();
        assert_eq!(FileHeader::parse(&b), Ok(h));
        for bit in 0..FILE_HEADER_LEN * 8 {
            let mut c = b;
            c[bit / 8] ^= 1 << (bit % 8);
            assert!(FileHeader::parse(&c).is_err(), "bit {bit}");
        }
        assert!(FileHeader::parse(&b[..63]).is_err());
    }

    #[test]
    fn frame_header_round_trips_and_rejects_every_flipped_bit() {
        let h = header();
        let b = h.encode(99);
        assert_eq!(FrameHeader::parse(&b, 99, 64), Some(h));
        assert_eq!(FrameHeader::parse(&b, 98, 64), None, "another salt");
        assert_eq!(FrameHeader::parse(&b, 99, 65), None, "another place");
        for bit in 0..FRAME_HEADER_LEN * 8 {
            let mut c = b;
            c[bit / 8] ^= 1 << (bit % 8);
            assert_eq!(FrameHeader::parse(&c, 99, 64), None, "bit {bit}");
        }
        let (len, crc) = parse_trailer(&h.trailer(&b));
        assert_eq!((len, crc), (h.frame_len(), header_crc(&b)));
    }

    #[test]
    fn only_records_frames_carry_a_packed_level_and_only_up_to_22() {
        let mut h = header();
        for level in [1, 9, MAX_PACKED_LEVEL] {
            h.packed = level;
            assert_eq!(FrameHeader::parse(&h.encode(99), 99, 64), Some(h), "level {level}");
        }
        h.packed = MAX_PACKED_LEVEL + 1;
        assert_eq!(FrameHeader::parse(&h.encode(99), 99, 64), None, "a level past zstd's");
        h.packed = 9;
        h.kind = FrameKind::Checkpoint;
        h.count = 0;
        assert_eq!(FrameHeader::parse(&h.encode(99), 99, 64), None, "a checkpoint marked packed");
    }
}
