//! napi-rs binding of ironlung-core.
//!
//! Boring on purpose: each function converts its arguments, calls the core and maps
//! [`ironlung_core::Error`] to a JS error whose message starts with the stable code
//! (`"ERR_FILE_TOO_LARGE: ..."`); the JS layer (`js/api.mjs`) turns that prefix into
//! `error.code`. Option defaults and argument validation live in the JS layer, once, for
//! both backends. Every export catches panics, so a bug surfaces as `ERR_INTERNAL`
//! instead of aborting the process.
#![deny(clippy::all)]
#![deny(clippy::undocumented_unsafe_blocks)]

use ironlung_core::context;
use ironlung_core::tokenizer::{self, Boundary, Cut, Encoding, SpecialSet};
use ironlung_core::{compress, text, Error};
use napi::bindgen_prelude::*;
use napi_derive::napi;
use std::panic::{catch_unwind, AssertUnwindSafe};

mod direct;
mod owned;
use owned::{Bytes, U32s};
mod text_arg;
use text_arg::Text;

/// Registers [`direct`]'s exports (`count`, `countWithin`, `panicForTest`) beside the
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

fn js_err(e: Error) -> napi::Error {
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

/// Runs `f`, turning both core errors and panics into JS errors.
fn guard<T>(f: impl FnOnce() -> ironlung_core::Result<T>) -> napi::Result<T> {
    match catch_unwind(AssertUnwindSafe(f)) {
        Ok(r) => r.map_err(js_err),
        Err(p) => Err(panic_err(p)),
    }
}

fn enc(id: u32) -> ironlung_core::Result<&'static Encoding> {
    tokenizer::encoding_by_id(id)
}

fn special_set(all: bool, list: Vec<String>) -> SpecialSet {
    if all {
        SpecialSet::All
    } else {
        SpecialSet::Only(list)
    }
}

/// The rank table encoding `id` uses (shared by p50k_edit/p50k_base, o200k_*).
#[napi]
pub fn rank_table(id: u32) -> napi::Result<String> {
    guard(|| Ok(tokenizer::rank_table(tokenizer::EncodingName::from_id(id)?).to_string()))
}

/// Always true here: the addon embeds every table.
#[napi]
pub fn ranks_available(id: u32) -> napi::Result<bool> {
    guard(|| Ok(tokenizer::ranks_available(tokenizer::EncodingName::from_id(id)?)))
}

#[napi]
pub fn install_ranks(table: String, data: Uint8Array) -> napi::Result<()> {
    guard(|| tokenizer::install_ranks(&table, data.to_vec()))
}

#[napi]
pub fn list_encodings() -> Vec<String> {
    tokenizer::list_encodings().into_iter().map(String::from).collect()
}

#[napi]
pub fn encoding_id(name: String) -> napi::Result<u32> {
    guard(|| Ok(tokenizer::EncodingName::parse(&name)?.id()))
}

#[napi]
pub fn encoding_id_for_model(model: String) -> napi::Result<u32> {
    guard(|| Ok(tokenizer::encoding_name_for_model(&model)?.id()))
}

#[napi]
pub fn encoding_name(id: u32) -> napi::Result<String> {
    guard(|| Ok(tokenizer::EncodingName::from_id(id)?.as_str().to_string()))
}

#[napi]
pub fn special_tokens(id: u32) -> napi::Result<Vec<String>> {
    guard(|| Ok(enc(id)?.special_tokens().to_vec()))
}

#[napi]
pub fn n_vocab(id: u32) -> napi::Result<u32> {
    guard(|| Ok(enc(id)?.n_vocab()))
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
    guard(|| {
        let allowed = special_set(allowed_all, allowed);
        let disallowed = special_set(disallowed_all, disallowed);
        Ok(U32s(enc(id)?.encode(&text, &allowed, &disallowed)?))
    })
}

#[napi]
pub fn encode_ordinary(id: u32, text: Text) -> napi::Result<U32s> {
    guard(|| Ok(U32s(enc(id)?.encode_ordinary(&text))))
}

#[napi]
pub fn decode(id: u32, tokens: Uint32Array) -> napi::Result<String> {
    guard(|| enc(id)?.decode(&tokens))
}

#[napi]
pub fn decode_bytes(id: u32, tokens: Uint32Array) -> napi::Result<Bytes> {
    guard(|| Ok(Bytes(enc(id)?.decode_bytes(&tokens)?)))
}

#[napi]
pub fn truncate(id: u32, text: Text, max_tokens: u32) -> napi::Result<String> {
    guard(|| Ok(enc(id)?.truncate(&text, max_tokens as usize).to_string()))
}

#[napi]
pub fn truncate_with(
    id: u32,
    text: Text,
    max_tokens: u32,
    from: String,
    marker: Option<String>,
) -> napi::Result<String> {
    guard(|| Ok(enc(id)?.truncate_with(&text, max_tokens as usize, Cut::parse(&from)?, marker.as_deref())?.text))
}

fn chunk_flat(id: u32, text: &str, max_tokens: u32, overlap: u32, boundary: &str) -> ironlung_core::Result<Vec<u32>> {
    let spans = enc(id)?.chunk(text, max_tokens as usize, overlap as usize, Boundary::parse(boundary)?)?;
    Ok(context::chunk_triples(text, &spans))
}

/// Chunks as a flat array of (start, end, tokens) triples; offsets in UTF-16 units.
#[napi]
pub fn chunk(id: u32, text: Text, max_tokens: u32, overlap: u32, boundary: String) -> napi::Result<U32s> {
    guard(|| Ok(U32s(chunk_flat(id, &text, max_tokens, overlap, &boundary)?)))
}

#[napi]
pub fn count_batch(id: u32, texts: Vec<String>) -> napi::Result<U32s> {
    guard(|| {
        let e = enc(id)?;
        Ok(U32s(texts.iter().map(|t| e.count(t) as u32).collect()))
    })
}

#[napi]
pub fn compress(data: Uint8Array, level: i32) -> napi::Result<Bytes> {
    guard(|| Ok(Bytes(compress::compress(&data, level)?)))
}

#[napi]
pub fn decompress(data: Uint8Array, max_output_bytes: f64) -> napi::Result<Bytes> {
    guard(|| Ok(Bytes(compress::decompress(&data, max_output_bytes as usize)?)))
}

/// Work that runs on the libuv thread pool; panics there are caught like everywhere else.
pub struct Job<T: Send + 'static> {
    work: Option<Box<dyn FnOnce() -> ironlung_core::Result<T> + Send>>,
}

impl<T: Send + 'static> Job<T> {
    fn new(f: impl FnOnce() -> ironlung_core::Result<T> + Send + 'static) -> Self {
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
job_task!(ContextOut, Vec<Either<String, f64>>, context_array);

/// A [`context::Context`] as the array both bindings return: text, tokens, truncated (0/1),
/// omitted tokens, bytes.
pub struct ContextOut(context::Context);

fn context_array(c: ContextOut) -> Vec<Either<String, f64>> {
    let c = c.0;
    vec![
        Either::A(c.text),
        Either::B(c.tokens as f64),
        Either::B(c.truncated as u8 as f64),
        Either::B(c.omitted as f64),
        Either::B(c.bytes as f64),
    ]
}

#[napi(ts_return_type = "Promise<number>")]
pub fn count_async(id: u32, text: Text) -> AsyncTask<Job<f64>> {
    let text = String::from(&*text);
    AsyncTask::new(Job::new(move || Ok(enc(id)?.count_parallel(&text) as f64)))
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
    AsyncTask::new(Job::new(move || {
        enc(id)?.encode(&text, &special_set(allowed_all, allowed), &special_set(disallowed_all, disallowed))
    }))
}

#[napi(ts_return_type = "Promise<Uint32Array>")]
pub fn chunk_async(id: u32, text: Text, max_tokens: u32, overlap: u32, boundary: String) -> AsyncTask<Job<Vec<u32>>> {
    let text = String::from(&*text);
    AsyncTask::new(Job::new(move || chunk_flat(id, &text, max_tokens, overlap, &boundary)))
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
    AsyncTask::new(Job::new(move || {
        let budget = (max_tokens >= 0.0).then_some(max_tokens as usize);
        let c = context::read_for_context(
            std::path::Path::new(&path),
            max_bytes as usize,
            enc(id)?,
            budget,
            Cut::parse(&cut)?,
        )?;
        Ok(ContextOut(c))
    }))
}

#[napi(ts_return_type = "Promise<Uint8Array>")]
pub fn compress_async(data: Uint8Array, level: i32) -> AsyncTask<Job<Vec<u8>>> {
    // Copied so the JS side may reuse its buffer while the task runs.
    let data = data.to_vec();
    AsyncTask::new(Job::new(move || compress::compress(&data, level)))
}

#[napi(ts_return_type = "Promise<Uint8Array>")]
pub fn decompress_async(data: Uint8Array, max_output_bytes: f64) -> AsyncTask<Job<Vec<u8>>> {
    let data = data.to_vec();
    AsyncTask::new(Job::new(move || compress::decompress(&data, max_output_bytes as usize)))
}

fn read_text(path: &str, max_bytes: usize) -> ironlung_core::Result<String> {
    let bytes = text::read_file_bounded(std::path::Path::new(path), max_bytes)?;
    text::text_from_bytes(&bytes, max_bytes, &format!("'{path}'"))
}

#[napi(ts_return_type = "Promise<string>")]
pub fn read_text_file(path: String, max_bytes: f64) -> AsyncTask<Job<String>> {
    AsyncTask::new(Job::new(move || read_text(&path, max_bytes as usize)))
}

#[napi]
pub fn read_text_file_sync(path: String, max_bytes: f64) -> napi::Result<String> {
    guard(|| read_text(&path, max_bytes as usize))
}

#[napi]
pub fn text_from_bytes(bytes: Uint8Array, max_bytes: f64, what: String) -> napi::Result<String> {
    guard(|| text::text_from_bytes(&bytes, max_bytes as usize, &what))
}

#[napi]
pub fn is_binary(bytes: Uint8Array) -> bool {
    text::is_binary(&bytes)
}
