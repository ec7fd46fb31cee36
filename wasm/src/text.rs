//! Text: decoding bytes, binary detection, and the rules js/fsread.mjs asks while it reads
//! a file (the reading itself is the host's).

use crate::{js_err, JsResult};
use ironlung_abi as abi;
use wasm_bindgen::prelude::*;

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
