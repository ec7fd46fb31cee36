//! A log file's I/O on hosts with a file system: positioned reads and writes, `fdatasync`,
//! truncation, and an atomic replace, each reporting errors as [`Error::Os`].

use crate::error::{Error, Result};
use crate::text::read::{file_type, open_error, os_error};
use crate::text::FileType;
use std::fs::{File, OpenOptions};
use std::path::{Path, PathBuf};

/// An open log file.
pub struct LogFile {
    file: File,
    path: PathBuf,
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
        Ok(LogFile { file, path: path.to_path_buf() })
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
                        path: self.path.display().to_string(),
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
        self.file.set_len(len).map_err(|e| self.err(&e, "ftruncate"))?;
        self.sync()
    }

    fn err(&self, e: &std::io::Error, syscall: &'static str) -> Error {
        os_error(e, syscall, &self.path)
    }
}

/// Renames `from` over `to`, then syncs the directory so that the rename survives a power
/// loss: how a compacted log replaces the old one, whole or not at all.
pub fn replace(from: &Path, to: &Path) -> Result<()> {
    std::fs::rename(from, to).map_err(|e| os_error(&e, "rename", from))?;
    sync_dir(to)
}

/// Syncs the directory holding `path`, so that a file created or renamed in it stays.
pub fn sync_dir(path: &Path) -> Result<()> {
    let dir = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    };
    #[cfg(unix)]
    {
        let d = File::open(dir).map_err(|e| os_error(&e, "open", dir))?;
        d.sync_all().map_err(|e| os_error(&e, "fsync", dir))?;
    }
    #[cfg(not(unix))]
    let _ = dir;
    Ok(())
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
