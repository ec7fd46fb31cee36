//! Reading a whole file into memory without ever reading more than the caller allows.
//!
//! Sizes reported by the file system are only a hint: files grow between `fstat` and `read`,
//! and `/proc`-style files report 0. So the read itself is capped at `max_bytes + 1` bytes; the
//! extra byte is what proves a file was too large.

use std::fs::{File, OpenOptions};
use std::io::{self, Read};
use std::path::Path;

use super::bounds::{self, FileType};
use crate::error::{Error, FileKind, Result};

/// Reads the regular file at `path`, refusing anything larger than `max_bytes` (and than
/// [`MAX_READ_BYTES`](super::MAX_READ_BYTES)), by the rules of [`read_cap`](super::read_cap)
/// and [`check_read`](super::check_read).
///
/// The file is opened non-blocking (on Unix) so that a FIFO cannot stall the open, and its type
/// is checked on the opened descriptor, so it cannot be swapped between check and read.
///
/// Errors:
/// - [`Error::NulInPath`] if `path` contains a NUL byte;
/// - [`Error::Os`] with Node's name and wording for open/read failures, e.g.
///   `ENOENT: no such file or directory, open '/no/such'`, and `EISDIR` for a directory;
/// - [`Error::NotRegularFile`] for FIFOs, devices and sockets;
/// - [`Error::TooLarge`] if the file is, or grows to, more than `max_bytes` bytes. At most
///   `max_bytes + 1` bytes are ever read.
pub fn read_file_bounded(path: &Path, max_bytes: usize) -> Result<Vec<u8>> {
    let shown = path.display().to_string();
    bounds::check_path(&shown)?;
    let file = open_read_only(path).map_err(|err| open_error(&err, path, &shown))?;
    let meta = file.metadata().map_err(|err| os_error(&err, "fstat", path))?;
    let cap = bounds::read_cap(&shown, file_type(meta.file_type()), meta.len(), max_bytes)?;
    // The size is at most the cap, so it fits in usize.
    let hint = usize::try_from(meta.len()).unwrap_or(0);
    let bytes = read_capped(&file, cap, hint).map_err(|err| os_error(&err, "read", path))?;
    bounds::check_read(&shown, bytes.len(), cap)?;
    Ok(bytes)
}

/// An open that failed, as [`bounds::open_failed`] reports it.
pub(crate) fn open_error(err: &io::Error, path: &Path, shown: &str) -> Error {
    let os = os_error(err, "open", path);
    let stat = || std::fs::metadata(path).ok().map(|m| file_type(m.file_type()));
    bounds::open_failed(shown, os.code(), stat()).unwrap_or(os)
}

pub(crate) fn file_type(t: std::fs::FileType) -> FileType {
    if t.is_file() {
        FileType::File
    } else if t.is_dir() {
        FileType::Directory
    } else {
        FileType::Special(special_kind(t))
    }
}

#[cfg(unix)]
fn open_read_only(path: &Path) -> io::Result<File> {
    use std::os::unix::fs::OpenOptionsExt;
    // Without O_NONBLOCK, opening a FIFO for reading waits for a writer, possibly forever. The
    // flag does not affect reads from regular files, the only kind read here.
    OpenOptions::new().read(true).custom_flags(libc::O_NONBLOCK).open(path)
}

#[cfg(not(unix))]
fn open_read_only(path: &Path) -> io::Result<File> {
    OpenOptions::new().read(true).open(path)
}

#[cfg(unix)]
fn special_kind(t: std::fs::FileType) -> FileKind {
    use std::os::unix::fs::FileTypeExt;
    if t.is_fifo() {
        FileKind::Fifo
    } else if t.is_char_device() {
        FileKind::CharDevice
    } else if t.is_block_device() {
        FileKind::BlockDevice
    } else if t.is_socket() {
        FileKind::Socket
    } else {
        FileKind::Other
    }
}

#[cfg(not(unix))]
fn special_kind(_t: std::fs::FileType) -> FileKind {
    FileKind::Other
}

/// Reads `reader` to its end or until `max_bytes + 1` bytes, whichever comes first.
///
/// `hint` is the expected length; reserving it up front avoids regrowing for files whose size
/// is accurate.
fn read_capped(reader: impl Read, max_bytes: usize, hint: usize) -> io::Result<Vec<u8>> {
    let limit = (max_bytes as u64).saturating_add(1);
    let mut buf = Vec::new();
    buf.try_reserve_exact(hint).map_err(|_| io::Error::from(io::ErrorKind::OutOfMemory))?;
    // read_to_end retries reads that fail with EINTR.
    reader.take(limit).read_to_end(&mut buf)?;
    Ok(buf)
}

/// Converts an I/O error into an [`Error`] named and worded as Node does, e.g.
/// `ENOENT: no such file or directory, open '/no/such'`. Errors without a known name become
/// `EUNKNOWN` carrying the I/O error's own text.
pub(crate) fn os_error(err: &io::Error, syscall: &'static str, path: &Path) -> Error {
    let (name, description) = match errno_entry(err).or_else(|| kind_entry(err.kind())) {
        Some((name, description)) => (name, description.to_string()),
        None => ("EUNKNOWN", err.to_string()),
    };
    Error::Os { name, description, syscall, path: path.display().to_string() }
}

/// Node's (libuv's) name and description for the errno behind `err`.
#[cfg(unix)]
fn errno_entry(err: &io::Error) -> Option<(&'static str, &'static str)> {
    let entry = match err.raw_os_error()? {
        libc::ENOENT => ("ENOENT", "no such file or directory"),
        libc::EACCES => ("EACCES", "permission denied"),
        libc::EISDIR => ("EISDIR", "illegal operation on a directory"),
        libc::ENOTDIR => ("ENOTDIR", "not a directory"),
        libc::ELOOP => ("ELOOP", "too many symbolic links encountered"),
        libc::ENAMETOOLONG => ("ENAMETOOLONG", "name too long"),
        libc::EMFILE => ("EMFILE", "too many open files"),
        libc::ENFILE => ("ENFILE", "file table overflow"),
        libc::EPERM => ("EPERM", "operation not permitted"),
        libc::EIO => ("EIO", "i/o error"),
        libc::ENXIO => ("ENXIO", "no such device or address"),
        libc::EBUSY => ("EBUSY", "resource busy or locked"),
        libc::ENOMEM => ("ENOMEM", "not enough memory"),
        libc::EINVAL => ("EINVAL", "invalid argument"),
        libc::EAGAIN => ("EAGAIN", "resource temporarily unavailable"),
        libc::EFBIG => ("EFBIG", "file too large"),
        libc::EOVERFLOW => ("EOVERFLOW", "value too large for defined data type"),
        // What a log's writes and renames meet.
        libc::ENOSPC => ("ENOSPC", "no space left on device"),
        libc::EDQUOT => ("EDQUOT", "disk quota exceeded"),
        libc::EROFS => ("EROFS", "read-only file system"),
        libc::EEXIST => ("EEXIST", "file already exists"),
        libc::EXDEV => ("EXDEV", "cross-device link not permitted"),
        libc::ENOTEMPTY => ("ENOTEMPTY", "directory not empty"),
        libc::EBADF => ("EBADF", "bad file descriptor"),
        _ => return None,
    };
    Some(entry)
}

#[cfg(not(unix))]
fn errno_entry(_err: &io::Error) -> Option<(&'static str, &'static str)> {
    None
}

/// A fallback for errors that carry no errno (raised by std itself, or on non-Unix targets).
fn kind_entry(kind: io::ErrorKind) -> Option<(&'static str, &'static str)> {
    match kind {
        io::ErrorKind::NotFound => Some(("ENOENT", "no such file or directory")),
        io::ErrorKind::PermissionDenied => Some(("EACCES", "permission denied")),
        io::ErrorKind::OutOfMemory => Some(("ENOMEM", "not enough memory")),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::Code;

    /// The error as a binding shows it: its code, then its message.
    fn coded(err: &Error) -> String {
        format!("{}: {err}", err.code())
    }
    use crate::text::{decode_text, text_from_bytes, SourceEncoding};
    use std::path::PathBuf;
    use std::sync::atomic::{AtomicUsize, Ordering};

    /// A path in the temp directory, unique to this process and call, removed on drop.
    struct TempPath(PathBuf);

    impl TempPath {
        fn new(name: &str) -> Self {
            static COUNTER: AtomicUsize = AtomicUsize::new(0);
            let n = COUNTER.fetch_add(1, Ordering::Relaxed);
            TempPath(std::env::temp_dir().join(format!("ironlung-read-test-{}-{n}-{name}", std::process::id())))
        }

        fn with_contents(name: &str, contents: &[u8]) -> Self {
            let path = TempPath::new(name);
            std::fs::write(&path.0, contents).expect("write temp file");
            path
        }
    }

    impl Drop for TempPath {
        fn drop(&mut self) {
            let _ = std::fs::remove_file(&self.0);
            let _ = std::fs::remove_dir(&self.0);
        }
    }

    fn read_err(path: &Path, max_bytes: usize) -> Error {
        read_file_bounded(path, max_bytes).expect_err("read must fail")
    }

    #[test]
    fn missing_file_is_enoent() {
        let missing = TempPath::new("missing");
        let err = read_err(&missing.0, 100);
        assert_eq!(err.code(), "ENOENT");
        // Display is "CODE: message", which is exactly Node's wording.
        assert_eq!(coded(&err), format!("ENOENT: no such file or directory, open '{}'", missing.0.display()));
    }

    #[cfg(unix)]
    #[test]
    fn file_used_as_directory_is_enotdir() {
        let file = TempPath::with_contents("plain", b"x");
        let err = read_err(&file.0.join("child"), 100);
        assert_eq!(err.code(), "ENOTDIR");
        assert!(coded(&err).starts_with("ENOTDIR: not a directory, open '"));
    }

    #[cfg(unix)]
    #[test]
    fn directory_is_eisdir() {
        let dir = TempPath::new("dir");
        std::fs::create_dir(&dir.0).expect("mkdir");
        let err = read_err(&dir.0, 100);
        assert_eq!(err.kind(), Code::Os("EISDIR"));
        assert_eq!(coded(&err), format!("EISDIR: illegal operation on a directory, read '{}'", dir.0.display()));
    }

    #[test]
    fn nul_in_path_is_invalid_arg() {
        let err = read_err(Path::new("/tmp/a\0b"), 100);
        assert_eq!(err.kind(), Code::InvalidArg);
        assert_eq!(coded(&err), "ERR_INVALID_ARG: path must not contain NUL bytes; received '/tmp/a\\x00b'");
    }

    #[test]
    fn exact_limit_reads_and_one_more_byte_is_too_large() {
        let file = TempPath::with_contents("ten", b"0123456789");
        assert_eq!(read_file_bounded(&file.0, 10).expect("at limit"), b"0123456789");
        let err = read_err(&file.0, 9);
        assert_eq!(err.kind(), Code::FileTooLarge);
        assert_eq!(
            coded(&err),
            format!("ERR_FILE_TOO_LARGE: '{}' is 10 bytes, larger than max_bytes 9", file.0.display())
        );
        let empty = TempPath::with_contents("empty", b"");
        assert_eq!(read_file_bounded(&empty.0, 0).expect("empty"), b"");
    }

    #[test]
    fn large_size_is_refused_from_metadata() {
        let file = TempPath::new("sparse");
        let handle = File::create(&file.0).expect("create");
        handle.set_len(5_000_000).expect("set_len");
        let err = read_err(&file.0, 1_048_576);
        assert_eq!(
            coded(&err),
            format!("ERR_FILE_TOO_LARGE: '{}' is 5000000 bytes, larger than max_bytes 1048576", file.0.display())
        );
    }

    /// Hands out an endless stream of `b'x'`, counting what it gave.
    struct Endless {
        given: usize,
        interrupt_first: bool,
    }

    impl Read for Endless {
        fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
            if self.interrupt_first {
                self.interrupt_first = false;
                return Err(io::Error::from(io::ErrorKind::Interrupted));
            }
            buf.fill(b'x');
            self.given += buf.len();
            Ok(buf.len())
        }
    }

    #[test]
    fn capped_read_takes_at_most_one_byte_past_the_limit() {
        let mut source = Endless { given: 0, interrupt_first: true };
        let bytes = read_capped(&mut source, 10, 0).expect("read");
        assert_eq!(bytes.len(), 11);
        assert_eq!(source.given, 11, "read more than max_bytes + 1");
        let mut source = Endless { given: 0, interrupt_first: false };
        assert_eq!(read_capped(&mut source, 0, 0).expect("read").len(), 1);
        assert_eq!(source.given, 1);
    }

    #[test]
    fn utf_boms_in_files_decode() {
        let cases: [(&[u8], SourceEncoding); 4] = [
            (&[0xFF, 0xFE, b'h', 0, b'i', 0], SourceEncoding::Utf16Le),
            (&[0xFE, 0xFF, 0, b'h', 0, b'i'], SourceEncoding::Utf16Be),
            (&[0xFF, 0xFE, 0, 0, b'h', 0, 0, 0, b'i', 0, 0, 0], SourceEncoding::Utf32Le),
            (&[0, 0, 0xFE, 0xFF, 0, 0, 0, b'h', 0, 0, 0, b'i'], SourceEncoding::Utf32Be),
        ];
        for (contents, encoding) in cases {
            let file = TempPath::with_contents(encoding.as_str(), contents);
            let bytes = read_file_bounded(&file.0, 100).expect("read");
            let decoded = decode_text(&bytes);
            assert_eq!(decoded.encoding, encoding);
            assert_eq!((decoded.text.as_str(), decoded.lossy), ("hi", false));
            assert_eq!(text_from_bytes(&bytes, 100).expect("text"), "hi");
        }
    }

    #[test]
    fn nul_file_is_binary() {
        let file = TempPath::with_contents("nul", b"ELF\0\x01\x02");
        let bytes = read_file_bounded(&file.0, 100).expect("read");
        let what = format!("'{}'", file.0.display());
        let err = text_from_bytes(&bytes, 100).expect_err("binary").in_file(&file.0.display().to_string());
        assert_eq!(err.kind(), Code::BinaryFile);
        assert_eq!(
            coded(&err),
            format!("ERR_BINARY_FILE: {what} looks binary (NUL byte at offset 3); ironlung only reads text")
        );
    }

    #[test]
    fn invalid_utf8_file_is_lossy() {
        let file = TempPath::with_contents("latin1", b"caf\xE9 ok");
        let decoded = decode_text(&read_file_bounded(&file.0, 100).expect("read"));
        assert_eq!(decoded.text, "caf\u{FFFD} ok");
        assert!(decoded.lossy);
        assert_eq!(decoded.encoding, SourceEncoding::Utf8);
    }

    #[cfg(unix)]
    #[test]
    fn os_error_table_uses_node_wording() {
        let path = Path::new("/x");
        let cases = [
            (libc::EACCES, "EACCES: permission denied, open '/x'"),
            (libc::ELOOP, "ELOOP: too many symbolic links encountered, open '/x'"),
            (libc::ENAMETOOLONG, "ENAMETOOLONG: name too long, open '/x'"),
            (libc::EMFILE, "EMFILE: too many open files, open '/x'"),
            (libc::ENFILE, "ENFILE: file table overflow, open '/x'"),
            (libc::EPERM, "EPERM: operation not permitted, open '/x'"),
            (libc::EIO, "EIO: i/o error, open '/x'"),
            (libc::ENXIO, "ENXIO: no such device or address, open '/x'"),
            (libc::EBUSY, "EBUSY: resource busy or locked, open '/x'"),
            (libc::ENOMEM, "ENOMEM: not enough memory, open '/x'"),
            (libc::EINVAL, "EINVAL: invalid argument, open '/x'"),
            (libc::EAGAIN, "EAGAIN: resource temporarily unavailable, open '/x'"),
            (libc::EFBIG, "EFBIG: file too large, open '/x'"),
            (libc::EOVERFLOW, "EOVERFLOW: value too large for defined data type, open '/x'"),
            (libc::ENOSPC, "ENOSPC: no space left on device, open '/x'"),
            (libc::EDQUOT, "EDQUOT: disk quota exceeded, open '/x'"),
            (libc::EROFS, "EROFS: read-only file system, open '/x'"),
            (libc::EEXIST, "EEXIST: file already exists, open '/x'"),
            (libc::EXDEV, "EXDEV: cross-device link not permitted, open '/x'"),
            (libc::ENOTEMPTY, "ENOTEMPTY: directory not empty, open '/x'"),
            (libc::EBADF, "EBADF: bad file descriptor, open '/x'"),
        ];
        for (errno, message) in cases {
            let err = os_error(&io::Error::from_raw_os_error(errno), "open", path);
            assert_eq!(coded(&err), message);
            assert_eq!(Some(err.code()), message.split(':').next());
        }
        let err = os_error(&io::Error::from_raw_os_error(libc::EISDIR), "read", path);
        assert_eq!(coded(&err), "EISDIR: illegal operation on a directory, read '/x'");

        let unknown = io::Error::from_raw_os_error(libc::ECHILD);
        let err = os_error(&unknown, "open", path);
        assert_eq!(err.code(), "EUNKNOWN");
        assert_eq!(coded(&err), format!("EUNKNOWN: {unknown}, open '/x'"));

        let no_errno = io::Error::new(io::ErrorKind::UnexpectedEof, "cut short");
        assert_eq!(coded(&os_error(&no_errno, "read", path)), "EUNKNOWN: cut short, read '/x'");
        let oom = io::Error::from(io::ErrorKind::OutOfMemory);
        assert_eq!(os_error(&oom, "read", path).code(), "ENOMEM");
    }

    #[cfg(unix)]
    #[test]
    fn symlink_loop_is_eloop() {
        let a = TempPath::new("loop-a");
        let b = TempPath::new("loop-b");
        std::os::unix::fs::symlink(&b.0, &a.0).expect("symlink");
        std::os::unix::fs::symlink(&a.0, &b.0).expect("symlink");
        assert_eq!(read_err(&a.0, 100).code(), "ELOOP");
    }

    #[cfg(unix)]
    #[test]
    fn fifo_is_refused_without_blocking() {
        use std::ffi::CString;
        use std::os::unix::ffi::OsStrExt;
        use std::time::Duration;

        let fifo = TempPath::new("fifo");
        let c_path = CString::new(fifo.0.as_os_str().as_bytes()).expect("no NUL in temp path");
        // SAFETY: c_path is a valid NUL-terminated string that outlives the call.
        let rc = unsafe { libc::mkfifo(c_path.as_ptr(), 0o600) };
        assert_eq!(rc, 0, "mkfifo failed: {}", io::Error::last_os_error());

        // A blocking open would wait for a writer forever; the thread lets the test fail
        // instead of hanging.
        let path = fifo.0.clone();
        let (tx, rx) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            let _ = tx.send(read_file_bounded(&path, 100));
        });
        let result = rx.recv_timeout(Duration::from_secs(5)).expect("read of a FIFO blocked");
        let err = result.expect_err("a FIFO is not a regular file");
        assert_eq!(err.kind(), Code::NotRegularFile);
        assert_eq!(
            coded(&err),
            format!(
                "ERR_NOT_REGULAR_FILE: '{}' is not a regular file (it is a FIFO); ironlung only reads regular files",
                fifo.0.display()
            )
        );
    }

    #[cfg(unix)]
    #[test]
    fn dev_zero_is_a_character_device() {
        let err = read_err(Path::new("/dev/zero"), 100);
        assert_eq!(err.kind(), Code::NotRegularFile);
        assert_eq!(
            coded(&err),
            "ERR_NOT_REGULAR_FILE: '/dev/zero' is not a regular file (it is a character device); ironlung only reads \
             regular files"
        );
    }

    #[cfg(target_os = "linux")]
    #[test]
    fn proc_files_that_report_size_zero_are_still_capped() {
        let path = Path::new("/proc/self/status");
        assert_eq!(std::fs::metadata(path).expect("stat").len(), 0);
        let bytes = read_file_bounded(path, 1024 * 1024).expect("read /proc");
        assert!(bytes.starts_with(b"Name:"), "{:?}", String::from_utf8_lossy(&bytes));
        let err = read_err(path, 10);
        assert_eq!(err.kind(), Code::FileTooLarge);
        assert_eq!(coded(&err), "ERR_FILE_TOO_LARGE: '/proc/self/status' is larger than max_bytes 10 (read 11 bytes)");
    }
}
