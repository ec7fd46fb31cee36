//! napi-rs binding of ironlung-core.
//!
//! Boring on purpose: each function converts its Node-API values, calls the function of the
//! same name in `ironlung-abi` (which the wasm build calls too), and throws its
//! [`JsError`] as an error whose message starts with the stable code
//! (`"ERR_FILE_TOO_LARGE: ..."`); `js/errors.mjs` turns that prefix into `error.code`.
//! What is Node's alone lives here: strings read as UTF-16 (`text_arg`), results in
//! V8-owned memory (`owned`), async twins on the libuv pool, and hand-registered hot
//! exports (`direct`). Every export catches panics, so a bug surfaces as `ERR_INTERNAL`
//! instead of aborting the process.

use ironlung_abi::{self as abi, JsError};
use napi::bindgen_prelude::*;
use napi_derive::napi;
use std::panic::{catch_unwind, AssertUnwindSafe};

mod direct;
pub mod log;
mod owned;
use owned::{Bytes, F64s, U32s};
mod stream;
mod text_arg;
use text_arg::Text;

/// Registers [`direct`]'s exports (`count`, `countWithin`, `decompress`, `panicForTest`) beside the
/// `#[napi]` ones.
#[napi(module_exports)]
pub fn register_direct(env: Env, exports: Object) -> napi::Result<()> {
    std::panic::set_hook(Box::new(record_panic_location));
    direct::register(env.raw(), exports.raw())
}

thread_local! {
    /// Where the last panic on this thread happened, for [`panic_err`]'s message.
    static PANIC_AT: std::cell::RefCell<Option<String>> = const { std::cell::RefCell::new(None) };
}

/// The panic hook: every panic here is caught and thrown to JS as `ERR_INTERNAL` with its
/// message and location, so printing it (and a backtrace note) to the host's stderr, as the
/// default hook does, would only be noise in the user's logs. The hook is this addon's own:
/// each Rust dylib in a process has its own standard library and hook.
fn record_panic_location(info: &std::panic::PanicHookInfo<'_>) {
    let at = info.location().map(|l| l.to_string());
    PANIC_AT.with(|p| *p.borrow_mut() = at);
}

fn js_err(e: JsError) -> napi::Error {
    napi::Error::new(Status::GenericFailure, e.to_string())
}

fn panic_err(payload: Box<dyn std::any::Any + Send>) -> napi::Error {
    if let Some(oom) = payload.downcast_ref::<ironlung_core::OutOfMemory>() {
        let _ = PANIC_AT.with(|p| p.borrow_mut().take());
        return napi::Error::new(Status::GenericFailure, format!("ERR_OUT_OF_MEMORY: {oom}"));
    }
    let what = payload
        .downcast_ref::<&str>()
        .map(|s| s.to_string())
        .or_else(|| payload.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "unknown panic".into());
    let at = PANIC_AT.with(|p| p.borrow_mut().take()).map(|l| format!(" at {l}")).unwrap_or_default();
    napi::Error::new(Status::GenericFailure, format!("ERR_INTERNAL: ironlung panicked{at}: {what}"))
}

/// Runs `f`, turning both its errors and panics into JS errors.
fn guard<T>(f: impl FnOnce() -> abi::Result<T>) -> napi::Result<T> {
    match catch_unwind(AssertUnwindSafe(f)) {
        Ok(r) => r.map_err(js_err),
        Err(p) => Err(panic_err(p)),
    }
}

/// The rank table encoding `id` uses (shared by p50k_edit/p50k_base, o200k_*).
#[napi]
pub fn rank_table(id: u32) -> napi::Result<String> {
    guard(|| abi::rank_table(id))
}

/// Always true here: the addon embeds every table.
#[napi]
pub fn ranks_available(id: u32) -> napi::Result<bool> {
    guard(|| abi::ranks_available(id))
}

#[napi]
pub fn install_ranks(table: String, data: Uint8Array) -> napi::Result<()> {
    guard(|| abi::install_ranks(&table, data.to_vec()))
}

#[napi]
pub fn list_encodings() -> Vec<String> {
    abi::list_encodings()
}

#[napi]
pub fn encoding_id(name: String) -> napi::Result<u32> {
    guard(|| abi::encoding_id(&name))
}

#[napi]
pub fn encoding_id_for_model(model: String) -> napi::Result<u32> {
    guard(|| abi::encoding_id_for_model(&model))
}

#[napi]
pub fn encoding_name(id: u32) -> napi::Result<String> {
    guard(|| abi::name_of(id))
}

#[napi]
pub fn special_tokens(id: u32) -> napi::Result<Vec<String>> {
    guard(|| abi::special_tokens(id))
}

#[napi]
pub fn n_vocab(id: u32) -> napi::Result<u32> {
    guard(|| abi::n_vocab(id))
}

#[napi]
pub fn encode(
    id: u32,
    text: Text,
    allowed_all: bool,
    allowed: Vec<String>,
    disallowed_all: bool,
    disallowed: Vec<String>,
) -> napi::Result<U32s> {
    guard(|| abi::encode(id, &text, allowed_all, allowed, disallowed_all, disallowed).map(U32s))
}

#[napi]
pub fn encode_ordinary(id: u32, text: Text) -> napi::Result<U32s> {
    guard(|| abi::encode_ordinary(id, &text).map(U32s))
}

#[napi]
pub fn decode(id: u32, tokens: Uint32Array) -> napi::Result<String> {
    guard(|| abi::decode(id, &tokens))
}

#[napi]
pub fn decode_bytes(id: u32, tokens: Uint32Array) -> napi::Result<Bytes> {
    guard(|| abi::decode_bytes(id, &tokens).map(Bytes))
}

#[napi]
pub fn truncate(id: u32, text: Text, max_tokens: u32) -> napi::Result<String> {
    guard(|| abi::truncate(id, &text, max_tokens))
}

#[napi]
pub fn truncate_with(
    id: u32,
    text: Text,
    max_tokens: u32,
    from: String,
    marker: Option<String>,
) -> napi::Result<String> {
    guard(|| abi::truncate_with(id, &text, max_tokens, &from, marker.as_deref()))
}

/// Chunks as a flat array of (start, end, tokens) triples; offsets in UTF-16 units.
#[napi]
pub fn chunk(id: u32, text: Text, max_tokens: u32, overlap: u32, boundary: String) -> napi::Result<U32s> {
    guard(|| abi::chunk(id, &text, max_tokens, overlap, &boundary).map(U32s))
}

#[napi]
pub fn count_batch(id: u32, texts: Vec<String>) -> napi::Result<U32s> {
    guard(|| abi::count_batch(id, &texts).map(U32s))
}

/// A zstd dictionary prepared once (`ZstdDictionary` wraps it); garbage-collected like
/// any JS object. V8 sees a small object: the memory its tables hold is reported to it, so
/// that it collects dropped dictionaries as soon as their memory would warrant.
#[napi(custom_finalize)]
pub struct Dictionary {
    inner: abi::Dictionary,
}

#[napi]
impl Dictionary {
    #[napi(constructor)]
    pub fn new(env: Env, bytes: Uint8Array, level: i32) -> napi::Result<Self> {
        let inner = guard(|| abi::prepare_dictionary(&bytes, level))?;
        env.adjust_external_memory(inner.memory() as i64)?;
        Ok(Dictionary { inner })
    }

    #[napi(getter)]
    pub fn id(&self) -> u32 {
        self.inner.id()
    }

    #[napi(getter)]
    pub fn level(&self) -> i32 {
        self.inner.level()
    }

    #[napi(getter)]
    pub fn size(&self) -> f64 {
        self.inner.len() as f64
    }
}

impl ObjectFinalize for Dictionary {
    fn finalize(self, env: Env) -> napi::Result<()> {
        env.adjust_external_memory(-(self.inner.memory() as i64))?;
        Ok(())
    }
}

#[napi]
pub fn train_dictionary(joined: Uint8Array, sizes: Uint32Array, max_bytes: f64) -> napi::Result<Bytes> {
    guard(|| abi::train_dictionary(&joined, &sizes, max_bytes, abi::Training::Searched).map(Bytes))
}

#[napi]
pub fn compress_with_bytes(data: Uint8Array, dictionary: Uint8Array, level: i32) -> napi::Result<Bytes> {
    guard(|| abi::compress_with_bytes(&data, &dictionary, level).map(Bytes))
}

#[napi]
pub fn decompress_with_bytes(data: Uint8Array, max_output_bytes: f64, dictionary: Uint8Array) -> napi::Result<Bytes> {
    guard(|| abi::decompress_with_bytes(&data, max_output_bytes, &dictionary).map(Bytes))
}

/// Content size, window size, dictionary id, has checksum (1/0), frames; -1 for none.
#[napi]
pub fn frame_info(data: Uint8Array) -> napi::Result<Vec<f64>> {
    guard(|| abi::frame_info(&data))
}

/// Work that runs on the libuv thread pool; panics there are caught like everywhere else.
pub struct Job<T: Send + 'static> {
    work: Option<Box<dyn FnOnce() -> abi::Result<T> + Send>>,
}

impl<T: Send + 'static> Job<T> {
    fn new(f: impl FnOnce() -> abi::Result<T> + Send + 'static) -> Self {
        Job { work: Some(Box::new(f)) }
    }
}

macro_rules! job_task {
    ($t:ty, $js:ty, $conv:expr) => {
        impl Task for Job<$t> {
            type Output = $t;
            type JsValue = $js;
            fn compute(&mut self) -> napi::Result<$t> {
                let work = self.work.take().expect("task computed twice");
                guard(work)
            }
            fn resolve(&mut self, _env: Env, output: $t) -> napi::Result<$js> {
                Ok($conv(output))
            }
        }
    };
}

job_task!(Vec<u8>, Bytes, Bytes);
job_task!(String, String, |s| s);
job_task!(Vec<u32>, U32s, U32s);
job_task!(f64, f64, |n| n);
job_task!(Vec<f64>, F64s, F64s);
job_task!((), (), |_| ());
job_task!(ContextOut, Vec<Either<String, f64>>, context_array);

/// What `readForContext` resolves to: text, tokens, truncated (0/1), omitted tokens, bytes.
pub struct ContextOut(abi::ContextFields);

fn context_array(c: ContextOut) -> Vec<Either<String, f64>> {
    let c = c.0;
    vec![Either::A(c.text), Either::B(c.tokens), Either::B(c.truncated), Either::B(c.omitted), Either::B(c.bytes)]
}

#[napi(ts_return_type = "Promise<number>")]
pub fn count_async(id: u32, text: Text) -> AsyncTask<Job<f64>> {
    let text = String::from(&*text);
    AsyncTask::new(Job::new(move || abi::count(id, &text).map(f64::from)))
}

#[napi(ts_return_type = "Promise<Uint32Array>")]
pub fn encode_async(
    id: u32,
    text: Text,
    allowed_all: bool,
    allowed: Vec<String>,
    disallowed_all: bool,
    disallowed: Vec<String>,
) -> AsyncTask<Job<Vec<u32>>> {
    let text = String::from(&*text);
    AsyncTask::new(Job::new(move || abi::encode(id, &text, allowed_all, allowed, disallowed_all, disallowed)))
}

#[napi(ts_return_type = "Promise<Uint32Array>")]
pub fn chunk_async(id: u32, text: Text, max_tokens: u32, overlap: u32, boundary: String) -> AsyncTask<Job<Vec<u32>>> {
    let text = String::from(&*text);
    AsyncTask::new(Job::new(move || abi::chunk(id, &text, max_tokens, overlap, &boundary)))
}

/// `readForContext` in one call on the thread pool. `max_tokens < 0` means no budget.
#[napi(ts_return_type = "Promise<Array<string | number>>")]
pub fn read_for_context(
    path: String,
    max_bytes: f64,
    id: u32,
    max_tokens: f64,
    cut: String,
) -> AsyncTask<Job<ContextOut>> {
    AsyncTask::new(Job::new(move || abi::read_for_context(&path, max_bytes, id, max_tokens, &cut).map(ContextOut)))
}

#[napi(ts_return_type = "Promise<Uint8Array>")]
pub fn compress_async(data: Uint8Array, level: i32) -> AsyncTask<Job<Vec<u8>>> {
    // Copied so the JS side may reuse its buffer while the task runs.
    let data = data.to_vec();
    AsyncTask::new(Job::new(move || abi::compress(&data, level)))
}

#[napi(ts_return_type = "Promise<Uint8Array>")]
pub fn decompress_async(data: Uint8Array, max_output_bytes: f64) -> AsyncTask<Job<Vec<u8>>> {
    let data = data.to_vec();
    AsyncTask::new(Job::new(move || abi::decompress(&data, max_output_bytes)))
}

#[napi(ts_return_type = "Promise<Uint8Array>")]
pub fn compress_with_async(data: Uint8Array, dictionary: &Dictionary, level: Option<i32>) -> AsyncTask<Job<Vec<u8>>> {
    let (data, dictionary) = (data.to_vec(), dictionary.inner.clone());
    AsyncTask::new(Job::new(move || abi::compress_with(&data, &dictionary, level)))
}

#[napi(ts_return_type = "Promise<Uint8Array>")]
pub fn compress_with_bytes_async(data: Uint8Array, dictionary: Uint8Array, level: i32) -> AsyncTask<Job<Vec<u8>>> {
    let (data, dictionary) = (data.to_vec(), dictionary.to_vec());
    AsyncTask::new(Job::new(move || abi::compress_with_bytes(&data, &dictionary, level)))
}

#[napi(ts_return_type = "Promise<Uint8Array>")]
pub fn decompress_with_async(
    data: Uint8Array,
    max_output_bytes: f64,
    dictionary: &Dictionary,
) -> AsyncTask<Job<Vec<u8>>> {
    let (data, dictionary) = (data.to_vec(), dictionary.inner.clone());
    AsyncTask::new(Job::new(move || abi::decompress_with(&data, max_output_bytes, &dictionary)))
}

#[napi(ts_return_type = "Promise<Uint8Array>")]
pub fn decompress_with_bytes_async(
    data: Uint8Array,
    max_output_bytes: f64,
    dictionary: Uint8Array,
) -> AsyncTask<Job<Vec<u8>>> {
    let (data, dictionary) = (data.to_vec(), dictionary.to_vec());
    AsyncTask::new(Job::new(move || abi::decompress_with_bytes(&data, max_output_bytes, &dictionary)))
}

#[napi(ts_return_type = "Promise<string>")]
pub fn read_text_file(path: String, max_bytes: f64) -> AsyncTask<Job<String>> {
    AsyncTask::new(Job::new(move || abi::read_text_file(&path, max_bytes)))
}

#[napi]
pub fn read_text_file_sync(path: String, max_bytes: f64) -> napi::Result<String> {
    guard(|| abi::read_text_file(&path, max_bytes))
}

#[napi]
pub fn text_from_bytes(bytes: Uint8Array, max_bytes: f64) -> napi::Result<String> {
    guard(|| abi::text_from_bytes(&bytes, max_bytes))
}

#[napi]
pub fn is_binary(bytes: Uint8Array) -> bool {
    abi::is_binary(&bytes)
}
