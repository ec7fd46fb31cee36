//! Finding frames in a file's bytes: forward, one after another, as a reader replays; back
//! from the end, as an opening writer finds where the log really ends; and past damage.
//!
//! Each function looks at a window of the file (`window` holds the file's bytes from
//! `window_at`) and says what it found or which bytes it needs, so that the caller does the
//! reading, with whatever I/O its host has.

use super::layout::{
    header_crc, parse_trailer, salted_crc, FrameHeader, FILE_HEADER_LEN, FRAME_HEADER_LEN, FRAME_MAGIC, TRAILER_LEN,
};

/// What is at a place in the file.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Found {
    /// A whole frame whose header, payload checksum and trailer all match.
    Frame(FrameHeader),
    /// The window ends before the frame starting here could be checked: `need` is the file
    /// offset up to which bytes are needed.
    Short {
        /// The offset up to which the window must reach.
        need: u64,
    },
    /// No valid frame starts here.
    Damaged,
}

/// The frame at file offset `at`, which lies in the window.
pub fn frame_at(window: &[u8], window_at: u64, at: u64, salt: u64) -> Found {
    let start = (at - window_at) as usize;
    let rest = &window[start..];
    if rest.len() < FRAME_HEADER_LEN {
        // A prefix of a header can only be checked for its magic.
        let n = rest.len().min(FRAME_MAGIC.len());
        return if rest[..n] == FRAME_MAGIC[..n] {
            Found::Short { need: at + FRAME_HEADER_LEN as u64 }
        } else {
            Found::Damaged
        };
    }
    let Some(h) = FrameHeader::parse(rest, salt, at) else {
        return Found::Damaged;
    };
    let len = h.frame_len() as usize;
    if rest.len() < len {
        return Found::Short { need: h.end() };
    }
    let payload = &rest[FRAME_HEADER_LEN..len - TRAILER_LEN];
    let (trailer_len, trailer_crc) = parse_trailer(&rest[len - TRAILER_LEN..len]);
    if salted_crc(salt, payload) != h.payload_crc || trailer_len != len as u64 || trailer_crc != header_crc(rest) {
        return Found::Damaged;
    }
    Found::Frame(h)
}

/// The first valid frame starting at or after `from` in the window: where a reader resumes
/// after damage. Returns the offset of what it found: a frame, `Short` for a frame that
/// starts there but runs past the window (read from there to tell), or `Damaged` (at the
/// window's end) if the window holds none.
pub fn next_valid(window: &[u8], window_at: u64, from: u64, salt: u64) -> (u64, Found) {
    let start = (from.max(window_at) - window_at) as usize;
    let window_end = window_at + window.len() as u64;
    let Some(search) = window.get(start..) else {
        return (window_end, Found::Damaged);
    };
    for i in magics(search) {
        let at = window_at + (start + i) as u64;
        match frame_at(window, window_at, at, salt) {
            Found::Damaged => continue,
            found => return (at, found),
        }
    }
    // A magic cut by the window's end may still start a frame.
    let tail = search.len().saturating_sub(FRAME_MAGIC.len() - 1);
    for i in tail..search.len() {
        if FRAME_MAGIC.starts_with(&search[i..]) {
            let at = window_at + (start + i) as u64;
            return (at, Found::Short { need: at + FRAME_HEADER_LEN as u64 });
        }
    }
    (window_end, Found::Damaged)
}

/// The offsets of the frame magic in `b`, first to last: memchr on its first byte, which is
/// all a search that runs only over damage needs (memmem's searchers are more wasm code).
/// `.rev()` gives them last to first.
pub(crate) fn magics(b: &[u8]) -> impl DoubleEndedIterator<Item = usize> + '_ {
    memchr::memchr_iter(FRAME_MAGIC[0], b).filter(move |&i| b[i..].starts_with(&FRAME_MAGIC))
}

/// Where a log really ends, found from the end of its file.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Last {
    /// The last whole, valid frame. Bytes after it, if any, are a torn write.
    Frame(FrameHeader),
    /// No valid frame in the file: the log ends after its header.
    None,
    /// The window must start at `from` (earlier) to tell.
    Read {
        /// The file offset the window must start at.
        from: u64,
    },
}

/// Finds the last valid frame of a file `file_len` bytes long, from a window holding the
/// file's bytes from `window_at` to its end.
///
/// The trailer at the very end gives the last frame's length, so that an intact log is read
/// one frame from its end. After a torn write, the window is searched backwards for the
/// last frame that is whole and valid; if it holds none, the caller reads a window twice as
/// large, until the file's header.
pub fn last_frame(window: &[u8], window_at: u64, file_len: u64, salt: u64) -> Last {
    // A window that stops short (a reader's file cut since its length was read) holds the
    // file as it is now: its end, not `file_len`, is where the last frame may end.
    let file_len = file_len.min(window_at + window.len() as u64);
    let first = FILE_HEADER_LEN as u64;
    if file_len <= first {
        return Last::None;
    }
    if window.len() >= TRAILER_LEN {
        let (len, _) = parse_trailer(&window[window.len() - TRAILER_LEN..]);
        if let Some(start) = file_len.checked_sub(len).filter(|&s| s >= first && len >= 84) {
            if start < window_at {
                return Last::Read { from: start };
            }
            // The trailer may be bytes of a torn write that happen to point at a valid
            // frame: only one ending right here is the last.
            match frame_at(window, window_at, start, salt) {
                Found::Frame(h) if h.end() == file_len => return Last::Frame(h),
                _ => {}
            }
        }
    }
    for i in magics(window).rev() {
        let at = window_at + i as u64;
        if at >= first {
            if let Found::Frame(h) = frame_at(window, window_at, at, salt) {
                return Last::Frame(h);
            }
        }
    }
    if window_at <= first {
        Last::None
    } else {
        let size = (file_len - window_at).max(1 << 16) * 2;
        Last::Read { from: file_len.saturating_sub(size).max(first) }
    }
}
