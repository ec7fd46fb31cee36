//! wasm-bindgen binding of ironlung-core, with the same functions as the napi-rs binding.
//!
//! Boring on purpose: each function converts its arguments, calls the core and maps
//! [`ironlung_core::Error`] to a JS error whose message starts with the stable code; the JS
//! layer (`js/api.mjs`) turns that prefix into `error.code`. wasm32 aborts on panic, which
//! surfaces in JS as a `WebAssembly.RuntimeError`; the panic hook below keeps the panic's
//! message so the JS layer can report it as `ERR_INTERNAL`. File reading is not here: the
//! JS glue reads files (bounded) and hands the bytes to [`text_from_bytes`].
#![deny(clippy::undocumented_unsafe_blocks)]

use ironlung_core::context;
use ironlung_core::tokenizer::{self, Boundary, Cut, Encoding, SpecialSet};
use ironlung_core::{compress, text, Code, Error};
use std::cell::RefCell;
use wasm_bindgen::prelude::*;

mod alloc;

#[global_allocator]
static ALLOCATOR: alloc::Recording = alloc::Recording;

type JsResult<T> = Result<T, JsError>;

fn js_err(e: Error) -> JsError {
    JsError::new(&e.to_string())
}

fn enc(id: u32) -> JsResult<&'static Encoding> {
    tokenizer::encoding_by_id(id).map_err(js_err)
}

fn special_set(all: bool, list: Vec<String>) -> SpecialSet {
    if all {
        SpecialSet::All
    } else {
        SpecialSet::Only(list)
    }
}

thread_local! {
    static LAST_PANIC: RefCell<String> = const { RefCell::new(String::new()) };
}

#[wasm_bindgen(start)]
pub fn start() {
    std::panic::set_hook(Box::new(|info| {
        let msg = info.to_string();
        LAST_PANIC.with(|p| *p.borrow_mut() = msg);
    }));
}

/// The message of the last panic (the instance traps right after recording it).
#[wasm_bindgen(js_name = lastPanicMessage)]
pub fn last_panic_message() -> String {
    LAST_PANIC.with(|p| p.borrow().clone())
}

/// The size of the last allocation that failed (the instance traps right after), 0 if none.
#[wasm_bindgen(js_name = lastAllocFailure)]
pub fn last_alloc_failure() -> f64 {
    alloc::last_failure() as f64
}

/// The rank table encoding `id` uses (shared by p50k_edit/p50k_base, o200k_*).
#[wasm_bindgen(js_name = rankTable)]
pub fn rank_table(id: u32) -> JsResult<String> {
    Ok(tokenizer::rank_table(tokenizer::EncodingName::from_id(id).map_err(js_err)?).to_string())
}

/// Whether encoding `id`'s rank table has been installed.
#[wasm_bindgen(js_name = ranksAvailable)]
pub fn ranks_available(id: u32) -> JsResult<bool> {
    Ok(tokenizer::ranks_available(tokenizer::EncodingName::from_id(id).map_err(js_err)?))
}

/// Hands over a rank table (the bytes of `<table>.wasm`, or the bare table); its hash is checked.
#[wasm_bindgen(js_name = installRanks)]
pub fn install_ranks(table: &str, data: Vec<u8>) -> JsResult<()> {
    tokenizer::install_ranks(table, data).map_err(js_err)
}

#[wasm_bindgen(js_name = listEncodings)]
pub fn list_encodings() -> Vec<String> {
    tokenizer::list_encodings().into_iter().map(String::from).collect()
}

#[wasm_bindgen(js_name = encodingId)]
pub fn encoding_id(name: &str) -> JsResult<u32> {
    Ok(tokenizer::EncodingName::parse(name).map_err(js_err)?.id())
}

#[wasm_bindgen(js_name = encodingIdForModel)]
pub fn encoding_id_for_model(model: &str) -> JsResult<u32> {
    Ok(tokenizer::encoding_name_for_model(model).map_err(js_err)?.id())
}

#[wasm_bindgen(js_name = encodingName)]
pub fn encoding_name(id: u32) -> JsResult<String> {
    Ok(tokenizer::EncodingName::from_id(id).map_err(js_err)?.as_str().to_string())
}

#[wasm_bindgen(js_name = specialTokens)]
pub fn special_tokens(id: u32) -> JsResult<Vec<String>> {
    Ok(enc(id)?.special_tokens().to_vec())
}

#[wasm_bindgen(js_name = nVocab)]
pub fn n_vocab(id: u32) -> JsResult<u32> {
    Ok(enc(id)?.n_vocab())
}

#[wasm_bindgen]
pub fn encode(
    id: u32,
    text: &str,
    allowed_all: bool,
    allowed: Vec<String>,
    disallowed_all: bool,
    disallowed: Vec<String>,
) -> JsResult<Vec<u32>> {
    let allowed = special_set(allowed_all, allowed);
    let disallowed = special_set(disallowed_all, disallowed);
    enc(id)?.encode(text, &allowed, &disallowed).map_err(js_err)
}

#[wasm_bindgen(js_name = encodeOrdinary)]
pub fn encode_ordinary(id: u32, text: &str) -> JsResult<Vec<u32>> {
    Ok(enc(id)?.encode_ordinary(text))
}

#[wasm_bindgen]
pub fn count(id: u32, text: &str) -> JsResult<u32> {
    Ok(enc(id)?.count(text) as u32)
}

thread_local! {
    /// Where `js/wasminput.mjs` writes long strings as UTF-8. Its length is kept equal to
    /// its capacity (zero-filled when it grows), so every byte JS may write is initialised.
    static INPUT: RefCell<Vec<u8>> = const { RefCell::new(Vec::new()) };
}

/// Input buffers larger than this are freed after use rather than kept.
const KEEP_INPUT: usize = 8 << 20;

/// The address of the input buffer, grown to at least `len` bytes. JS writes the text there
/// and then calls a `*Input` function with the number of bytes it wrote.
#[wasm_bindgen(js_name = inputBuffer)]
pub fn input_buffer(len: usize) -> *mut u8 {
    INPUT.with(|b| {
        let mut b = b.borrow_mut();
        if b.len() < len {
            b.resize(len, 0);
        }
        b.as_mut_ptr()
    })
}

/// `count` of the first `len` bytes of the input buffer, which must be UTF-8.
#[wasm_bindgen(js_name = countInput)]
pub fn count_input(id: u32, len: usize) -> JsResult<u32> {
    INPUT.with(|b| {
        let mut b = b.borrow_mut();
        let Some(bytes) = b.get(..len) else {
            return Err(js_err(Error::new(
                Code::InvalidArg,
                format!("countInput: {len} bytes asked of an input buffer of {}", b.len()),
            )));
        };
        let text = std::str::from_utf8(bytes)
            .map_err(|e| js_err(Error::new(Code::InvalidArg, format!("countInput needs UTF-8: {e}"))))?;
        let n = enc(id)?.count(text) as u32;
        if b.len() > KEEP_INPUT {
            *b = Vec::new();
        }
        Ok(n)
    })
}

#[wasm_bindgen]
pub fn decode(id: u32, tokens: &[u32]) -> JsResult<String> {
    enc(id)?.decode(tokens).map_err(js_err)
}

#[wasm_bindgen(js_name = decodeBytes)]
pub fn decode_bytes(id: u32, tokens: &[u32]) -> JsResult<Vec<u8>> {
    enc(id)?.decode_bytes(tokens).map_err(js_err)
}

#[wasm_bindgen]
pub fn truncate(id: u32, text: &str, max_tokens: u32) -> JsResult<String> {
    Ok(enc(id)?.truncate(text, max_tokens as usize).to_string())
}

/// The count if it is at most `limit`; -1 if it exceeds; -2 if `text` is an incomplete
/// prefix whose stable part fits (the JS layer then passes a longer prefix).
#[wasm_bindgen(js_name = countWithin)]
pub fn count_within(id: u32, text: &str, limit: f64, complete: bool) -> JsResult<f64> {
    Ok(enc(id)?.count_within(text, limit as usize, complete).as_number())
}

#[wasm_bindgen(js_name = truncateWith)]
pub fn truncate_with(id: u32, text: &str, max_tokens: u32, from: &str, marker: Option<String>) -> JsResult<String> {
    let cut = Cut::parse(from).map_err(js_err)?;
    Ok(enc(id)?.truncate_with(text, max_tokens as usize, cut, marker.as_deref()).map_err(js_err)?.text)
}

/// Chunks as a flat array of (start, end, tokens) triples; offsets in UTF-16 units.
#[wasm_bindgen]
pub fn chunk(id: u32, text: &str, max_tokens: u32, overlap: u32, boundary: &str) -> JsResult<Vec<u32>> {
    let boundary = Boundary::parse(boundary).map_err(js_err)?;
    let spans = enc(id)?.chunk(text, max_tokens as usize, overlap as usize, boundary).map_err(js_err)?;
    Ok(context::chunk_triples(text, &spans))
}

#[wasm_bindgen(js_name = countBatch)]
pub fn count_batch(id: u32, texts: Vec<String>) -> JsResult<Vec<u32>> {
    let e = enc(id)?;
    Ok(texts.iter().map(|t| e.count(t) as u32).collect())
}

/// `readForContext` on bytes the JS glue read: text, tokens, truncated (0/1), omitted
/// tokens, bytes. `max_tokens < 0` means no budget.
#[wasm_bindgen(js_name = contextFromBytes)]
pub fn context_from_bytes(
    bytes: &[u8],
    max_bytes: f64,
    what: &str,
    id: u32,
    max_tokens: f64,
    cut: &str,
) -> JsResult<Vec<JsValue>> {
    let budget = (max_tokens >= 0.0).then_some(max_tokens as usize);
    let cut = Cut::parse(cut).map_err(js_err)?;
    let c = context::context_from_bytes(bytes, max_bytes as usize, what, enc(id)?, budget, cut).map_err(js_err)?;
    Ok(vec![
        JsValue::from(c.text),
        JsValue::from(c.tokens as f64),
        JsValue::from(c.truncated as u8 as f64),
        JsValue::from(c.omitted as f64),
        JsValue::from(c.bytes as f64),
    ])
}

#[wasm_bindgen]
pub fn compress(data: &[u8], level: i32) -> JsResult<Vec<u8>> {
    compress::compress(data, level).map_err(js_err)
}

#[wasm_bindgen]
pub fn decompress(data: &[u8], max_output_bytes: f64) -> JsResult<Vec<u8>> {
    compress::decompress(data, max_output_bytes as usize).map_err(js_err)
}

/// Decodes bytes the JS glue read from a file (or the caller holds), applying the same
/// size and binary checks as the native file reader. `what` names the source in errors.
// Not exported as `decodeText`: wasm-bindgen 0.2.130's glue has an internal helper of that
// name, and the hoisted helper would shadow the export.
#[wasm_bindgen(js_name = textFromBytes)]
pub fn text_from_bytes(bytes: &[u8], max_bytes: f64, what: &str) -> JsResult<String> {
    text::text_from_bytes(bytes, max_bytes as usize, what).map_err(js_err)
}

#[wasm_bindgen(js_name = isBinary)]
pub fn is_binary(bytes: &[u8]) -> bool {
    text::is_binary(bytes)
}

/// Runs out of memory on purpose, for real: takes wasm memory 256 MiB at a time until
/// wasm32's 4 GiB can give no more, which traps. The test suite proves the trap becomes
/// `ERR_OUT_OF_MEMORY` and that no memory or state of the call survives it.
#[wasm_bindgen(js_name = oomForTest)]
pub fn oom_for_test() {
    let mut held: Vec<Vec<u8>> = Vec::new();
    loop {
        held.push(Vec::with_capacity(256 << 20));
        std::hint::black_box(&held);
    }
}

/// Panics on purpose, so the test suite can prove a panic becomes `ERR_INTERNAL`.
#[wasm_bindgen(js_name = panicForTest)]
pub fn panic_for_test() {
    panic!("deliberate test panic");
}
