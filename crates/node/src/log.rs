//! The session log for Node: the codec (`abi::LogCodec`, synchronous: each call is one
//! frame or one window) and the log file's I/O, on the libuv pool.

use crate::owned::Bytes;
use crate::{guard, Job};
use ironlung_abi::{self as abi, JsError};
use ironlung_core::log::file::{self, LogFile as File};
use napi::bindgen_prelude::*;
use napi_derive::napi;
use std::path::PathBuf;
use std::sync::{Arc, Mutex, MutexGuard, TryLockError};

#[napi]
pub fn log_header(salt: Uint8Array, base_seq: f64, created_ms: f64) -> napi::Result<Bytes> {
    guard(|| abi::log_header(&salt, base_seq, created_ms).map(Bytes))
}

/// A log file's codec (`abi::LogCodec`).
#[napi]
pub struct LogCodec {
    inner: abi::LogCodec,
}

#[napi]
impl LogCodec {
    #[napi(constructor)]
    pub fn new(header: Uint8Array, level: Option<i32>) -> napi::Result<Self> {
        guard(|| Ok(LogCodec { inner: abi::LogCodec::new(&header, level)? }))
    }
    #[napi]
    pub fn file_info(&self) -> Vec<f64> {
        self.inner.file_info()
    }
    #[napi]
    pub fn tail(&self) -> Vec<f64> {
        self.inner.tail()
    }
    #[napi]
    pub fn next_seq(&self) -> f64 {
        self.inner.next_seq()
    }
    #[napi]
    pub fn set_tail(&mut self, tail: Vec<f64>) -> napi::Result<()> {
        guard(|| self.inner.set_tail(&tail))
    }
    #[napi]
    pub fn dictionary_id(&self) -> f64 {
        self.inner.dictionary_id()
    }
    #[napi]
    pub fn recover(&mut self, window: Uint8Array, window_at: f64, file_len: f64) -> napi::Result<Vec<f64>> {
        guard(|| Ok(self.inner.recover(&window, window_at, file_len)))
    }
    #[napi]
    pub fn load_dictionary(&mut self, window: Uint8Array, window_at: f64, at: f64) -> napi::Result<f64> {
        guard(|| self.inner.load_dictionary(&window, window_at, at))
    }
    #[napi]
    pub fn write_dictionary(&mut self, bytes: Uint8Array) -> napi::Result<Bytes> {
        guard(|| self.inner.write_dictionary(&bytes).map(Bytes))
    }
    #[napi]
    pub fn write_records(
        &mut self,
        kinds: Uint8Array,
        times: Float64Array,
        data: Uint8Array,
        ends: Uint32Array,
    ) -> napi::Result<Bytes> {
        guard(|| self.inner.write_records(&kinds, &times, &data, &ends).map(Bytes))
    }
    #[napi]
    pub fn write_checkpoint(
        &mut self,
        kind: u8,
        state: Uint8Array,
        meta: Uint8Array,
        time: f64,
    ) -> napi::Result<Bytes> {
        guard(|| self.inner.write_checkpoint(kind, &state, &meta, time).map(Bytes))
    }
    #[napi]
    pub fn copy_frame(
        &mut self,
        from: &LogCodec,
        window: Uint8Array,
        window_at: f64,
        at: f64,
        raw_added: f64,
    ) -> napi::Result<Bytes> {
        guard(|| self.inner.copy_frame(&from.inner, &window, window_at, at, raw_added).map(Bytes))
    }
    #[napi]
    pub fn packer(&self) -> LogPacker {
        LogPacker { inner: Arc::new(Mutex::new(self.inner.packer())) }
    }
    #[napi]
    pub fn pack_into(
        &self,
        packer: &LogPacker,
        window: Uint8Array,
        window_at: f64,
        at: f64,
        raw_added: f64,
    ) -> napi::Result<bool> {
        guard(|| self.inner.pack_into(&mut *locked(&packer.inner)?, &window, window_at, at, raw_added))
    }
    #[napi]
    pub fn frame_info(&self, window: Uint8Array, window_at: f64, at: f64) -> napi::Result<Vec<f64>> {
        guard(|| Ok(self.inner.frame_info(&window, window_at, at)))
    }
    #[napi]
    pub fn next_valid(&self, window: Uint8Array, window_at: f64, from: f64) -> napi::Result<Vec<f64>> {
        guard(|| Ok(self.inner.next_valid(&window, window_at, from)))
    }
    #[napi]
    pub fn scanner(&self) -> LogScanner {
        LogScanner { inner: Arc::new(Mutex::new(self.inner.scanner())) }
    }
    #[napi]
    pub fn seek(&self, target: f64, end: f64, hint: f64) -> LogSeek {
        LogSeek { inner: self.inner.seek(target, end, hint) }
    }
    #[napi]
    pub fn read_checkpoint(&mut self, window: Uint8Array, window_at: f64, at: f64) -> napi::Result<Vec<f64>> {
        guard(|| self.inner.read_checkpoint(&window, window_at, at))
    }
    #[napi]
    pub fn take_data(&mut self) -> Bytes {
        Bytes(self.inner.take_data())
    }
}

/// Compaction's repack (`abi::LogPacker`): `write` compresses on the libuv pool.
#[napi]
pub struct LogPacker {
    inner: Arc<Mutex<abi::LogPacker>>,
}

#[napi]
impl LogPacker {
    #[napi(ts_return_type = "Promise<Uint8Array>")]
    pub fn write(&self, last: bool, budget: f64) -> AsyncTask<Job<Vec<u8>>> {
        let inner = Arc::clone(&self.inner);
        AsyncTask::new(Job::new(move || locked(&inner)?.write(last, budget)))
    }
    #[napi]
    pub fn done(&self) -> napi::Result<bool> {
        guard(|| Ok(locked(&self.inner)?.done()))
    }
}

/// One search for where reading starts (`abi::LogSeek`).
#[napi]
pub struct LogSeek {
    inner: abi::LogSeek,
}

#[napi]
impl LogSeek {
    #[napi]
    pub fn step(&mut self) -> napi::Result<Vec<f64>> {
        guard(|| Ok(self.inner.step()))
    }
    #[napi]
    pub fn feed(&mut self, window: Uint8Array, window_at: f64) -> napi::Result<()> {
        guard(|| {
            self.inner.feed(&window, window_at);
            Ok(())
        })
    }
}

/// One walk's reader (`abi::LogScanner`). `LogFile.readScan` runs it on the libuv pool, one
/// scan at a time: the caller takes each scan's data before it starts the next.
#[napi]
pub struct LogScanner {
    inner: Arc<Mutex<abi::LogScanner>>,
}

/// The scanner or packer behind `s`. A panic in an earlier call poisons it; the log's next
/// read (or compaction) makes a new one.
fn locked<T>(s: &Mutex<T>) -> abi::Result<MutexGuard<'_, T>> {
    s.try_lock().map_err(|e| JsError {
        code: "ERR_INTERNAL",
        message: match e {
            TryLockError::Poisoned(_) => "this log read or compaction failed in an earlier call (ironlung panicked)",
            TryLockError::WouldBlock => "a log scanner or packer was used while a call of it was under way",
        }
        .into(),
    })
}

impl LogScanner {
    fn with<T>(&self, f: impl FnOnce(&mut abi::LogScanner) -> T) -> abi::Result<T> {
        Ok(f(&mut *locked(&self.inner)?))
    }
}

#[napi]
impl LogScanner {
    #[napi]
    pub fn scan(
        &self,
        window: Uint8Array,
        window_at: f64,
        at: f64,
        from: f64,
        to: f64,
        max_bytes: f64,
    ) -> napi::Result<Vec<f64>> {
        guard(|| self.with(|s| s.scan(&window, window_at, at, from, to, max_bytes)))
    }
    #[napi]
    pub fn take_data(&self) -> napi::Result<Bytes> {
        guard(|| self.with(|s| Bytes(s.take_data())))
    }
    #[napi]
    pub fn error(&self) -> napi::Result<String> {
        guard(|| self.with(|s| s.error()))
    }
}

/// An open log file; each call runs on the libuv pool. `close()` drops the descriptor once
/// the calls in flight are done.
#[napi]
pub struct LogFile {
    inner: Arc<Mutex<Option<Arc<File>>>>,
}

fn closed() -> JsError {
    JsError { code: "ERR_LOG_CLOSED", message: "the log file is closed".into() }
}

impl LogFile {
    fn file(&self) -> abi::Result<Arc<File>> {
        self.inner.lock().map_err(|_| closed())?.clone().ok_or_else(closed)
    }
}

#[napi]
impl LogFile {
    /// Opens `path` (synchronously: an open does not wait on the disk).
    #[napi(constructor)]
    pub fn new(path: String, read_only: bool, create: bool) -> napi::Result<Self> {
        guard(|| {
            let f = File::open(&PathBuf::from(&path), read_only, create)?;
            Ok(LogFile { inner: Arc::new(Mutex::new(Some(Arc::new(f)))) })
        })
    }

    /// The writer's lock on the file itself (`LogFile::try_lock`): false if another open of
    /// the file holds it.
    #[napi]
    pub fn try_lock(&self) -> napi::Result<bool> {
        guard(|| Ok(self.file()?.try_lock()?))
    }

    /// The open file's link count (`fstat`), 0 where the system does not say.
    #[napi]
    pub fn links(&self) -> napi::Result<f64> {
        guard(|| Ok(self.file()?.links()? as f64))
    }

    /// Names the file `path` in its errors from now on (`LogFile::renamed`).
    #[napi]
    pub fn renamed(&self, path: String) -> napi::Result<()> {
        guard(|| {
            self.file()?.renamed(&PathBuf::from(path));
            Ok(())
        })
    }

    #[napi]
    pub fn size(&self) -> napi::Result<f64> {
        guard(|| Ok(self.file()?.len()? as f64))
    }

    #[napi(ts_return_type = "Promise<Uint8Array>")]
    pub fn read(&self, offset: f64, len: f64) -> napi::Result<AsyncTask<Job<Vec<u8>>>> {
        let f = guard(|| self.file())?;
        Ok(AsyncTask::new(Job::new(move || Ok(f.read_at(offset as u64, len as usize)?))))
    }

    /// Reads `len` bytes at `offset` and scans them with `scanner` (`LogScanner.scan` with the
    /// window at `offset`), in one trip to the pool: the window never crosses into JS.
    #[napi(ts_return_type = "Promise<Float64Array>")]
    pub fn read_scan(
        &self,
        scanner: &LogScanner,
        offset: f64,
        len: f64,
        from: f64,
        to: f64,
        max_bytes: f64,
    ) -> napi::Result<AsyncTask<Job<Vec<f64>>>> {
        let f = guard(|| self.file())?;
        let scanner = Arc::clone(&scanner.inner);
        Ok(AsyncTask::new(Job::new(move || {
            let window = f.read_at(offset as u64, len as usize)?;
            Ok(locked(&scanner)?.scan(&window, offset, offset, from, to, max_bytes))
        })))
    }

    #[napi(ts_return_type = "Promise<void>")]
    pub fn write(&self, offset: f64, bytes: Uint8Array, sync: bool) -> napi::Result<AsyncTask<Job<()>>> {
        let f = guard(|| self.file())?;
        let bytes = bytes.to_vec();
        Ok(AsyncTask::new(Job::new(move || Ok(f.write_at(offset as u64, &bytes, sync)?))))
    }

    /// Writes all of `bytes` at `offset` on this thread: a copy into the page cache, cheaper
    /// than a trip to the thread pool when no sync follows.
    #[napi]
    pub fn write_now(&self, offset: f64, bytes: Uint8Array) -> napi::Result<()> {
        guard(|| Ok(self.file()?.write_at(offset as u64, &bytes, false)?))
    }

    #[napi(ts_return_type = "Promise<void>")]
    pub fn sync(&self) -> napi::Result<AsyncTask<Job<()>>> {
        let f = guard(|| self.file())?;
        Ok(AsyncTask::new(Job::new(move || Ok(f.sync()?))))
    }

    /// Cuts the file to `len` bytes on this thread, without a sync: at the process's exit.
    #[napi]
    pub fn truncate_now(&self, len: f64) -> napi::Result<()> {
        guard(|| Ok(self.file()?.set_len(len as u64)?))
    }

    #[napi(ts_return_type = "Promise<void>")]
    pub fn truncate(&self, len: f64) -> napi::Result<AsyncTask<Job<()>>> {
        let f = guard(|| self.file())?;
        Ok(AsyncTask::new(Job::new(move || Ok(f.truncate(len as u64)?))))
    }

    #[napi]
    pub fn close(&self) {
        if let Ok(mut f) = self.inner.lock() {
            f.take();
        }
    }
}

/// Renames `from` over `to`: a compacted log replacing the old one (`logSyncDir` after it).
#[napi(ts_return_type = "Promise<void>")]
pub fn log_rename(from: String, to: String) -> AsyncTask<Job<()>> {
    AsyncTask::new(Job::new(move || Ok(file::rename(&PathBuf::from(from), &PathBuf::from(to))?)))
}

/// Syncs the directory holding `path`, so that a file just created there stays.
#[napi(ts_return_type = "Promise<void>")]
pub fn log_sync_dir(path: String) -> AsyncTask<Job<()>> {
    AsyncTask::new(Job::new(move || Ok(file::sync_dir(&PathBuf::from(path))?)))
}

/// The session log's `'auto'` dictionary, trained quickly ([`abi::Training::Quick`]) on the
/// libuv pool, so that neither the event loop nor the appends waiting on it stop for long.
#[napi(ts_return_type = "Promise<Uint8Array>")]
pub fn train_log_dictionary_async(joined: Uint8Array, sizes: Uint32Array, max_bytes: f64) -> AsyncTask<Job<Vec<u8>>> {
    let (joined, sizes) = (joined.to_vec(), sizes.to_vec());
    AsyncTask::new(Job::new(move || abi::train_dictionary(&joined, &sizes, max_bytes, abi::Training::Quick)))
}
