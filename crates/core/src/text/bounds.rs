//! The rules of a bounded file read, apart from the reading: which files may be read, how
//! many bytes to read at most, and what the bytes read prove.
//!
//! [`read_file_bounded`](super::read_file_bounded) applies them with `std::fs`. A host that
//! reads files by other means (the wasm backend, through the JS runtime's file API) asks the
//! same functions, so both readers refuse the same files with the same errors.

use crate::error::{Error, FileKind, Measured, Result, Subject};

/// The most bytes read from one file, whatever `max_bytes` says: 2 GiB − 1. A larger file
/// holds more text than a JS string can (V8: 2^29 − 24 UTF-16 units), and more than a wasm32
/// instance holds twice over (the bytes and the decoded text).
pub const MAX_READ_BYTES: usize = (1 << 31) - 1;

/// What the file system says a path is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FileType {
    /// A regular file: the only kind read.
    File,
    /// A directory.
    Directory,
    /// A FIFO, a device, a socket.
    Special(FileKind),
}

/// Refuses a path holding a NUL byte, which no system call takes.
pub fn check_path(path: &str) -> Result<()> {
    if path.contains('\0') {
        return Err(Error::NulInPath { path: path.replace('\0', "\\x00") });
    }
    Ok(())
}

/// The cap of a read of `path`, which the opened file's `fstat` says is of type `file_type`
/// and `size` bytes: read at most `cap + 1` bytes, then hand the count to [`check_read`].
/// Only regular files are read, and one whose size is already over the cap is refused here.
pub fn read_cap(path: &str, file_type: FileType, size: u64, max_bytes: usize) -> Result<usize> {
    match file_type {
        // Node opens directories fine and fails on the read; keep its wording.
        FileType::Directory => {
            return Err(Error::Os {
                name: "EISDIR",
                description: "illegal operation on a directory".into(),
                syscall: "read",
                path: path.into(),
            })
        }
        FileType::Special(kind) => return Err(Error::NotRegularFile { path: path.into(), kind }),
        FileType::File => {}
    }
    if size > MAX_READ_BYTES as u64 && max_bytes > MAX_READ_BYTES {
        return Err(Error::OverReadLimit { path: path.into(), size });
    }
    let cap = max_bytes.min(MAX_READ_BYTES);
    if size > cap as u64 {
        return Err(Error::TooLarge {
            subject: Subject::File(path.into()),
            size,
            max_bytes: cap,
            measured: Measured::Stat,
        });
    }
    Ok(cap)
}

/// Checks that the `len` bytes a capped read of `path` returned are within `cap` (a file may
/// grow between `fstat` and the read, or report no size at all, as `/proc` files do).
pub fn check_read(path: &str, len: usize, cap: usize) -> Result<()> {
    if len <= cap {
        Ok(())
    } else if cap == MAX_READ_BYTES {
        Err(Error::OverReadLimit { path: path.into(), size: len as u64 })
    } else {
        Err(Error::TooLarge {
            subject: Subject::File(path.into()),
            size: len as u64,
            max_bytes: cap,
            measured: Measured::Read,
        })
    }
}

/// The error to report for an open of `path` that failed with errno `name`, given what a
/// `stat` of the path says it is (`None` if that failed too), or `None` to report the open's
/// own error. Opening a Unix socket fails with `ENXIO`: what the caller needs to know is
/// that it is not a regular file.
pub fn open_failed(path: &str, name: &str, file_type: Option<FileType>) -> Option<Error> {
    match (name, file_type) {
        ("ENXIO", Some(FileType::Special(kind))) => Some(Error::NotRegularFile { path: path.into(), kind }),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::Code;

    #[test]
    fn only_regular_files_within_the_cap_are_read() {
        assert_eq!(read_cap("/f", FileType::File, 10, 10), Ok(10));
        assert_eq!(
            read_cap("/f", FileType::File, 11, 10).map_err(|e| e.to_string()),
            Err("'/f' is 11 bytes, larger than max_bytes 10".into())
        );
        assert_eq!(read_cap("/d", FileType::Directory, 0, 10).map_err(|e| e.code()), Err("EISDIR"));
        let fifo = read_cap("/p", FileType::Special(FileKind::Fifo), 0, 10).expect_err("fifo");
        assert_eq!(fifo.kind(), Code::NotRegularFile);
        assert_eq!(fifo.to_string(), "'/p' is not a regular file (it is a FIFO); ironlung only reads regular files");
    }

    #[test]
    fn no_read_passes_the_hard_limit() {
        assert_eq!(read_cap("/f", FileType::File, 0, usize::MAX), Ok(MAX_READ_BYTES));
        let huge = read_cap("/f", FileType::File, 1 << 32, usize::MAX).expect_err("over 2 GiB");
        assert!(matches!(huge, Error::OverReadLimit { size, .. } if size == 1 << 32));
        assert!(matches!(check_read("/f", MAX_READ_BYTES + 1, MAX_READ_BYTES), Err(Error::OverReadLimit { .. })));
    }

    #[test]
    fn a_read_past_the_cap_is_too_large() {
        assert_eq!(check_read("/f", 10, 10), Ok(()));
        let err = check_read("/f", 11, 10).expect_err("grew");
        assert_eq!(err.to_string(), "'/f' is larger than max_bytes 10 (read 11 bytes)");
    }

    #[test]
    fn nul_in_a_path_is_an_invalid_argument() {
        let err = check_path("/a\0b").expect_err("nul");
        assert_eq!(err.kind(), Code::InvalidArg);
        assert_eq!(err.to_string(), "path must not contain NUL bytes; received '/a\\x00b'");
        assert_eq!(check_path("/ab"), Ok(()));
    }

    #[test]
    fn a_socket_that_fails_to_open_is_not_a_regular_file() {
        let sock = Some(FileType::Special(FileKind::Socket));
        assert!(matches!(open_failed("/s", "ENXIO", sock), Some(Error::NotRegularFile { .. })));
        assert_eq!(open_failed("/s", "ENOENT", None), None);
        assert_eq!(open_failed("/s", "ENXIO", Some(FileType::File)), None);
    }
}
