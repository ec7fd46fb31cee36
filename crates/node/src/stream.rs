//! zstd streams for Node: one object per stream, whose work runs on the libuv pool, one
//! chunk (or one piece of output) per task, so the JS thread only copies bytes.

use crate::{guard, Bytes, Dictionary, Job};
use ironlung_abi::{self as abi, JsError};
use napi::bindgen_prelude::*;
use napi_derive::napi;
use std::sync::{Arc, Mutex, MutexGuard};

/// The stream behind `s`. A panic in an earlier task poisons it: the stream is then unusable,
/// and says so.
fn lock<T>(s: &Mutex<T>) -> abi::Result<MutexGuard<'_, T>> {
    s.lock().map_err(|_| JsError {
        code: "ERR_INTERNAL",
        message: "this zstd stream failed in an earlier call (ironlung panicked); start a new stream".to_string(),
    })
}

/// A compressing stream (`abi::CompressStream`).
#[napi]
pub struct ZstdCompressor {
    inner: Arc<Mutex<abi::CompressStream>>,
}

#[napi]
impl ZstdCompressor {
    #[napi(constructor)]
    pub fn new(level: i32, checksum: bool) -> napi::Result<Self> {
        guard(|| Ok(ZstdCompressor::of(abi::CompressStream::new(level, checksum)?)))
    }

    /// A stream with a prepared dictionary, at its level (`level`: the caller's, if given).
    #[napi(factory)]
    pub fn with_dictionary(dictionary: &Dictionary, level: Option<i32>, checksum: bool) -> napi::Result<Self> {
        guard(|| Ok(ZstdCompressor::of(abi::CompressStream::with_dictionary(&dictionary.inner, level, checksum)?)))
    }

    /// Promises the frame's input size (`abi::CompressStream::pledge`), before the first write.
    #[napi]
    pub fn pledge(&self, size: f64) -> napi::Result<()> {
        guard(|| lock(&self.inner)?.pledge(size))
    }

    fn of(s: abi::CompressStream) -> Self {
        ZstdCompressor { inner: Arc::new(Mutex::new(s)) }
    }

    /// Compresses `data` on the thread pool; resolves to the output ready so far.
    #[napi(ts_return_type = "Promise<Uint8Array>")]
    pub fn write(&self, data: Uint8Array) -> AsyncTask<Job<Vec<u8>>> {
        let (s, data) = (self.inner.clone(), data.to_vec());
        AsyncTask::new(Job::new(move || lock(&s)?.write(&data)))
    }

    /// As [`write`](Self::write), but reads `data` where it is, with no copy: the caller
    /// must leave it alone until the promise settles.
    #[napi(ts_return_type = "Promise<Uint8Array>")]
    pub fn write_from(&self, data: Uint8Array) -> AsyncTask<WriteFrom> {
        AsyncTask::new(WriteFrom { stream: self.inner.clone(), data })
    }

    #[napi(ts_return_type = "Promise<Uint8Array>")]
    pub fn flush(&self) -> AsyncTask<Job<Vec<u8>>> {
        let s = self.inner.clone();
        AsyncTask::new(Job::new(move || lock(&s)?.flush()))
    }

    #[napi(ts_return_type = "Promise<Uint8Array>")]
    pub fn finish(&self) -> AsyncTask<Job<Vec<u8>>> {
        let s = self.inner.clone();
        AsyncTask::new(Job::new(move || lock(&s)?.finish()))
    }
}

/// A decompressing stream (`abi::DecompressStream`).
#[napi]
pub struct ZstdDecompressor {
    inner: Arc<Mutex<abi::DecompressStream>>,
}

#[napi]
impl ZstdDecompressor {
    #[napi(constructor)]
    pub fn new(max_output_bytes: f64) -> napi::Result<Self> {
        guard(|| Ok(ZstdDecompressor::of(abi::DecompressStream::new(max_output_bytes, None)?)))
    }

    /// A stream that decodes frames made with a prepared dictionary.
    #[napi(factory)]
    pub fn with_dictionary(max_output_bytes: f64, dictionary: &Dictionary) -> napi::Result<Self> {
        guard(|| Ok(ZstdDecompressor::of(abi::DecompressStream::new(max_output_bytes, Some(&dictionary.inner))?)))
    }

    fn of(s: abi::DecompressStream) -> Self {
        ZstdDecompressor { inner: Arc::new(Mutex::new(s)) }
    }

    /// Queues a chunk of input (a copy).
    #[napi]
    pub fn push(&self, data: Uint8Array) -> napi::Result<()> {
        guard(|| {
            lock(&self.inner)?.push(&data);
            Ok(())
        })
    }

    /// Decodes up to `max` bytes on the thread pool; an empty result asks for more input.
    #[napi(ts_return_type = "Promise<Uint8Array>")]
    pub fn pull(&self, max: u32) -> AsyncTask<Job<Vec<u8>>> {
        let s = self.inner.clone();
        AsyncTask::new(Job::new(move || lock(&s)?.pull(max as usize)))
    }

    /// Decodes into `outs` on the thread pool, filling each in turn; resolves to how many bytes
    /// it wrote in all, short of their total once the input is used up (0: more input is
    /// needed) or once decoding failed after some output (the next call fails). JS owns the
    /// memory, so the output is never copied; several buffers make one trip to the pool. The
    /// caller must leave `outs` alone until the promise settles.
    #[napi(ts_return_type = "Promise<number>")]
    pub fn pull_into(&self, outs: Vec<Uint8Array>) -> AsyncTask<PullInto> {
        AsyncTask::new(PullInto { stream: self.inner.clone(), outs })
    }

    #[napi]
    pub fn finish(&self) -> napi::Result<()> {
        guard(|| lock(&self.inner)?.finish())
    }
}

/// [`ZstdCompressor::write_from`]'s task. It holds `data` until the task is dropped on the JS
/// thread, so that the reference to it is released there and not from the pool.
pub struct WriteFrom {
    stream: Arc<Mutex<abi::CompressStream>>,
    data: Uint8Array,
}

impl Task for WriteFrom {
    type Output = Vec<u8>;
    type JsValue = Bytes;

    fn compute(&mut self) -> napi::Result<Vec<u8>> {
        let (stream, data) = (&self.stream, &self.data);
        guard(|| lock(stream)?.write(data))
    }

    fn resolve(&mut self, _env: Env, out: Vec<u8>) -> napi::Result<Bytes> {
        Ok(Bytes(out))
    }
}

/// [`ZstdDecompressor::pull_into`]'s task. It holds `outs` until the task is dropped on the
/// JS thread, so that the references to them are released there and not from the pool.
pub struct PullInto {
    stream: Arc<Mutex<abi::DecompressStream>>,
    outs: Vec<Uint8Array>,
}

impl Task for PullInto {
    type Output = f64;
    type JsValue = f64;

    fn compute(&mut self) -> napi::Result<f64> {
        let (stream, outs) = (&self.stream, &mut self.outs);
        guard(|| {
            let mut s = lock(stream)?;
            let mut total = 0;
            for out in outs.iter_mut() {
                // SAFETY: the JS side does not touch `outs` while the task runs
                // (js/zstdstream.mjs awaits it before reading or reusing the memory), and the
                // references held keep them alive.
                let out = unsafe { out.as_mut() };
                let n = match s.pull_into(out) {
                    Ok(n) => n,
                    // What came before the error is handed on; the decoder keeps the error
                    // and returns it from the next call, or from `finish`.
                    Err(_) if total > 0 => break,
                    Err(e) => return Err(e),
                };
                total += n;
                if n < out.len() {
                    break;
                }
            }
            Ok(total as f64)
        })
    }

    fn resolve(&mut self, _env: Env, n: f64) -> napi::Result<f64> {
        Ok(n)
    }
}
