//! zstd streams for the wasm build: the same objects as the napi-rs addon's, whose methods
//! run on the calling thread (js/zstdstream.mjs yields to the event loop between them).

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
        abi::CompressStream::new(level, checksum, None).map(ZstdCompressor).map_err(js_err)
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
