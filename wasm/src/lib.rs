//! wasm-bindgen binding of ironlung-core, with the same functions as the napi-rs binding.
//!
//! Boring on purpose: each function calls the function of the same name in `ironlung-abi`
//! (which the napi-rs addon calls too) and returns its error as a JS error whose message
//! starts with the stable code; `js/errors.mjs` turns that prefix into `error.code`. wasm32 aborts on panic, which
//! surfaces in JS as a `WebAssembly.RuntimeError`; the panic hook below keeps the panic's
//! message so the JS layer can report it as `ERR_INTERNAL`. File reading is not here:
//! js/fsread.mjs reads files, asking [`read_cap`] and [`check_read`] how much, and hands the
//! bytes to [`file_text`].

use ironlung_abi::{self as abi, JsError as AbiError};
use std::cell::RefCell;
use wasm_bindgen::prelude::*;

mod alloc;
#[cfg(feature = "log")]
mod log;
mod stream;

#[global_allocator]
static ALLOCATOR: alloc::Recording = alloc::Recording;

pub(crate) type JsResult<T> = Result<T, JsError>;

#[cold]
#[inline(never)]
pub(crate) fn js_err(e: AbiError) -> JsError {
    JsError::new(&e.to_string())
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
    abi::rank_table(id).map_err(js_err)
}

/// Whether encoding `id`'s rank table has been installed.
#[wasm_bindgen(js_name = ranksAvailable)]
pub fn ranks_available(id: u32) -> JsResult<bool> {
    abi::ranks_available(id).map_err(js_err)
}

/// Hands over a rank table (the bytes of `<table>.wasm`, or the bare table); its hash is checked.
#[wasm_bindgen(js_name = installRanks)]
pub fn install_ranks(table: &str, data: Vec<u8>) -> JsResult<()> {
    abi::install_ranks(table, data).map_err(js_err)
}

#[wasm_bindgen(js_name = listEncodings)]
pub fn list_encodings() -> Vec<String> {
    abi::list_encodings()
}

#[wasm_bindgen(js_name = encodingId)]
pub fn encoding_id(name: &str) -> JsResult<u32> {
    abi::encoding_id(name).map_err(js_err)
}

#[wasm_bindgen(js_name = encodingIdForModel)]
pub fn encoding_id_for_model(model: &str) -> JsResult<u32> {
    abi::encoding_id_for_model(model).map_err(js_err)
}

#[wasm_bindgen(js_name = encodingName)]
pub fn encoding_name(id: u32) -> JsResult<String> {
    abi::name_of(id).map_err(js_err)
}

#[wasm_bindgen(js_name = specialTokens)]
pub fn special_tokens(id: u32) -> JsResult<Vec<String>> {
    abi::special_tokens(id).map_err(js_err)
}

#[wasm_bindgen(js_name = nVocab)]
pub fn n_vocab(id: u32) -> JsResult<u32> {
    abi::n_vocab(id).map_err(js_err)
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
    abi::encode(id, text, allowed_all, allowed, disallowed_all, disallowed).map_err(js_err)
}

#[wasm_bindgen(js_name = encodeOrdinary)]
pub fn encode_ordinary(id: u32, text: &str) -> JsResult<Vec<u32>> {
    abi::encode_ordinary(id, text).map_err(js_err)
}

#[wasm_bindgen]
pub fn count(id: u32, text: &str) -> JsResult<u32> {
    abi::count(id, text).map_err(js_err)
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
        let invalid = |message: String| js_err(AbiError { code: "ERR_INVALID_ARG", message });
        let Some(bytes) = b.get(..len) else {
            return Err(invalid(format!("countInput: {len} bytes asked of an input buffer of {}", b.len())));
        };
        let text = std::str::from_utf8(bytes).map_err(|e| invalid(format!("countInput needs UTF-8: {e}")))?;
        let n = abi::count(id, text).map_err(js_err)?;
        if b.len() > KEEP_INPUT {
            *b = Vec::new();
        }
        Ok(n)
    })
}

#[wasm_bindgen]
pub fn decode(id: u32, tokens: &[u32]) -> JsResult<String> {
    abi::decode(id, tokens).map_err(js_err)
}

#[wasm_bindgen(js_name = decodeBytes)]
pub fn decode_bytes(id: u32, tokens: &[u32]) -> JsResult<Vec<u8>> {
    abi::decode_bytes(id, tokens).map_err(js_err)
}

#[wasm_bindgen]
pub fn truncate(id: u32, text: &str, max_tokens: u32) -> JsResult<String> {
    abi::truncate(id, text, max_tokens).map_err(js_err)
}

/// The count if it is at most `limit`; -1 if it exceeds; -2 if `text` is an incomplete
/// prefix whose stable part fits (the JS layer then passes a longer prefix).
#[wasm_bindgen(js_name = countWithin)]
pub fn count_within(id: u32, text: &str, limit: f64, complete: bool) -> JsResult<f64> {
    abi::count_within(id, text, limit, complete).map_err(js_err)
}

#[wasm_bindgen(js_name = truncateWith)]
pub fn truncate_with(id: u32, text: &str, max_tokens: u32, from: &str, marker: Option<String>) -> JsResult<String> {
    abi::truncate_with(id, text, max_tokens, from, marker.as_deref()).map_err(js_err)
}

/// Chunks as a flat array of (start, end, tokens) triples; offsets in UTF-16 units.
#[wasm_bindgen]
pub fn chunk(id: u32, text: &str, max_tokens: u32, overlap: u32, boundary: &str) -> JsResult<Vec<u32>> {
    abi::chunk(id, text, max_tokens, overlap, boundary).map_err(js_err)
}

#[wasm_bindgen(js_name = countBatch)]
pub fn count_batch(id: u32, texts: Vec<String>) -> JsResult<Vec<u32>> {
    abi::count_batch(id, &texts).map_err(js_err)
}

/// `readForContext` on the bytes js/fsread.mjs read from `path`: text, tokens, truncated
/// (0/1), omitted tokens, bytes. `max_tokens < 0` means no budget.
#[wasm_bindgen(js_name = fileContext)]
pub fn file_context(
    path: &str,
    bytes: &[u8],
    max_bytes: f64,
    id: u32,
    max_tokens: f64,
    cut: &str,
) -> JsResult<Vec<JsValue>> {
    let c = abi::file_context(path, bytes, max_bytes, id, max_tokens, cut).map_err(js_err)?;
    Ok(vec![c.text.into(), c.tokens.into(), c.truncated.into(), c.omitted.into(), c.bytes.into()])
}

#[wasm_bindgen]
pub fn compress(data: &[u8], level: i32) -> JsResult<Vec<u8>> {
    abi::compress(data, level).map_err(js_err)
}

#[wasm_bindgen]
pub fn decompress(data: &[u8], max_output_bytes: f64) -> JsResult<Vec<u8>> {
    abi::decompress(data, max_output_bytes).map_err(js_err)
}

/// A zstd dictionary prepared once (`ZstdDictionary` wraps it). The glue frees it when its
/// JS object is garbage-collected (scripts/glue.mjs: never in an instance that replaced the
/// one it lives in).
#[wasm_bindgen]
pub struct Dictionary(abi::Dictionary);

#[wasm_bindgen]
impl Dictionary {
    #[wasm_bindgen(constructor)]
    pub fn new(bytes: &[u8], level: i32) -> JsResult<Dictionary> {
        abi::prepare_dictionary(bytes, level).map(Dictionary).map_err(js_err)
    }

    #[wasm_bindgen(getter)]
    pub fn id(&self) -> u32 {
        self.0.id()
    }

    #[wasm_bindgen(getter)]
    pub fn level(&self) -> i32 {
        self.0.level()
    }

    #[wasm_bindgen(getter)]
    pub fn size(&self) -> f64 {
        self.0.len() as f64
    }
}

#[wasm_bindgen(js_name = trainDictionary)]
pub fn train_dictionary(joined: &[u8], sizes: &[u32], max_bytes: f64) -> JsResult<Vec<u8>> {
    abi::train_dictionary(joined, sizes, max_bytes, abi::Training::Searched).map_err(js_err)
}

#[wasm_bindgen(js_name = compressWith)]
pub fn compress_with(data: &[u8], dictionary: &Dictionary, level: Option<i32>) -> JsResult<Vec<u8>> {
    abi::compress_with(data, &dictionary.0, level).map_err(js_err)
}

#[wasm_bindgen(js_name = compressWithBytes)]
pub fn compress_with_bytes(data: &[u8], dictionary: &[u8], level: i32) -> JsResult<Vec<u8>> {
    abi::compress_with_bytes(data, dictionary, level).map_err(js_err)
}

#[wasm_bindgen(js_name = decompressWith)]
pub fn decompress_with(data: &[u8], max_output_bytes: f64, dictionary: &Dictionary) -> JsResult<Vec<u8>> {
    abi::decompress_with(data, max_output_bytes, &dictionary.0).map_err(js_err)
}

#[wasm_bindgen(js_name = decompressWithBytes)]
pub fn decompress_with_bytes(data: &[u8], max_output_bytes: f64, dictionary: &[u8]) -> JsResult<Vec<u8>> {
    abi::decompress_with_bytes(data, max_output_bytes, dictionary).map_err(js_err)
}

/// Content size, window size, dictionary id, has checksum (1/0), frames; -1 for none.
#[wasm_bindgen(js_name = frameInfo)]
pub fn frame_info(data: &[u8]) -> JsResult<Vec<f64>> {
    abi::frame_info(data).map_err(js_err)
}

/// `decodeText`: the size and binary checks of the file reader, then decoding.
// Not exported as `decodeText`: wasm-bindgen 0.2.130's glue has an internal helper of that
// name, and the hoisted helper would shadow the export.
#[wasm_bindgen(js_name = textFromBytes)]
pub fn text_from_bytes(bytes: &[u8], max_bytes: f64) -> JsResult<String> {
    abi::text_from_bytes(bytes, max_bytes).map_err(js_err)
}

/// `readTextFile` on the bytes js/fsread.mjs read from `path`.
#[wasm_bindgen(js_name = fileText)]
pub fn file_text(path: &str, bytes: &[u8], max_bytes: f64) -> JsResult<String> {
    abi::file_text(path, bytes, max_bytes).map_err(js_err)
}

// The rules js/fsread.mjs asks while it reads a file: see ironlung_abi::read_cap.

#[wasm_bindgen(js_name = checkPath)]
pub fn check_path(path: &str) -> JsResult<()> {
    abi::check_path(path).map_err(js_err)
}

#[wasm_bindgen(js_name = readCap)]
pub fn read_cap(path: &str, file_type: u32, size: f64, max_bytes: f64) -> JsResult<f64> {
    abi::read_cap(path, file_type, size, max_bytes).map_err(js_err)
}

#[wasm_bindgen(js_name = checkRead)]
pub fn check_read(path: &str, len: f64, cap: f64) -> JsResult<()> {
    abi::check_read(path, len, cap).map_err(js_err)
}

#[wasm_bindgen(js_name = openFailed)]
pub fn open_failed(path: &str, code: &str, file_type: i32) -> JsResult<()> {
    abi::open_failed(path, code, file_type).map_err(js_err)
}

#[wasm_bindgen(js_name = isBinary)]
pub fn is_binary(bytes: &[u8]) -> bool {
    abi::is_binary(bytes)
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
