//! A log file's I/O on hosts with a file system: positioned reads and writes, `fdatasync`,
//! truncation, the writer's lock on the file, and an atomic replace, each reporting errors
//! as [`Error::Os`].

use crate::error::{Error, Result};
use crate::text::read::{file_type, open_error, os_error};
use crate::text::FileType;
use std::fs::{File, OpenOptions};
use std::path::{Path, PathBuf};
use std::sync::{Mutex, PoisonError};

/// An open log file.
pub struct LogFile {
    file: File,
    /// The name its errors give: a compaction's new file is renamed over the log ([`renamed`](Self::renamed)).
    path: Mutex<PathBuf>,
}

impl LogFile {
    /// Opens `path` for reading, and for writing unless `read_only`; `create` makes it if
    /// it does not exist.
    ///
    /// Errors: [`Error::NotRegularFile`] for a FIFO, a device or a socket; [`Error::Os`] for
    /// an open that fails.
    pub fn open(path: &Path, read_only: bool, create: bool) -> Result<LogFile> {
        let mut options = OpenOptions::new();
        options.read(true).write(!read_only).create(create && !read_only);
        // Without O_NONBLOCK, opening a FIFO for reading waits for a writer, possibly forever.
        // It does not change reads and writes of a regular file, the only kind kept open.
        #[cfg(unix)]
        std::os::unix::fs::OpenOptionsExt::custom_flags(&mut options, libc::O_NONBLOCK);
        let shown = path.to_string_lossy();
        let file = options.open(path).map_err(|e| open_error(&e, path, &shown))?;
        let kind = file.metadata().map_err(|e| os_error(&e, "fstat", path))?.file_type();
        if let FileType::Special(kind) = file_type(kind) {
            return Err(Error::NotRegularFile { path: shown.into(), kind });
        }
        Ok(LogFile { file, path: Mutex::new(path.to_path_buf()) })
    }

    /// Locks the file for its one writer: an exclusive advisory lock (`flock`) on the open
    /// file itself, whatever name it was opened by, taken without waiting. It lasts until the
    /// file is closed, and the kernel lets it go when the process dies. `false` if another
    /// open of the file holds it, in this process or another: a writer that opened it by
    /// another name (the log was renamed or moved under it, say). A file system that has no
    /// such locks (`ENOLCK`: NFS without a lock manager) leaves the file unlocked: `true`.
    ///
    /// Only on Unix, where these locks are advisory: Windows' are mandatory, and would shut
    /// the log's readers out. There it locks nothing and returns `true`.
    pub fn try_lock(&self) -> Result<bool> {
        #[cfg(unix)]
        {
            use std::fs::TryLockError;
            match self.file.try_lock() {
                Ok(()) => Ok(true),
                Err(TryLockError::WouldBlock) => Ok(false),
                Err(TryLockError::Error(e)) if no_locks(&e) => Ok(true),
                Err(TryLockError::Error(e)) => Err(self.err(&e, "flock")),
            }
        }
        #[cfg(not(unix))]
        Ok(true)
    }

    /// How many names (hard links) the open file has, asked of the file itself (`fstat`), not
    /// of a name that may meanwhile name another; 0 where the system does not say (Windows'
    /// std gives no link count).
    pub fn links(&self) -> Result<u64> {
        let meta = self.file.metadata().map_err(|e| self.err(&e, "fstat"))?;
        #[cfg(unix)]
        return Ok(std::os::unix::fs::MetadataExt::nlink(&meta));
        #[cfg(not(unix))]
        {
            let _ = meta;
            Ok(0)
        }
    }

    /// The file is named `path` now, and its errors say so: a compacted log's new file, once
    /// renamed over the log, stays open (and locked) as the log's file.
    pub fn renamed(&self, path: &Path) {
        *self.path.lock().unwrap_or_else(PoisonError::into_inner) = path.to_path_buf();
    }

    /// The file's size.
    pub fn len(&self) -> Result<u64> {
        Ok(self.file.metadata().map_err(|e| self.err(&e, "fstat"))?.len())
    }

    /// Whether the file is empty.
    pub fn is_empty(&self) -> Result<bool> {
        Ok(self.len()? == 0)
    }

    /// Up to `len` bytes from `offset`: fewer only at the end of the file.
    pub fn read_at(&self, offset: u64, len: usize) -> Result<Vec<u8>> {
        let mut buf = Vec::new();
        buf.try_reserve_exact(len).map_err(|_| Error::no_memory(format!("{len} bytes to read a log")))?;
        buf.resize(len, 0);
        let mut filled = 0;
        while filled < len {
            match read_at(&self.file, &mut buf[filled..], offset + filled as u64) {
                Ok(0) => break,
                Ok(n) => filled += n,
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
                Err(e) => return Err(self.err(&e, "read")),
            }
        }
        buf.truncate(filled);
        Ok(buf)
    }

    /// Writes all of `bytes` at `offset`, then, if `sync`, waits until they are on stable
    /// storage.
    pub fn write_at(&self, offset: u64, bytes: &[u8], sync: bool) -> Result<()> {
        let mut done = 0;
        while done < bytes.len() {
            match write_at(&self.file, &bytes[done..], offset + done as u64) {
                Ok(0) => {
                    return Err(Error::Os {
                        name: "EIO",
                        description: "i/o error (the write made no progress)".into(),
                        syscall: "write",
                        path: self.path().display().to_string(),
                    })
                }
                Ok(n) => done += n,
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
                Err(e) => return Err(self.err(&e, "write")),
            }
        }
        if sync {
            self.sync()?;
        }
        Ok(())
    }

    /// Waits until everything written is on stable storage (`fdatasync`).
    pub fn sync(&self) -> Result<()> {
        self.file.sync_data().map_err(|e| self.err(&e, "fdatasync"))
    }

    /// Cuts the file to `len` bytes, and syncs.
    pub fn truncate(&self, len: u64) -> Result<()> {
        self.set_len(len)?;
        self.sync()
    }

    /// Cuts the file to `len` bytes, without a sync: at the process's exit, where the next
    /// open cuts what a crash leaves anyway.
    pub fn set_len(&self, len: u64) -> Result<()> {
        self.file.set_len(len).map_err(|e| self.err(&e, "ftruncate"))
    }

    fn err(&self, e: &std::io::Error, syscall: &'static str) -> Error {
        os_error(e, syscall, &self.path())
    }

    fn path(&self) -> PathBuf {
        self.path.lock().unwrap_or_else(PoisonError::into_inner).clone()
    }
}

/// Renames `from` over `to`: how a compacted log replaces the old one, whole or not at all.
/// The rename survives a power loss only once [`sync_dir`] has synced the directory; the
/// caller does that next, as a step of its own, since the new file is the log from the
/// rename on whether or not the sync succeeds.
pub fn rename(from: &Path, to: &Path) -> Result<()> {
    std::fs::rename(from, to).map_err(|e| os_error(&e, "rename", from))
}

/// Syncs the directory holding `path`, so that a file created or renamed in it stays.
///
/// A system that cannot open or sync a directory (`EISDIR`, `EINVAL`, `EPERM`, `EACCES`)
/// makes its renames as durable as it does without: that is not an error, as node:fs's
/// side of the log (js/logfiles.mjs) has it too.
pub fn sync_dir(path: &Path) -> Result<()> {
    let dir = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    };
    #[cfg(unix)]
    {
        let unsupported = |e: &std::io::Error| {
            matches!(e.raw_os_error(), Some(libc::EISDIR | libc::EINVAL | libc::EPERM | libc::EACCES))
        };
        let d = match File::open(dir) {
            Ok(d) => d,
            Err(e) if unsupported(&e) => return Ok(()),
            Err(e) => return Err(os_error(&e, "open", dir)),
        };
        match d.sync_all() {
            Err(e) if !unsupported(&e) => return Err(os_error(&e, "fsync", dir)),
            _ => {}
        }
    }
    #[cfg(not(unix))]
    let _ = dir;
    Ok(())
}

/// Whether `e`, from `flock`, says the file system has no such locks.
#[cfg(unix)]
fn no_locks(e: &std::io::Error) -> bool {
    e.kind() == std::io::ErrorKind::Unsupported
        || matches!(e.raw_os_error(), Some(libc::ENOLCK | libc::EOPNOTSUPP | libc::ENOSYS))
}

#[cfg(unix)]
fn read_at(f: &File, buf: &mut [u8], offset: u64) -> std::io::Result<usize> {
    std::os::unix::fs::FileExt::read_at(f, buf, offset)
}

#[cfg(unix)]
fn write_at(f: &File, buf: &[u8], offset: u64) -> std::io::Result<usize> {
    std::os::unix::fs::FileExt::write_at(f, buf, offset)
}

#[cfg(windows)]
fn read_at(f: &File, buf: &mut [u8], offset: u64) -> std::io::Result<usize> {
    std::os::windows::fs::FileExt::seek_read(f, buf, offset)
}

#[cfg(windows)]
fn write_at(f: &File, buf: &[u8], offset: u64) -> std::io::Result<usize> {
    std::os::windows::fs::FileExt::seek_write(f, buf, offset)
}

#[cfg(all(test, unix))]
mod tests {
    use super::*;

    /// A directory of its own in the temp directory, removed on drop.
    struct TempDir(PathBuf);

    impl TempDir {
        fn new(name: &str) -> Self {
            let dir = std::env::temp_dir().join(format!("ironlung-logfile-test-{}-{name}", std::process::id()));
            let _ = std::fs::remove_dir_all(&dir);
            std::fs::create_dir(&dir).expect("create the test directory");
            TempDir(dir)
        }
    }

    impl Drop for TempDir {
        fn drop(&mut self) {
            let _ = std::fs::remove_dir_all(&self.0);
        }
    }

    #[test]
    fn a_writers_lock_is_the_files_under_any_name_until_it_closes() {
        let dir = TempDir::new("lock");
        let (a, b) = (dir.0.join("a.ilog"), dir.0.join("b.ilog"));
        let first = LogFile::open(&a, false, true).unwrap();
        assert!(first.try_lock().unwrap());
        // A second open of the file, in this process too, finds it locked: by its name, and
        // by the name it was renamed to. Readers take no lock and are not stopped.
        assert!(!LogFile::open(&a, false, false).unwrap().try_lock().unwrap());
        std::fs::rename(&a, &b).unwrap();
        assert!(!LogFile::open(&b, false, false).unwrap().try_lock().unwrap());
        first.write_at(0, b"bytes", true).unwrap();
        assert_eq!(LogFile::open(&b, true, false).unwrap().read_at(0, 5).unwrap(), b"bytes");
        // Its errors name the file as it is named now.
        first.renamed(&b);
        let err = first.read_at(u64::MAX, 1).unwrap_err();
        assert!(err.to_string().contains("b.ilog"), "{err}");
        drop(first);
        let next = LogFile::open(&b, false, false).unwrap();
        assert!(next.try_lock().unwrap());
        // Taken again through the same open file: still its own.
        assert!(next.try_lock().unwrap());
    }

    #[test]
    fn the_link_count_is_the_open_files_not_its_names() {
        let dir = TempDir::new("links");
        let (a, b) = (dir.0.join("a.ilog"), dir.0.join("b.ilog"));
        let f = LogFile::open(&a, false, true).unwrap();
        assert_eq!(f.links().unwrap(), 1);
        std::fs::hard_link(&a, &b).unwrap();
        assert_eq!(f.links().unwrap(), 2);
        std::fs::remove_file(&b).unwrap();
        assert_eq!(f.links().unwrap(), 1);
        // Another file renamed over its name: the name counts 1, the open file none.
        std::fs::write(&b, b"other").unwrap();
        std::fs::rename(&b, &a).unwrap();
        assert_eq!(std::os::unix::fs::MetadataExt::nlink(&std::fs::metadata(&a).unwrap()), 1);
        assert_eq!(f.links().unwrap(), 0);
    }
}
