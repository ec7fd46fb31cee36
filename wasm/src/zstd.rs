//! zstd one-shot: compression, decompression with a cap, prepared dictionaries, training and
//! frame info (streams: `stream.rs`).

use crate::{js_err, JsResult};
use ironlung_abi as abi;
use wasm_bindgen::prelude::*;

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
pub struct Dictionary(pub(crate) abi::Dictionary);

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
