//! zstd streams for the wasm build: the same objects as the napi-rs addon's, whose methods
//! run on the calling thread (js/zstdstream.mjs yields to the event loop between them).

use crate::zstd::Dictionary;
use crate::{js_err, JsResult};
use ironlung_abi as abi;
use wasm_bindgen::prelude::*;

/// A compressing stream (`abi::CompressStream`).
#[wasm_bindgen]
pub struct ZstdCompressor(abi::CompressStream);

#[wasm_bindgen]
impl ZstdCompressor {
    #[wasm_bindgen(constructor)]
    pub fn new(level: i32, checksum: bool) -> JsResult<ZstdCompressor> {
        abi::CompressStream::new(level, checksum).map(ZstdCompressor).map_err(js_err)
    }

    /// A stream with a prepared dictionary, at its level (`level`: the caller's, if given).
    #[wasm_bindgen(js_name = withDictionary)]
    pub fn with_dictionary(dictionary: &Dictionary, level: Option<i32>, checksum: bool) -> JsResult<ZstdCompressor> {
        abi::CompressStream::with_dictionary(&dictionary.0, level, checksum).map(ZstdCompressor).map_err(js_err)
    }

    /// Promises the frame's input size (`abi::CompressStream::pledge`), before the first write.
    pub fn pledge(&mut self, size: f64) -> JsResult<()> {
        self.0.pledge(size).map_err(js_err)
    }

    pub fn write(&mut self, data: &[u8]) -> JsResult<Vec<u8>> {
        self.0.write(data).map_err(js_err)
    }

    pub fn flush(&mut self) -> JsResult<Vec<u8>> {
        self.0.flush().map_err(js_err)
    }

    pub fn finish(&mut self) -> JsResult<Vec<u8>> {
        self.0.finish().map_err(js_err)
    }
}

/// A decompressing stream (`abi::DecompressStream`).
#[wasm_bindgen]
pub struct ZstdDecompressor(abi::DecompressStream);

#[wasm_bindgen]
impl ZstdDecompressor {
    #[wasm_bindgen(constructor)]
    pub fn new(max_output_bytes: f64) -> JsResult<ZstdDecompressor> {
        abi::DecompressStream::new(max_output_bytes, None).map(ZstdDecompressor).map_err(js_err)
    }

    /// A stream that decodes frames made with a prepared dictionary.
    #[wasm_bindgen(js_name = withDictionary)]
    pub fn with_dictionary(max_output_bytes: f64, dictionary: &Dictionary) -> JsResult<ZstdDecompressor> {
        abi::DecompressStream::new(max_output_bytes, Some(&dictionary.0)).map(ZstdDecompressor).map_err(js_err)
    }

    pub fn push(&mut self, data: &[u8]) {
        self.0.push(data);
    }

    pub fn pull(&mut self, max: u32) -> JsResult<Vec<u8>> {
        self.0.pull(max as usize).map_err(js_err)
    }

    pub fn finish(&self) -> JsResult<()> {
        self.0.finish().map_err(js_err)
    }
}
