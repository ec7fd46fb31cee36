//! The tokenizer: encodings, their rank tables, counting, encoding and the context toolkit.

use crate::{js_err, JsResult};
use ironlung_abi::{self as abi, JsError as AbiError};
use std::cell::RefCell;
use wasm_bindgen::prelude::*;

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
